#include "attn/train/classifier_run.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <istream>
#include <optional>
#include <ostream>
#include <sstream>

#include "attn/core/thread_pool.h"
#include "attn/io/atomic_file.h"
#include "attn/io/json_parse.h"
#include "attn/io/json_reader.h"
#include "attn/optim/optimizer.h"
#include "attn/optim/schedule.h"
#include "attn/train/checkpoint.h"
#include "attn/train/classifier_data.h"
#include "attn/train/classifier_step.h"
#include "attn/train/interrupt.h"
#include "attn/train/memory_plan.h"
#include "attn/train/precision_scope.h"
#include "attn/train/progress.h"
#include "attn/train/step_guard.h"
#include "attn/train/step_log.h"
#include "attn/train/weight_average.h"

namespace attn::train {

namespace fs = std::filesystem;

nlohmann::json EvalReport::to_json() const {
  nlohmann::json j{{"accuracy", accuracy}, {"loss", loss}, {"n", n}};
  if (is_binary) {
    j["precision"] = binary.precision;
    j["recall"] = binary.recall;
    j["f1"] = binary.f1;
    j["positive_label"] = positive_label;
    j["confusion"] = {{"tp", binary.tp}, {"fp", binary.fp}, {"tn", binary.tn}, {"fn", binary.fn}};
  }
  return j;
}

namespace {

void set_threads(int threads) {
  ThreadPool::set_num_threads(threads > 0 ? threads : ThreadPool::default_threads());
}

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainingConfig& t, const nn::Module& model) {
  return train::make_optimizer(
      OptimizerSettings{t.optimizer, t.lr, t.beta1, t.beta2, t.eps, t.momentum, t.weight_decay},
      model);
}

void write_run_files(const fs::path& out, const RunConfig& cfg, const Tokenizer& tok,
                     const LabelInfo& labels) {
  nlohmann::json config = to_json(cfg);  // explicit: every default and CLI override
  config["labels"] = labels.to_json();
  // config.json last: its presence marks a run directory complete enough to resume.
  write_file_atomic(out / "tokenizer.json", tok.to_json().dump() + "\n");
  write_file_atomic(out / "config.json", config.dump(2) + "\n");
}

void append_metrics(const fs::path& file, const nlohmann::json& line) {
  std::string text;
  if (fs::exists(file)) text = read_file_bytes(file);
  write_file_atomic(file, text + line.dump() + "\n");
}

// Refuses to start a run that would not fit in memory (see memory_plan.h).
void check_training_memory(const RunConfig& cfg, const nn::Module& model, const ExampleSet& train,
                           const ExampleSet& valid, std::int64_t max_memory_mb, std::ostream& log) {
  std::int64_t params = 0, text = 0;
  for (const auto& p : model.parameters()) params += p.var.value().numel();
  for (const auto* set : {&train, &valid})
    for (const auto& e : set->examples) text += static_cast<std::int64_t>(e.text.size());
  const auto n = static_cast<std::int64_t>(train.examples.size() + valid.examples.size());
  enforce_memory_budget(estimate_training_memory(cfg, params, n, text), max_memory_mb, log);
}

// Gradients of every parameter with a gradient become NaN (fault injection for tests).
void poison_gradients(const std::vector<optim::ParamRef>& params) {
  for (const auto& p : params)
    if (p.var.has_grad()) p.var.grad().data()[0] = std::nanf("");
}

}  // namespace

LoadedRun open_run(const fs::path& run, bool with_weights) {
  const fs::path config_file = run / "config.json";
  ATTN_CHECK(fs::exists(config_file), "{}: not a checkpoint directory ({} is missing)",
             run.string(), config_file.string());
  nlohmann::json j = read_json_file(config_file);
  LoadedRun r;
  ATTN_CHECK(j.contains("labels"), "{}: no \"labels\" section", config_file.string());
  r.labels = LabelInfo::from_json(j["labels"], config_file.string());
  j.erase("labels");
  r.cfg = parse_run_config(j, config_file.string());
  const fs::path tok_file = run / "tokenizer.json";
  r.tokenizer = Tokenizer::from_json(read_json_file(tok_file));
  r.model = std::make_unique<models::EncoderClassifier>(r.cfg.model, r.cfg.training.seed);
  if (with_weights) load_weights(run / "model.safetensors", *r.model);
  return r;
}

FitResult fit_classifier(const FitOptions& opt, std::ostream& log) {
  set_threads(opt.threads);
  const bool resume = opt.resume;
  // A resumed run reuses its tokenizer and labels (and its config unless one is given).
  std::optional<LoadedRun> prev;
  if (resume) prev = open_run(opt.out, false);
  RunConfig cfg = opt.config                          ? *opt.config
                  : resume && opt.config_file.empty() ? prev->cfg
                                                      : load_run_config(opt.config_file);
  if (opt.epochs) cfg.training.epochs = *opt.epochs;
  if (opt.seed) cfg.training.seed = *opt.seed;
  if (opt.on_nan) cfg.training.on_nan = *opt.on_nan;
  if (opt.precision) {
    check_resume_precision(resume, cfg.training.precision, *opt.precision);
    cfg.training.precision = *opt.precision;
  }
  if (opt.checkpoint_every_steps) cfg.training.checkpoint_every_steps = *opt.checkpoint_every_steps;
  ATTN_CHECK(cfg.training.on_nan == "stop" || cfg.training.on_nan == "skip",
             "on_nan: expected \"stop\" or \"skip\", got \"{}\"", cfg.training.on_nan);
  const TrainingConfig& tc = cfg.training;
  const PrecisionScope precision(tc.precision, &log);
  ensure_writable_dir(opt.out);

  const ExampleSet train_set = read_split(opt.train, log);
  const ExampleSet valid_set = read_split(opt.valid, log);
  std::unique_ptr<Tokenizer> tok;
  LabelInfo labels;
  if (prev) {
    tok = std::move(prev->tokenizer);
    labels = prev->labels;
  } else {
    labels = make_label_info(train_set, cfg);
    tok = build_tokenizer(train_set, cfg);
  }
  ATTN_CHECK(tok->vocab_size() <= cfg.model.vocab_size,
             "{}: the tokenizer has {} tokens but model.vocab_size is {}", opt.config_file.string(),
             tok->vocab_size(), cfg.model.vocab_size);
  const bool binary = cfg.model.num_classes == 1;
  const std::int64_t max_len = std::min(cfg.data.max_len, cfg.model.max_len);
  const EncodedSet train_ids =
      encode_split(train_set, *tok, labels, max_len, cfg.data, true, binary);
  const EncodedSet valid_ids =
      encode_split(valid_set, *tok, labels, max_len, cfg.data, true, binary);
  log << fmt::format("data: {} train, {} valid examples; labels {} (positive: {}); vocabulary {}\n",
                     train_ids.ids.size(), valid_ids.ids.size(), fmt::join(labels.labels, ", "),
                     labels.labels[static_cast<std::size_t>(labels.positive)], tok->vocab_size());

  models::EncoderClassifier model(cfg.model, tc.seed);
  check_training_memory(cfg, model, train_set, valid_set, opt.max_memory_mb, log);
  auto optimizer = make_optimizer(tc, model);
  Batcher batcher(&train_ids, tc.batch_size, max_len, true, tc.bucket_by_length);
  const auto steps_per_epoch = static_cast<std::int64_t>(batcher.batches_per_epoch());
  const optim::ScheduleOptions sched = schedule_options(tc, steps_per_epoch * tc.epochs);

  TrainState state;
  state.rng = Rng(tc.seed ^ 0xD50u).state();
  recover_train_state(opt.out);
  const bool restore = resume && has_train_state(opt.out);
  if (restore) {
    state = load_train_state(opt.out, model, *optimizer);
    truncate_jsonl(opt.out / "metrics.jsonl", "epoch", state.epoch);
    log << fmt::format("resuming {} at epoch {} (step {})\n", opt.out.string(), state.epoch + 1,
                       state.step);
  } else {
    // --resume of a run killed before its first state was saved starts it afresh.
    if (resume) log << fmt::format("{}: no saved state yet; starting the run\n", opt.out.string());
    if (!prev) write_run_files(opt.out, cfg, *tok, labels);
    if (fs::exists(opt.out / "metrics.jsonl")) fs::remove(opt.out / "metrics.jsonl");
  }
  StepLog step_log(opt.out / "steps.jsonl", opt.log_every, state, restore);
  Rng dropout_rng;
  dropout_rng.set_state(state.rng);
  const auto average = open_weight_average(model, tc.ema_decay, opt.out, restore);
  CheckpointClock clock(tc.checkpoint_every_steps, tc.checkpoint_every_minutes);
  auto save_state = [&] {
    state.rng = dropout_rng.state();
    state.elapsed_seconds = step_log.elapsed_seconds();
    const TensorMap extra = average ? average->state() : TensorMap{};
    save_train_state(opt.out, model, *optimizer, state, average ? &extra : nullptr);
    clock.saved();
  };
  // From the first step on, the run directory always holds a complete state.
  if (!restore) save_state();
  StepGuard guard(tc.on_nan, tc.max_nan_skips, tc.clip_norm, opt.out / "train_state");

  FitResult result;
  while (state.epoch < tc.epochs && !state.finished) {
    const std::int64_t epoch = state.epoch;
    batcher.set_cursor(static_cast<std::uint64_t>(epoch), static_cast<std::size_t>(state.cursor),
                       tc.seed);
    ProgressBar bar(log, opt.progress_tty, steps_per_epoch,
                    fmt::format("epoch {}/{}", epoch + 1, tc.epochs));
    StepStats running;  // the epoch so far, including steps taken before a resume
    running.loss_sum = state.epoch_loss_sum;
    running.correct = state.epoch_correct;
    running.examples = state.epoch_examples;
    running.tokens = state.epoch_tokens;
    const auto start = std::chrono::steady_clock::now();
    Batch batch;
    bool stopped_by_max_steps = false;
    while (batcher.next(batch)) {
      optimizer->set_lr(optim::scheduled_lr(sched, state.step));
      Tape tape;
      Context ctx{&tape, true, &dropout_rng};
      StepStats s = train_step(ctx, model, batch, binary, tc.label_smoothing);
      tape.backward(s.loss_var);
      if (opt.inject_nan_at_step == state.step + 1) poison_gradients(optimizer->params());
      ++state.step;
      ++state.cursor;
      const double mean_loss =
          s.loss_sum / static_cast<double>(std::max<std::int64_t>(1, s.examples));
      const std::string where =
          fmt::format("step {} (epoch {}, batch {})", state.step, epoch + 1, state.cursor);
      if (!guard.apply(*optimizer, mean_loss, where, log)) {
        ++result.nan_skips;
      } else {
        if (average) average->update();
        running.add(s);
        step_log.add(s);
        state.epoch_loss_sum = running.loss_sum;
        state.epoch_correct = running.correct;
        state.epoch_examples = running.examples;
        state.epoch_tokens = running.tokens;
      }
      bar.update(state.cursor, running.mean_loss(), running.accuracy(), s.tokens);
      step_log.after_step(epoch + 1, state.cursor == steps_per_epoch, optimizer->lr());
      if (const int sig = stop_signal()) {
        save_state();
        bar.finish(fmt::format("(interrupted by signal {}: state saved)", sig));
        result.interrupted_by = sig;
        result.best_epoch = state.best_epoch;
        return result;
      }
      if (opt.max_steps > 0 && state.step >= opt.max_steps) {
        stopped_by_max_steps = true;
        break;
      }
      if (clock.due(state.step)) save_state();
    }
    if (stopped_by_max_steps) {
      save_state();
      bar.finish("(stopped: max steps)");
      break;
    }
    if (average) average->swap();  // validate (and keep) the averaged weights
    const EvalReport val = with_f32_matmuls(
        [&] { return evaluate_encoded(model, valid_ids, labels, binary, tc.batch_size, max_len); });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.epoch += 1;
    state.cursor = 0;
    state.epoch_loss_sum = 0;
    state.epoch_correct = state.epoch_examples = state.epoch_tokens = 0;
    const bool improved =
        tc.monitor == "val_accuracy"
            ? val.accuracy > state.best_val_accuracy ||
                  (val.accuracy == state.best_val_accuracy && val.loss < state.best_val_loss)
            : val.loss < state.best_val_loss;
    if (improved) {
      state.best_val_loss = val.loss;
      state.best_val_accuracy = val.accuracy;
      state.best_epoch = epoch + 1;
      state.bad_epochs = 0;
      save_weights(opt.out / "model.safetensors", model);
      result.best_valid = val;
    } else {
      state.bad_epochs += 1;
      if (tc.early_stopping_patience > 0 && state.bad_epochs >= tc.early_stopping_patience)
        state.finished = true;
    }
    append_metrics(opt.out / "metrics.jsonl", {{"epoch", epoch + 1},
                                               {"step", state.step},
                                               {"lr", optimizer->lr()},
                                               {"train_loss", running.mean_loss()},
                                               {"train_accuracy", running.accuracy()},
                                               {"val_loss", val.loss},
                                               {"val_accuracy", val.accuracy},
                                               {"val_f1", val.binary.f1},
                                               {"seconds", seconds},
                                               {"best", improved}});
    if (average) average->swap();  // back to the raw weights to continue training
    save_state();
    bar.finish(fmt::format("val_loss {:.4f} val_acc {:.4f}{}", val.loss, val.accuracy,
                           improved ? " (best, saved)" : ""));
    if (state.finished)
      log << fmt::format("early stopping: no {} improvement for {} epoch(s); best epoch {}\n",
                         tc.monitor, state.bad_epochs, state.best_epoch);
    result.epochs_run += 1;
  }
  result.best_epoch = state.best_epoch;
  if (result.best_valid.n == 0) {  // the best epoch predates this (resumed) process
    result.best_valid.loss = state.best_val_loss;
    result.best_valid.accuracy = state.best_val_accuracy;
  }
  if (!opt.test.empty() && fs::exists(opt.out / "model.safetensors")) {
    result.test =
        with_f32_matmuls([&] { return evaluate_classifier(opt.out, opt.test, opt.threads); });
    write_file_atomic(opt.out / "test_metrics.json", result.test->to_json().dump(2) + "\n");
  }
  return result;
}

TrainState load_resumable_state(const fs::path& run) {
  LoadedRun r = open_run(run, false);
  auto optimizer = make_optimizer(r.cfg.training, *r.model);
  return load_train_state(run, *r.model, *optimizer);
}

EvalReport evaluate_classifier(const fs::path& run, const fs::path& data, int threads) {
  set_threads(threads);
  LoadedRun r = open_run(run);
  ExampleSet set = read_examples(data);
  const bool binary = r.cfg.model.num_classes == 1;
  const std::int64_t max_len = std::min(r.cfg.data.max_len, r.cfg.model.max_len);
  const EncodedSet ids =
      encode_split(set, *r.tokenizer, r.labels, max_len, r.cfg.data, true, binary);
  return evaluate_encoded(*r.model, ids, r.labels, binary, r.cfg.training.batch_size, max_len);
}

std::vector<Prediction> predict_classifier(const fs::path& run, std::istream& in,
                                           const std::string& source_name, int threads) {
  set_threads(threads);
  LoadedRun r = open_run(run);
  ExampleSet set;
  set.source = source_name;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Example e;
    e.line = line_no;
    e.id = std::to_string(line_no);
    if (line[0] == '{') {
      nlohmann::json j = parse_json_text(line, fmt::format("{}:{}", source_name, line_no));
      ATTN_CHECK(j.contains("text") && j["text"].is_string(),
                 "{}:{}: expected a string \"text\" field", source_name, line_no);
      e.text = j["text"].get<std::string>();
      if (j.contains("id") && j["id"].is_string()) e.id = j["id"].get<std::string>();
      for (const auto& [key, value] : j.items())
        if (value.is_string() && key != "text" && key != "id")
          e.fields[key] = value.get<std::string>();
    } else {
      e.text = line;
    }
    set.examples.push_back(std::move(e));
  }
  const bool binary = r.cfg.model.num_classes == 1;
  const std::int64_t max_len = std::min(r.cfg.data.max_len, r.cfg.model.max_len);
  const EncodedSet ids =
      encode_split(set, *r.tokenizer, r.labels, max_len, r.cfg.data, false, binary);
  const auto probs = predict_probabilities(*r.model, ids, binary, r.labels.positive,
                                           r.cfg.training.batch_size, max_len);
  std::vector<Prediction> out;
  for (std::size_t i = 0; i < set.examples.size(); ++i) {
    Prediction p;
    p.id = set.examples[i].id;
    const auto& row = probs[i];
    std::size_t best = 0;
    for (std::size_t c = 1; c < row.size(); ++c)
      if (row[c] > row[best]) best = c;
    p.label = r.labels.labels[best];
    p.probability = row[best];
    out.push_back(p);
  }
  return out;
}

}  // namespace attn::train

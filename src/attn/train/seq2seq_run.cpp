#include "attn/train/seq2seq_run.h"

#include <chrono>
#include <cmath>
#include <ostream>
#include <sstream>

#include "attn/core/thread_pool.h"
#include "attn/data/parallel_text.h"
#include "attn/io/atomic_file.h"
#include "attn/io/json_reader.h"
#include "attn/optim/schedule.h"
#include "attn/train/checkpoint.h"
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

namespace {

Seq2SeqRunConfig resolve_config(const Seq2SeqFitOptions& opt) {
  Seq2SeqRunConfig cfg = opt.config ? *opt.config
                         : opt.resume && opt.config_file.empty()
                             ? load_seq2seq_run_config(opt.out / "config.json")
                             : load_seq2seq_run_config(opt.config_file);
  if (opt.seed) cfg.training.seed = *opt.seed;
  if (opt.on_nan) cfg.training.on_nan = *opt.on_nan;
  if (opt.precision) {
    check_resume_precision(opt.resume, cfg.training.precision, *opt.precision);
    cfg.training.precision = *opt.precision;
  }
  if (opt.checkpoint_every_steps) cfg.training.checkpoint_every_steps = *opt.checkpoint_every_steps;
  return cfg;
}

// cut_sources (optional) counts the sources cut to max_len - 1 tokens + EOS.
PairSet encode_pairs(const std::vector<ParallelPair>& pairs, const Seq2SeqVocab& vocab,
                     std::int64_t max_len, std::size_t* cut_sources = nullptr) {
  PairSet set;
  set.source.reserve(pairs.size());
  set.target.reserve(pairs.size());
  for (const auto& p : pairs) {
    bool cut = false;
    set.source.push_back(vocab.encode_source(p.source, max_len, &cut));
    set.target.push_back(vocab.encode_target(p.target));
    if (cut_sources && cut) ++*cut_sources;
  }
  return set;
}

TokenBatcherOptions batcher_options(const models::Seq2SeqConfig& m, const Seq2SeqVocab& vocab,
                                    std::int64_t max_tokens, bool shuffle) {
  TokenBatcherOptions o;
  o.max_tokens = max_tokens;
  o.max_source_len = m.max_len;
  o.max_target_len = m.max_len;
  o.shuffle = shuffle;
  o.pad_id = Tokenizer::kPadId;
  o.bos_id = vocab.bos();
  o.eos_id = vocab.eos();
  o.ignore_index = -100;
  return o;
}

}  // namespace

double seq2seq_loss(const models::Seq2Seq& model, const PairSet& set, const Seq2SeqVocab& vocab,
                    std::int64_t max_tokens) {
  TokenBatcher batcher(&set, batcher_options(model.config(), vocab, max_tokens, false));
  batcher.start_epoch(0, 0);
  PairBatch b;
  double nats = 0;
  std::int64_t tokens = 0;
  while (batcher.next(b)) {
    Context ctx{nullptr, false, nullptr};
    const Variable memory = model.encode(ctx, b.src, b.batch, b.src_time, b.src_valid);
    const Variable logits = model.decode(ctx, memory, b.src_valid, b.tgt_in, b.tgt_time);
    const Variable loss = model.loss(ctx, logits, b.tgt_out, 0.0f, -100);
    nats += static_cast<double>(loss.value().data()[0]) * static_cast<double>(b.tgt_tokens);
    tokens += b.tgt_tokens;
  }
  return tokens > 0 ? nats / static_cast<double>(tokens) : 0.0;
}

Seq2SeqFitResult fit_seq2seq(const Seq2SeqFitOptions& opt, std::ostream& log) {
  ThreadPool::set_num_threads(opt.threads > 0 ? opt.threads : ThreadPool::default_threads());
  Seq2SeqRunConfig cfg = resolve_config(opt);
  const Seq2SeqTrainingConfig& tc = cfg.training;
  const PrecisionScope precision(tc.precision, &log);
  ensure_writable_dir(opt.out);

  auto read_pairs = [](const fs::path& file, const fs::path& target) {
    return target.empty() ? read_parallel_tsv(file) : read_parallel_files(file, target);
  };
  const std::vector<ParallelPair> train_pairs = read_pairs(opt.train, opt.train_target);
  const std::vector<ParallelPair> valid_pairs = read_pairs(opt.valid, opt.valid_target);
  const bool resume_run = opt.resume && fs::exists(opt.out / "source_tokenizer.json");
  Seq2SeqVocab vocab;
  if (resume_run) {
    vocab = load_seq2seq_vocab(opt.out, cfg.tokenizer.joint);
  } else {
    std::vector<std::string> sources, targets;
    for (const auto& p : train_pairs) {
      sources.push_back(p.source);
      targets.push_back(p.target);
    }
    vocab =
        build_seq2seq_vocab(cfg.tokenizer, sources, targets, opt.threads, opt.config_file.string());
  }
  // The vocabularies come from the tokenizers; a config that names sizes must agree.
  auto resolve_vocab = [](std::int64_t& field, std::int64_t want, const char* name) {
    ATTN_CHECK(field == 0 || field == want,
               "model.{} is {} but the tokenizer gives {} ids (its vocabulary + BOS and EOS): "
               "leave it out or set {}",
               name, field, want, want);
    field = want;
  };
  resolve_vocab(cfg.model.source_vocab_size, vocab.source_size(), "source_vocab_size");
  resolve_vocab(cfg.model.target_vocab_size, vocab.target_size(), "target_vocab_size");

  std::size_t cut_sources = 0;
  const PairSet train_set = encode_pairs(train_pairs, vocab, cfg.model.max_len, &cut_sources);
  const PairSet valid_set = encode_pairs(valid_pairs, vocab, cfg.model.max_len);
  TokenBatcher batcher(&train_set, batcher_options(cfg.model, vocab, tc.max_tokens, true));
  batcher.start_epoch(0, tc.seed);
  const TokenBatchStats& st = batcher.stats();
  log << fmt::format(
      "data: {} train pairs ({} source / {} target tokens), {} valid pairs; vocabulary {} "
      "source / {} target; {} batches per epoch, padding efficiency {:.1f}%{}\n",
      train_pairs.size(), st.src_tokens, st.tgt_tokens, valid_pairs.size(), vocab.source_size(),
      vocab.target_size(), st.batches, 100.0 * st.padding_efficiency(),
      cut_sources + st.truncated_targets > 0
          ? fmt::format("; cut to model.max_len {}: {} sources, {} targets", cfg.model.max_len,
                        cut_sources, st.truncated_targets)
          : std::string());

  {  // Refuses a run that would not fit in memory before building the model.
    std::int64_t text = 0, ids = 0;
    for (const auto* pairs : {&train_pairs, &valid_pairs})
      for (const auto& p : *pairs)
        text += static_cast<std::int64_t>(p.source.size() + p.target.size());
    for (const auto* set : {&train_set, &valid_set})
      for (std::size_t i = 0; i < set->source.size(); ++i)
        ids += static_cast<std::int64_t>(set->source[i].size() + set->target[i].size());
    enforce_memory_budget(
        estimate_seq2seq_training_memory(cfg, cfg.model.parameter_count(), ids, text),
        opt.max_memory_mb, log);
  }
  models::Seq2Seq model(cfg.model, tc.seed);
  auto optimizer = make_optimizer(
      OptimizerSettings{tc.optimizer, tc.lr, tc.beta1, tc.beta2, tc.eps, 0.0f, tc.weight_decay},
      model);
  const optim::ScheduleOptions sched = schedule_options(tc, tc.max_steps);

  // TrainState: epoch/cursor = the batcher's position, step = optimizer steps, best_epoch =
  // the step of the kept weights, epoch_loss_sum / epoch_examples = train loss and good
  // steps since the last validation.
  TrainState state;
  state.rng = Rng(tc.seed ^ 0x5E25u).state();
  recover_train_state(opt.out);
  const bool restore = opt.resume && has_train_state(opt.out);
  if (restore) {
    state = load_train_state(opt.out, model, *optimizer);
    truncate_jsonl(opt.out / "metrics.jsonl", "step", state.step);
    batcher.start_epoch(static_cast<std::uint64_t>(state.epoch), tc.seed);
    batcher.seek(static_cast<std::size_t>(state.cursor));
    log << fmt::format("resuming {} at step {} (epoch {}, batch {})\n", opt.out.string(),
                       state.step, state.epoch, state.cursor);
  } else {
    if (opt.resume)
      log << fmt::format("{}: no saved state yet; starting the run\n", opt.out.string());
    save_seq2seq_vocab(opt.out, vocab);
    write_file_atomic(opt.out / "config.json", to_json(cfg).dump(2) + "\n");
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
    state.cursor = static_cast<std::int64_t>(batcher.cursor());
    const TensorMap extra = average ? average->state() : TensorMap{};
    save_train_state(opt.out, model, *optimizer, state, average ? &extra : nullptr);
    clock.saved();
  };
  if (!restore) save_state();
  StepGuard guard(tc.on_nan, tc.max_nan_skips, tc.clip_norm, opt.out / "train_state");

  Seq2SeqFitResult result;
  const std::int64_t first_step = state.step;
  ProgressBar bar(log, opt.progress_tty, std::max<std::int64_t>(1, tc.max_steps - first_step),
                  first_step > 0 ? fmt::format("steps {}+", first_step) : std::string("train"));
  auto window_start = std::chrono::steady_clock::now();
  std::int64_t window_tokens = 0;
  auto out_of_time = [&] {
    return tc.max_minutes > 0 && step_log.elapsed_seconds() >= tc.max_minutes * 60.0;
  };
  PairBatch b;
  // A finished run (max_steps reached or out of time) resumed again trains no further step.
  const bool done = state.step >= tc.max_steps || out_of_time();
  if (done) {
    log << fmt::format("{}: the run is already finished at step {}\n", opt.out.string(),
                       state.step);
    result.finished = true;
  }
  while (!done) {
    if (!batcher.next(b)) {
      ++state.epoch;
      batcher.start_epoch(static_cast<std::uint64_t>(state.epoch), tc.seed);
      continue;
    }
    optimizer->set_lr(optim::scheduled_lr(sched, state.step));
    Tape tape;
    Context ctx{&tape, true, &dropout_rng};
    const Variable memory = model.encode(ctx, b.src, b.batch, b.src_time, b.src_valid);
    const Variable logits = model.decode(ctx, memory, b.src_valid, b.tgt_in, b.tgt_time);
    const Variable loss = model.loss(ctx, logits, b.tgt_out, tc.label_smoothing, -100);
    const double loss_value = loss.value().data()[0];
    tape.backward(loss);
    ++state.step;
    window_tokens += b.tgt_tokens + b.src_tokens;
    if (guard.apply(*optimizer, loss_value, fmt::format("step {}", state.step), log)) {
      StepStats s;
      s.loss_sum = loss_value;
      s.examples = 1;  // one step: steps.jsonl's loss is the mean over its steps
      s.tokens = b.tgt_tokens + b.src_tokens;
      step_log.add(s);
      state.epoch_loss_sum += loss_value;
      state.epoch_examples += 1;
      if (average) average->update();
    } else {
      ++result.nan_skips;
    }
    bar.update(state.step - first_step,
               state.epoch_examples
                   ? state.epoch_loss_sum / static_cast<double>(state.epoch_examples)
                   : 0.0,
               -1.0, b.tgt_tokens + b.src_tokens);
    const bool last = state.step >= tc.max_steps || out_of_time();
    step_log.after_step(state.epoch, last, optimizer->lr());
    if (state.step % tc.eval_every == 0 || last) {
      if (average) average->swap();  // validate (and keep) the averaged weights
      const double val_loss =
          with_f32_matmuls([&] { return seq2seq_loss(model, valid_set, vocab, tc.max_tokens); });
      const bool improved = val_loss < state.best_val_loss;
      if (improved) {
        state.best_val_loss = val_loss;
        state.best_epoch = state.step;
        save_weights(opt.out / "model.safetensors", model);
      }
      if (average) average->swap();  // back to the raw weights to continue training
      const auto now = std::chrono::steady_clock::now();
      const double window_s = std::chrono::duration<double>(now - window_start).count();
      const double n = static_cast<double>(state.epoch_examples);
      append_line_durable(
          opt.out / "metrics.jsonl",
          nlohmann::json{
              {"step", state.step},
              {"epoch", state.epoch},
              {"train_loss", n > 0 ? state.epoch_loss_sum / n : std::nan("")},
              {"val_loss", val_loss},
              {"val_perplexity", std::exp(val_loss)},
              {"lr", optimizer->lr()},
              {"seconds", step_log.elapsed_seconds()},
              {"tokens_per_s", window_s > 0 ? static_cast<double>(window_tokens) / window_s : 0.0},
              {"best", improved}}
              .dump());
      log << fmt::format("\nstep {}: train_loss {:.4f} val_loss {:.4f} val_ppl {:.3f}{}\n",
                         state.step, n > 0 ? state.epoch_loss_sum / n : 0.0, val_loss,
                         std::exp(val_loss), improved ? " (best, saved)" : "");
      state.epoch_loss_sum = 0;
      state.epoch_examples = 0;
      window_tokens = 0;
      window_start = std::chrono::steady_clock::now();
      save_state();
    }
    if (last) {
      save_state();
      bar.finish(state.step >= tc.max_steps
                     ? fmt::format("(step {} of {})", state.step, tc.max_steps)
                     : fmt::format("(training.max_minutes {} reached at step {})", tc.max_minutes,
                                   state.step));
      result.finished = true;
      break;
    }
    if (const int sig = stop_signal()) {
      save_state();
      bar.finish(fmt::format("(interrupted by signal {}: state saved)", sig));
      result.interrupted_by = sig;
      break;
    }
    if (opt.max_steps > 0 && state.step >= opt.max_steps) {
      save_state();
      bar.finish("(stopped: --max-steps)");
      break;
    }
    if (clock.due(state.step)) save_state();
  }
  result.step = state.step;
  result.best_step = state.best_epoch;
  result.best_val_loss = state.best_val_loss;
  return result;
}

bool is_seq2seq_config_file(const fs::path& file) {
  return fs::exists(file) && is_seq2seq_config(read_json_file(file));
}

bool is_seq2seq_run(const fs::path& run) { return is_seq2seq_config_file(run / "config.json"); }

LoadedSeq2Seq open_seq2seq_run(const fs::path& run) {
  const fs::path config_file = run / "config.json";
  ATTN_CHECK(fs::exists(config_file), "{}: not a checkpoint directory ({} is missing)",
             run.string(), config_file.string());
  LoadedSeq2Seq r;
  r.cfg = load_seq2seq_run_config(config_file);
  r.vocab = load_seq2seq_vocab(run, r.cfg.tokenizer.joint);
  ATTN_CHECK(r.cfg.model.source_vocab_size == r.vocab.source_size() &&
                 r.cfg.model.target_vocab_size == r.vocab.target_size(),
             "{}: the model's vocabularies ({} / {}) do not match its tokenizers ({} / {})",
             run.string(), r.cfg.model.source_vocab_size, r.cfg.model.target_vocab_size,
             r.vocab.source_size(), r.vocab.target_size());
  r.model = std::make_unique<models::Seq2Seq>(r.cfg.model, r.cfg.training.seed);
  const fs::path weights = run / "model.safetensors";
  ATTN_CHECK(fs::exists(weights), "{}: no weights yet ({} is missing: train until a validation)",
             run.string(), weights.string());
  load_weights(weights, *r.model);
  return r;
}

}  // namespace attn::train

#include "attn/train/lm_run.h"

#include <chrono>
#include <cmath>
#include <ostream>
#include <sstream>

#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "attn/data/char_tokenizer.h"
#include "attn/data/utf8.h"
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
#include "attn/train/tokenizer_files.h"

namespace attn::train {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& file, const char* what) {
  const std::string text = read_file_bytes(file);
  ATTN_CHECK(!text.empty(), "{}: the {} file is empty", file.string(), what);
  return text;
}

// ids [N] -> x, y [B*T]: row b of micro-batch (step, micro) is the window
// ids[o .. o+T] with o a pure hash of (seed, step, micro, b): x = ids[o..o+T),
// y = ids[o+1..o+T].
void sample_windows(const std::vector<std::int32_t>& ids, std::int64_t B, std::int64_t T,
                    std::uint64_t seed, std::uint64_t key, std::vector<std::int32_t>& x,
                    std::vector<std::int32_t>& y) {
  const auto offsets = static_cast<std::uint64_t>(static_cast<std::int64_t>(ids.size()) - T);
  x.resize(static_cast<std::size_t>(B * T));
  y.resize(x.size());
  for (std::int64_t b = 0; b < B; ++b) {
    const auto o = static_cast<std::size_t>(
        counter_hash(seed ^ 0x11D5A4ull, key, static_cast<std::uint64_t>(b)) % offsets);
    for (std::int64_t t = 0; t < T; ++t) {
      x[static_cast<std::size_t>(b * T + t)] = ids[o + static_cast<std::size_t>(t)];
      y[static_cast<std::size_t>(b * T + t)] = ids[o + static_cast<std::size_t>(t) + 1];
    }
  }
}

// Micro-batch losses are means; summing grad_accum_steps of them and dividing
// the gradients by the count gives the gradient of the mean over the step.
void scale_gradients(const std::vector<optim::ParamRef>& params, float factor) {
  for (const auto& p : params) {
    if (!p.var.has_grad()) continue;
    Tensor& g = p.var.grad();
    float* d = g.data();
    for (std::int64_t i = 0; i < g.numel(); ++i) d[i] *= factor;
  }
}

// A new run's tokenizer: built from the training text (char) or loaded from
// the file the config names (sentencepiece); `config` names the config in errors.
std::unique_ptr<Tokenizer> make_lm_tokenizer(const LmTokenizerConfig& c,
                                             const std::string& train_text,
                                             const std::string& config) {
  if (c.type == "sentencepiece")
    return std::make_unique<SentencePieceTokenizer>(load_sentencepiece_tokenizer(
        c.model, fmt::format("{}: tokenizer.model", config.empty() ? "config" : config)));
  auto tok = std::make_unique<CharTokenizer>();
  tok->build({train_text}, static_cast<int>(c.max_tokens));
  return tok;
}

LmRunConfig resolve_config(const LmFitOptions& opt) {
  LmRunConfig cfg = opt.config ? *opt.config
                    : opt.resume && opt.config_file.empty()
                        ? load_lm_run_config(opt.out / "config.json")
                        : load_lm_run_config(opt.config_file);
  if (opt.seed) cfg.training.seed = *opt.seed;
  if (opt.on_nan) cfg.training.on_nan = *opt.on_nan;
  if (opt.precision) {
    check_resume_precision(opt.resume, cfg.training.precision, *opt.precision);
    cfg.training.precision = *opt.precision;
  }
  if (opt.checkpoint_every_steps) cfg.training.checkpoint_every_steps = *opt.checkpoint_every_steps;
  return cfg;
}

}  // namespace

LmFitResult fit_lm(const LmFitOptions& opt, std::ostream& log) {
  ThreadPool::set_num_threads(opt.threads > 0 ? opt.threads : ThreadPool::default_threads());
  const LmRunConfig cfg = resolve_config(opt);
  const LmTrainingConfig& tc = cfg.training;
  const PrecisionScope precision(tc.precision, &log);
  const std::int64_t T = cfg.model.block_size, B = tc.batch_size;
  ensure_writable_dir(opt.out);

  const std::string train_text = read_text(opt.train, "training");
  const std::string valid_text = read_text(opt.valid, "validation");
  const bool resume_run = opt.resume && fs::exists(opt.out / "tokenizer.json");
  const std::unique_ptr<Tokenizer> tok_ptr =
      resume_run ? Tokenizer::from_json(read_json_file(opt.out / "tokenizer.json"))
                 : make_lm_tokenizer(cfg.tokenizer, train_text, opt.config_file.string());
  const Tokenizer& tok = *tok_ptr;
  if (cfg.tokenizer.type == "sentencepiece")
    ATTN_CHECK(tok.vocab_size() <= cfg.model.vocab_size,
               "the tokenizer {} has {} pieces but model.vocab_size is {}: raise model.vocab_size",
               cfg.tokenizer.model, tok.vocab_size(), cfg.model.vocab_size);
  ATTN_CHECK(tok.vocab_size() <= cfg.model.vocab_size,
             "the training text has {} distinct symbols (+ padding and [UNK]) but model.vocab_size "
             "is {}: raise vocab_size or set tokenizer.max_tokens",
             tok.vocab_size(), cfg.model.vocab_size);
  const std::vector<std::int32_t> train_ids = tok.encode(train_text);
  ATTN_CHECK(static_cast<std::int64_t>(train_ids.size()) > T,
             "{}: the training text has {} tokens, but one window needs block_size + 1 = {}: use "
             "more text or a smaller model.block_size",
             opt.train.string(), train_ids.size(), T + 1);
  std::vector<std::int32_t> valid_stream{lm_start_token(tok)};
  double valid_chars_per_token = 1.0;  // val_bpc is per character, whatever a token spans
  {
    const auto v = tok.encode(valid_text);
    const auto keep = tc.eval_tokens > 0 ? std::min<std::size_t>(
                                               v.size(), static_cast<std::size_t>(tc.eval_tokens))
                                         : v.size();
    valid_stream.insert(valid_stream.end(), v.begin(),
                        v.begin() + static_cast<std::ptrdiff_t>(keep));
    std::int64_t chars = 0;
    for_each_code_point(tok.decode({valid_stream.begin() + 1, valid_stream.end()}),
                        [&](char32_t, std::string_view) { ++chars; });
    if (keep > 0) valid_chars_per_token = static_cast<double>(chars) / static_cast<double>(keep);
  }
  log << fmt::format(
      "data: {} train tokens, {} valid tokens scored per evaluation; vocabulary {}\n",
      train_ids.size(), valid_stream.size() - 1, tok.vocab_size());
  // Refuses a run that would not fit in memory before building the model.
  enforce_memory_budget(
      estimate_lm_training_memory(cfg, cfg.model.parameter_count(),
                                  static_cast<std::int64_t>(train_ids.size() + valid_stream.size()),
                                  static_cast<std::int64_t>(train_text.size() + valid_text.size())),
      opt.max_memory_mb, log);

  models::DecoderLM model(cfg.model, tc.seed);
  auto optimizer = make_optimizer(
      OptimizerSettings{tc.optimizer, tc.lr, tc.beta1, tc.beta2, tc.eps, 0.0f, tc.weight_decay},
      model);
  const optim::ScheduleOptions sched = schedule_options(tc, tc.max_steps);

  // TrainState reuse: step = optimizer steps; best_epoch = the step of the kept
  // weights; epoch_loss_sum / epoch_examples = train loss and good steps since
  // the last validation (for metrics.jsonl's train_loss).
  TrainState state;
  state.rng = Rng(tc.seed ^ 0xD50u).state();
  recover_train_state(opt.out);
  const bool restore = opt.resume && has_train_state(opt.out);
  if (restore) {
    state = load_train_state(opt.out, model, *optimizer);
    truncate_jsonl(opt.out / "metrics.jsonl", "step", state.step);
    log << fmt::format("resuming {} at step {}\n", opt.out.string(), state.step);
  } else {
    if (opt.resume)
      log << fmt::format("{}: no saved state yet; starting the run\n", opt.out.string());
    write_file_atomic(opt.out / "tokenizer.json", tok.to_json().dump() + "\n");
    write_file_atomic(opt.out / "config.json", to_json(cfg).dump(2) + "\n");
    if (fs::exists(opt.out / "metrics.jsonl")) fs::remove(opt.out / "metrics.jsonl");
  }
  StepLog step_log(opt.out / "steps.jsonl", opt.log_every, state, restore);
  Rng dropout_rng;
  dropout_rng.set_state(state.rng);
  CheckpointClock clock(tc.checkpoint_every_steps, tc.checkpoint_every_minutes);
  auto save_state = [&] {
    state.rng = dropout_rng.state();
    state.elapsed_seconds = step_log.elapsed_seconds();
    save_train_state(opt.out, model, *optimizer, state);
    clock.saved();
  };
  if (!restore) save_state();
  StepGuard guard(tc.on_nan, tc.max_nan_skips, tc.clip_norm, opt.out / "train_state");

  LmFitResult result;
  const std::int64_t first_step = state.step;
  ProgressBar bar(log, opt.progress_tty, std::max<std::int64_t>(1, tc.max_steps - first_step),
                  first_step > 0 ? fmt::format("steps {}+", first_step) : std::string("train"));
  auto window_start = std::chrono::steady_clock::now();
  std::int64_t window_tokens = 0;
  std::vector<std::int32_t> x, y;
  while (state.step < tc.max_steps) {
    optimizer->set_lr(optim::scheduled_lr(sched, state.step));
    double loss_sum = 0;
    for (std::int64_t m = 0; m < tc.grad_accum_steps; ++m) {
      const auto key = static_cast<std::uint64_t>(state.step * tc.grad_accum_steps + m);
      sample_windows(train_ids, B, T, tc.seed, key, x, y);
      Tape tape;
      Context ctx{&tape, true, &dropout_rng};
      const Variable logits = model.forward(ctx, x, B, T);
      const Variable loss = model.loss(ctx, logits, y, -1);
      loss_sum += loss.value().data()[0];
      tape.backward(loss);
    }
    if (tc.grad_accum_steps > 1)
      scale_gradients(optimizer->params(), 1.0f / static_cast<float>(tc.grad_accum_steps));
    const double mean_loss = loss_sum / static_cast<double>(tc.grad_accum_steps);
    ++state.step;
    const std::int64_t tokens = B * T * tc.grad_accum_steps;
    window_tokens += tokens;
    if (guard.apply(*optimizer, mean_loss, fmt::format("step {}", state.step), log)) {
      StepStats s;
      s.loss_sum = mean_loss;
      s.examples = 1;  // one step: steps.jsonl's loss is the mean over its steps
      s.tokens = tokens;
      step_log.add(s);
      state.epoch_loss_sum += mean_loss;
      state.epoch_examples += 1;
    } else {
      ++result.nan_skips;
    }
    bar.update(state.step - first_step,
               state.epoch_examples
                   ? state.epoch_loss_sum / static_cast<double>(state.epoch_examples)
                   : 0.0,
               -1.0, tokens);
    step_log.after_step(0, state.step == tc.max_steps, optimizer->lr());
    if (state.step % tc.eval_every == 0 || state.step == tc.max_steps) {
      const LmScore val = with_f32_matmuls([&] { return score_stream(model, valid_stream, T, B); });
      const double val_loss = val.nats / static_cast<double>(std::max<std::int64_t>(1, val.tokens));
      const bool improved = val_loss < state.best_val_loss;
      if (improved) {
        state.best_val_loss = val_loss;
        state.best_epoch = state.step;
        save_weights(opt.out / "model.safetensors", model);
      }
      const auto now = std::chrono::steady_clock::now();
      const double window_s = std::chrono::duration<double>(now - window_start).count();
      const double n = static_cast<double>(state.epoch_examples);
      append_line_durable(
          opt.out / "metrics.jsonl",
          nlohmann::json{
              {"step", state.step},
              {"train_loss", n > 0 ? state.epoch_loss_sum / n : std::nan("")},
              {"val_loss", val_loss},
              {"val_bpc", val_loss / std::log(2.0) / valid_chars_per_token},
              {"lr", optimizer->lr()},
              {"seconds", step_log.elapsed_seconds()},
              {"tokens_per_s", window_s > 0 ? static_cast<double>(window_tokens) / window_s : 0.0},
              {"best", improved}}
              .dump());
      log << fmt::format("\nstep {}: train_loss {:.4f} val_loss {:.4f} val_bpc {:.4f}{}\n",
                         state.step, n > 0 ? state.epoch_loss_sum / n : 0.0, val_loss,
                         val_loss / std::log(2.0) / valid_chars_per_token,
                         improved ? " (best, saved)" : "");
      state.epoch_loss_sum = 0;
      state.epoch_examples = 0;
      window_tokens = 0;
      window_start = std::chrono::steady_clock::now();
      save_state();
    }
    if (const int sig = stop_signal()) {
      save_state();
      bar.finish(fmt::format("(interrupted by signal {}: state saved)", sig));
      result.interrupted_by = sig;
      break;
    }
    if (opt.max_steps > 0 && state.step >= opt.max_steps && state.step < tc.max_steps) {
      save_state();
      bar.finish("(stopped: --max-steps)");
      break;
    }
    if (clock.due(state.step)) save_state();
  }
  if (state.step >= tc.max_steps && result.interrupted_by == 0) {
    save_state();
    bar.finish(fmt::format("(step {} of {})", state.step, tc.max_steps));
    result.finished = true;
  }
  result.step = state.step;
  result.best_step = state.best_epoch;
  result.best_val_loss = state.best_val_loss;
  result.best_val_bpc = state.best_val_loss / std::log(2.0) / valid_chars_per_token;
  return result;
}

}  // namespace attn::train

#include <unistd.h>

#include <iostream>

#include "attn/train/classifier_run.h"
#include "attn/train/interrupt.h"
#include "attn/train/lm_report_collect.h"
#include "attn/train/lm_run.h"
#include "attn/train/report_collect.h"
#include "attn/train/seq2seq_report_collect.h"
#include "attn/train/seq2seq_run.h"
#include "attn/viz/training_report.h"
#include "commands.h"

namespace attn::cli {

namespace {

// RUN/report.html from collect() once the run has weights. The model is trained
// and saved either way: a report that cannot be written is a warning (`attn
// report` can write it later), not a failure.
template <typename Collect>
void write_report(const std::filesystem::path& run, Collect collect) {
  if (!std::filesystem::exists(run / "model.safetensors")) return;
  const auto report = run / "report.html";
  try {
    viz::write_training_report(collect(), report);
    fmt::print("report: {}\n", report.string());
  } catch (const Error& e) {
    fmt::print(stderr, "warning: the report was not written: {}\n", e.what());
  }
}

// model.type "decoder_lm": the language-model loop (lm_run.h) with the same flags.
int train_lm(const train::FitOptions& o) {
  ATTN_CHECK(!o.epochs,
             "--epochs does not apply to a decoder LM (it trains for training.max_steps)");
  ATTN_CHECK(o.test.empty(), "--test does not apply to a decoder LM: use `attn evaluate`");
  ATTN_CHECK(o.train_target.empty() && o.valid_target.empty(),
             "--train-target / --valid-target apply to encoder-decoder runs only");
  train::LmFitOptions lm;
  lm.config_file = o.config_file;
  lm.train = o.train;
  lm.valid = o.valid;
  lm.out = o.out;
  lm.seed = o.seed;
  lm.threads = o.threads;
  lm.resume = o.resume;
  lm.max_steps = o.max_steps;
  lm.log_every = o.log_every;
  lm.progress_tty = o.progress_tty;
  lm.on_nan = o.on_nan;
  lm.precision = o.precision;
  lm.checkpoint_every_steps = o.checkpoint_every_steps;
  lm.max_memory_mb = o.max_memory_mb;
  const auto r = train::fit_lm(lm, std::cerr);
  if (r.interrupted_by) {
    fmt::print("interrupted by signal {}; the state is saved: continue with --resume\n",
               r.interrupted_by);
    return 128 + r.interrupted_by;
  }
  if (r.best_step < 0) {
    fmt::print("stopped at step {}; no validation yet; the state is saved for --resume\n", r.step);
  } else {
    fmt::print("{} at step {}; best step {} (val_loss {:.4f}, val_bpc {:.4f})\n",
               r.finished ? "finished" : "stopped", r.step, r.best_step, r.best_val_loss,
               r.best_val_bpc);
  }
  fmt::print("checkpoint: {}/model.safetensors\nmetrics: {}/metrics.jsonl\n", o.out.string(),
             o.out.string());
  if (r.finished)
    write_report(o.out,
                 [&] { return train::collect_lm_report(o.out, o.valid, o.threads, std::cerr); });
  return 0;
}

// model.type "seq2seq": the encoder-decoder loop (seq2seq_run.h) with the same flags.
int train_seq2seq(const train::FitOptions& o) {
  ATTN_CHECK(!o.epochs,
             "--epochs does not apply to an encoder-decoder (it trains for training.max_steps or "
             "training.max_minutes)");
  ATTN_CHECK(o.test.empty(), "--test does not apply to an encoder-decoder: use `attn evaluate`");
  train::Seq2SeqFitOptions s;
  s.config_file = o.config_file;
  s.train = o.train;
  s.valid = o.valid;
  s.train_target = o.train_target;
  s.valid_target = o.valid_target;
  s.out = o.out;
  s.seed = o.seed;
  s.threads = o.threads;
  s.resume = o.resume;
  s.max_steps = o.max_steps;
  s.log_every = o.log_every;
  s.progress_tty = o.progress_tty;
  s.on_nan = o.on_nan;
  s.precision = o.precision;
  s.checkpoint_every_steps = o.checkpoint_every_steps;
  s.max_memory_mb = o.max_memory_mb;
  const auto r = train::fit_seq2seq(s, std::cerr);
  if (r.interrupted_by) {
    fmt::print("interrupted by signal {}; the state is saved: continue with --resume\n",
               r.interrupted_by);
    return 128 + r.interrupted_by;
  }
  if (r.best_step < 0) {
    fmt::print("stopped at step {}; no validation yet; the state is saved for --resume\n", r.step);
  } else {
    fmt::print("{} at step {}; best step {} (val_loss {:.4f})\n",
               r.finished ? "finished" : "stopped", r.step, r.best_step, r.best_val_loss);
  }
  fmt::print("checkpoint: {}/model.safetensors\nmetrics: {}/metrics.jsonl\n", o.out.string(),
             o.out.string());
  // The report decodes the validation pairs: from a TSV only (aligned files are not read
  // here), and it says so when there is none.
  if (r.finished)
    write_report(o.out, [&] {
      return train::collect_seq2seq_report(o.out, o.valid_target.empty() ? o.valid : "", o.threads,
                                           std::cerr);
    });
  return 0;
}

}  // namespace

void add_train(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand("train", "train a classifier or a decoder LM from a JSON config");
  auto opt = std::make_shared<train::FitOptions>();
  auto epochs = std::make_shared<std::int64_t>(0);
  auto seed = std::make_shared<std::int64_t>(-1);
  cmd->add_option("--config", opt->config_file, "model + training config (JSON)");
  cmd->add_option("--train", opt->train, "training data (.jsonl, .tsv or folder per label)")
      ->required();
  cmd->add_option("--valid", opt->valid, "validation data")->required();
  cmd->add_option("--train-target", opt->train_target,
                  "encoder-decoder: target side aligned line by line with --train (else --train "
                  "is a source<TAB>target TSV)");
  cmd->add_option("--valid-target", opt->valid_target,
                  "encoder-decoder: target side aligned with --valid");
  cmd->add_option("--test", opt->test, "test data, evaluated with the best weights at the end");
  cmd->add_option("--out", opt->out, "run directory (checkpoints, metrics)")->required();
  cmd->add_option("--epochs", *epochs, "override training.epochs")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", *seed, "override training.seed")->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", opt->threads, "threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-steps", opt->max_steps, "stop after N optimizer steps (state is saved)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--log-every", opt->log_every, "steps between lines of RUN/steps.jsonl")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--resume", opt->resume, "continue the run saved in --out exactly");
  auto on_nan = std::make_shared<std::string>();
  auto save_every = std::make_shared<std::int64_t>(-1);
  auto precision = std::make_shared<std::string>();
  cmd->add_option("--precision", *precision,
                  "matrix products in f32 or bf16 (bfloat16 inputs, f32 sums and weights; "
                  "AVX-512 BF16 CPUs, else f32); overrides training.precision")
      ->check(CLI::IsMember({"f32", "bf16"}));
  cmd->add_option("--on-nan", *on_nan,
                  "non-finite loss or gradient: stop (default) or skip the update")
      ->check(CLI::IsMember({"stop", "skip"}));
  cmd->add_option("--save-every", *save_every,
                  "also save the resumable state every N steps (training.checkpoint_every_steps)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-memory", opt->max_memory_mb,
                  "memory budget in MiB for the pre-flight estimate (default: what is available; "
                  "0: no check)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&run, opt, epochs, seed, on_nan, save_every, precision] {
    if (opt->config_file.empty() && !opt->resume)
      throw CLI::RequiredError("--config (required unless --resume)");
    if (*epochs > 0) opt->epochs = *epochs;
    if (*seed >= 0) opt->seed = static_cast<std::uint64_t>(*seed);
    if (!on_nan->empty()) opt->on_nan = *on_nan;
    if (!precision->empty()) opt->precision = *precision;
    if (*save_every >= 0) opt->checkpoint_every_steps = *save_every;
    opt->progress_tty = ::isatty(STDERR_FILENO) != 0;
    run = [opt] {
      train::install_stop_handlers();
      if (opt->config_file.empty() ? train::is_lm_run(opt->out)
                                   : train::is_lm_config_file(opt->config_file))
        return train_lm(*opt);
      if (opt->config_file.empty() ? train::is_seq2seq_run(opt->out)
                                   : train::is_seq2seq_config_file(opt->config_file))
        return train_seq2seq(*opt);
      ATTN_CHECK(opt->train_target.empty() && opt->valid_target.empty(),
                 "--train-target / --valid-target apply to encoder-decoder runs only");
      const auto result = train::fit_classifier(*opt, std::cerr);
      if (result.interrupted_by) {
        fmt::print("interrupted by signal {}; the state is saved: continue with --resume\n",
                   result.interrupted_by);
        return 128 + result.interrupted_by;  // the shell convention: 130 for SIGINT, 143 SIGTERM
      }
      if (result.best_epoch < 0) {
        fmt::print("no epoch finished yet; the state is saved for --resume\n");
      } else {
        fmt::print("best epoch: {} (val_loss {:.4f}, val_accuracy {:.4f})\n", result.best_epoch,
                   result.best_valid.loss, result.best_valid.accuracy);
      }
      if (result.test) {
        const auto& t = *result.test;
        fmt::print("test: {}\n", format_metrics_table(t.binary, t.loss));
      }
      fmt::print("checkpoint: {}/model.safetensors\nmetrics: {}/metrics.jsonl\n", opt->out.string(),
                 opt->out.string());
      const auto& data = opt->test.empty() ? opt->valid : opt->test;
      write_report(opt->out,
                   [&] { return train::collect_classifier_report(opt->out, data, opt->threads); });
      return 0;
    };
  });
}

}  // namespace attn::cli

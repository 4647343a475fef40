#include <fstream>
#include <iostream>

#include "attn/core/error.h"
#include "attn/core/thread_pool.h"
#include "attn/io/atomic_file.h"
#include "attn/train/classifier_run.h"
#include "attn/train/lm_run.h"
#include "attn/train/seq2seq_eval.h"
#include "commands.h"

namespace attn::cli {

namespace {

// model.type "seq2seq": loss on the pairs, then the run's metrics on decoded output.
template <typename Args>
int evaluate_seq2seq(const Args& a) {
  ThreadPool::set_num_threads(a.threads > 0 ? a.threads : ThreadPool::default_threads());
  const train::LoadedSeq2Seq run = train::open_seq2seq_run(a.checkpoint);
  generate::TranslateOptions opt = train::translate_options(run);
  if (a.beam > 0) opt.beam = a.beam;
  const auto r = train::evaluate_seq2seq(run, read_parallel_tsv(a.data), opt);
  if (!a.hypotheses.empty()) {
    std::string text;
    for (const auto& h : r.hypotheses) text += h + "\n";
    write_file_atomic(a.hypotheses, text);
  }
  if (a.json) {
    fmt::print("{}\n", r.to_json().dump());
    return 0;
  }
  fmt::print("{}: {} pairs, {} distinct sources; loss {:.4f} nats/token, perplexity {:.3f}\n",
             a.data.string(), r.pairs, r.sentences, r.loss, r.perplexity);
  for (const auto& [name, score] : r.metrics) {
    const auto d = r.details.find(name);
    fmt::print("{} (beam {}): {:.2f}{}\n", name, r.beam, score,
               d == r.details.end() ? "" : "  " + d->second);
  }
  return 0;
}

}  // namespace

void add_evaluate(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand("evaluate", "evaluate a trained run on labelled data");
  struct Args {
    std::filesystem::path checkpoint, data;
    bool json = false;
    int threads = 0;
    int beam = 0;  // seq2seq: 0 = the run's decoding.beam
    std::filesystem::path hypotheses;
    double dynamic_lr = 0;  // decoder LM: > 0 = dynamic evaluation
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--checkpoint", a->checkpoint, "run directory written by `attn train`")
      ->required();
  cmd->add_option("--data", a->data,
                  "labelled data (.jsonl, .tsv or folder per label); UTF-8 text for a decoder LM")
      ->required();
  cmd->add_flag("--json", a->json, "print one JSON object instead of a table");
  cmd->add_option("--threads", a->threads, "threads (default: all cores)");
  cmd->add_option("--beam", a->beam, "encoder-decoder: beam size (1 = greedy)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--hypotheses", a->hypotheses,
                  "encoder-decoder: also write each source's best hypothesis, one per line");
  cmd->add_option("--dynamic-lr", a->dynamic_lr,
                  "decoder LM: dynamic evaluation (Krause et al. 2018): after scoring each "
                  "window, one SGD step of this size on it, so the model adapts to the text "
                  "already scored (the run on disk is unchanged)")
      ->check(CLI::PositiveNumber);
  cmd->callback([&run, a] {
    run = [a] {
      // A missing run is reported by the loader below, not as the wrong kind of model.
      ATTN_CHECK(a->dynamic_lr == 0 || !std::filesystem::exists(a->checkpoint / "config.json") ||
                     train::is_lm_run(a->checkpoint),
                 "--dynamic-lr applies to decoder language models only; {} is not one",
                 a->checkpoint.string());
      if (train::is_seq2seq_run(a->checkpoint)) return evaluate_seq2seq(*a);
      if (train::is_lm_run(a->checkpoint)) {
        const auto r =
            train::evaluate_lm(a->checkpoint, a->data, a->threads, std::cerr, a->dynamic_lr);
        if (a->json) {
          fmt::print("{}\n", r.to_json().dump());
        } else {
          fmt::print(
              "{}: loss {:.4f} nats/token, perplexity {:.3f}, {:.4f} bits/char ({} characters; "
              "window {}, stride {}{})\n",
              a->data.string(), r.loss, r.perplexity, r.bits_per_char, r.characters, r.window,
              r.stride,
              r.dynamic_lr > 0 ? fmt::format("; dynamic evaluation, lr {}", r.dynamic_lr) : "");
        }
        return 0;
      }
      const auto r = train::evaluate_classifier(a->checkpoint, a->data, a->threads);
      if (a->json) {
        fmt::print("{}\n", r.to_json().dump());
      } else if (r.is_binary) {
        fmt::print("{} ({} examples, positive class \"{}\")\n{}", a->data.string(), r.n,
                   r.positive_label, format_metrics_table(r.binary, r.loss));
      } else {
        fmt::print("{}: accuracy {:.4f} loss {:.4f} n {}\n", a->data.string(), r.accuracy, r.loss,
                   r.n);
      }
      return 0;
    };
  });
}

}  // namespace attn::cli

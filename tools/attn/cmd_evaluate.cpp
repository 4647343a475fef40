#include <iostream>

#include "attn/train/classifier_run.h"
#include "attn/train/lm_run.h"
#include "commands.h"

namespace attn::cli {

void add_evaluate(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand("evaluate", "evaluate a trained run on labelled data");
  struct Args {
    std::filesystem::path checkpoint, data;
    bool json = false;
    int threads = 0;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--checkpoint", a->checkpoint, "run directory written by `attn train`")
      ->required();
  cmd->add_option("--data", a->data,
                  "labelled data (.jsonl, .tsv or folder per label); UTF-8 text for a decoder LM")
      ->required();
  cmd->add_flag("--json", a->json, "print one JSON object instead of a table");
  cmd->add_option("--threads", a->threads, "threads (default: all cores)");
  cmd->callback([&run, a] {
    run = [a] {
      if (train::is_lm_run(a->checkpoint)) {
        const auto r = train::evaluate_lm(a->checkpoint, a->data, a->threads, std::cerr);
        if (a->json) {
          fmt::print("{}\n", r.to_json().dump());
        } else {
          fmt::print(
              "{}: loss {:.4f} nats/token, perplexity {:.3f}, {:.4f} bits/char ({} characters; "
              "window {}, stride {})\n",
              a->data.string(), r.loss, r.perplexity, r.bits_per_char, r.characters, r.window,
              r.stride);
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

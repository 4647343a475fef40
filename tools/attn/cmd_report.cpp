#include <iostream>

#include "attn/train/lm_report_collect.h"
#include "attn/train/lm_run.h"
#include "attn/train/report_collect.h"
#include "attn/train/seq2seq_report_collect.h"
#include "attn/train/seq2seq_run.h"
#include "attn/viz/training_report.h"
#include "commands.h"

namespace attn::cli {

void add_report(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand(
      "report",
      "write a run's training report: a self-contained HTML page (curves, evaluation, "
      "attention)");
  struct Args {
    std::filesystem::path run, data, out;
    int threads = 0;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--run", a->run, "run directory written by `attn train`")->required();
  cmd->add_option("--data", a->data,
                  "classifier: labelled data for the confusion matrix, worst examples and "
                  "attention views; LM: a text file for bits per character and sample prompts; "
                  "encoder-decoder: a source<TAB>target file for the metrics and sample outputs");
  cmd->add_option("--out", a->out, "the HTML file to write (default: RUN/report.html)");
  cmd->add_option("--threads", a->threads, "threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&run, a] {
    run = [a] {
      const auto out = a->out.empty() ? a->run / "report.html" : a->out;
      const auto data = train::is_lm_run(a->run)
                            ? train::collect_lm_report(a->run, a->data, a->threads, std::cerr)
                        : train::is_seq2seq_run(a->run)
                            ? train::collect_seq2seq_report(a->run, a->data, a->threads, std::cerr)
                            : train::collect_classifier_report(a->run, a->data, a->threads);
      viz::write_training_report(data, out);
      fmt::print("report: {}\n", out.string());
      return 0;
    };
  });
}

}  // namespace attn::cli

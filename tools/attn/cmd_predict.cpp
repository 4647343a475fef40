#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "attn/train/classifier_run.h"
#include "commands.h"

namespace attn::cli {

void add_predict(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand("predict", "label texts with a trained run (JSONL out)");
  struct Args {
    std::filesystem::path checkpoint;
    std::string input = "-";
    int threads = 0;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--checkpoint", a->checkpoint, "run directory written by `attn train`")
      ->required();
  cmd->add_option("--input", a->input, "JSONL with \"text\" or plain text lines; - = stdin");
  cmd->add_option("--threads", a->threads, "threads (default: all cores)");
  cmd->callback([&run, a] {
    run = [a] {
      std::vector<train::Prediction> preds;
      if (a->input == "-") {
        preds = train::predict_classifier(a->checkpoint, std::cin, "<stdin>", a->threads);
      } else {
        std::ifstream in(a->input, std::ios::binary);
        ATTN_CHECK(in.good(), "cannot read {}", a->input);
        preds = train::predict_classifier(a->checkpoint, in, a->input, a->threads);
      }
      for (const auto& p : preds)
        fmt::print("{}\n",
                   nlohmann::json{{"id", p.id}, {"label", p.label}, {"probability", p.probability}}
                       .dump());
      return 0;
    };
  });
}

}  // namespace attn::cli

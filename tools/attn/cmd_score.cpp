#include <fmt/format.h>

#include <iostream>

#include "attn/core/error.h"
#include "attn/eval/score_files.h"
#include "commands.h"

namespace attn::cli {

namespace {

constexpr const char* kScoreFooter =
    "Metrics (all in %):\n"
    "  bleu  corpus BLEU exactly as sacreBLEU's default (13a tokens, exp smoothing, max order 4)\n"
    "  chrf  corpus chrF2 exactly as sacreBLEU's default (char order 6, whitespace removed)\n"
    "  wer   share of lines whose hypothesis equals no reference after whitespace\n"
    "        normalisation: the G2P word error rate, one word per line\n"
    "  per   summed token edit distance to the closest reference / summed length of those\n"
    "        references: phoneme error rate for space-separated phonemes, classical WER\n"
    "        for space-separated words\n"
    "All files need the same number of lines. An empty reference line is an empty reference\n"
    "for bleu/chrf (as in sacreBLEU) and means 'no reference from this file' for wer/per.";

struct ScoreArgs {
  std::string metric;
  std::filesystem::path hyp;
  std::vector<std::filesystem::path> refs;
  bool json = false;
};

}  // namespace

void add_score(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand(
      "score", "score hypotheses against references: BLEU, chrF (as sacreBLEU), WER, PER");
  cmd->footer(kScoreFooter);
  auto args = std::make_shared<ScoreArgs>();
  cmd->add_option("--metric", args->metric, "bleu | chrf | wer | per")
      ->required()
      ->check(CLI::IsMember(score_metric_names()));
  cmd->add_option("--hyp", args->hyp, "hypotheses, one per line ('-' reads stdin)")->required();
  cmd->add_option("--ref", args->refs, "references, one per line (repeat for several)")->required();
  cmd->add_flag("--json", args->json, "print one JSON object with the score and its details");
  cmd->callback([&run, args] {
    run = [args] {
      std::vector<ScoreInput> refs;
      for (const auto& path : args->refs) {
        ATTN_CHECK(path != "-", "--ref - : only --hyp may read stdin");
        refs.push_back(read_score_input(path, std::cin));
      }
      const ScoreInput hyp = read_score_input(args->hyp, std::cin);
      const ScoreReport report = score_lines(args->metric, hyp, refs);
      fmt::print("{}\n", args->json ? report.json : report.text);
      return 0;
    };
  });
}

}  // namespace attn::cli

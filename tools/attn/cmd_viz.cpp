#include <optional>

#include "attn/train/attention_capture.h"
#include "attn/train/lm_attention_capture.h"
#include "attn/train/lm_run.h"
#include "attn/train/seq2seq_attention_capture.h"
#include "attn/viz/attention_html.h"
#include "attn/viz/attention_png.h"
#include "commands.h"

namespace attn::cli {

void add_viz(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand(
      "viz", "run a trained model on a text and write its attention maps (HTML, optional PNGs)");
  struct Args {
    std::filesystem::path checkpoint, out, png;
    std::string text;
    std::optional<std::string> text_pair;
    int threads = 0;
    std::int64_t max_new_tokens = 40;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--checkpoint", a->checkpoint, "run directory written by `attn train`")
      ->required();
  cmd->add_option("--text", a->text, "the input text")->required();
  cmd->add_option("--text-pair", a->text_pair, "second input (models with two inputs)");
  cmd->add_option("--out", a->out, "the HTML file to write (self-contained)")->required();
  cmd->add_option("--png", a->png, "also write one heatmap PNG per layer x head here");
  cmd->add_option("--threads", a->threads, "threads (default: all cores)");
  cmd->add_option("--max-new-tokens", a->max_new_tokens,
                  "decoder LMs: tokens to continue the text greedily (shown with the prompt)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&run, a] {
    run = [a] {
      const bool lm = train::is_lm_run(a->checkpoint);
      const bool seq2seq = train::is_seq2seq_run(a->checkpoint);
      ATTN_CHECK(!((lm || seq2seq) && a->text_pair),
                 "{}: {} reads one text; --text-pair is for models with two inputs",
                 a->checkpoint.string(), lm ? "a decoder LM" : "an encoder-decoder");
      const auto cap =
          lm ? train::capture_lm_attention(a->checkpoint, a->text, a->max_new_tokens, a->threads)
          : seq2seq ? train::capture_seq2seq_attention(a->checkpoint, a->text, a->threads)
                    : train::capture_classifier_attention(a->checkpoint, a->text, a->text_pair,
                                                          a->threads);
      viz::write_attention_html(cap, a->out);
      fmt::print("wrote {} ({} heads, {} tokens)\n", a->out.string(), cap.total_heads(),
                 cap.total_tokens());
      if (!a->png.empty()) {
        const auto files = viz::write_attention_pngs(cap, a->png);
        fmt::print("wrote {} PNGs to {}\n", files.size(), a->png.string());
      }
      return 0;
    };
  });
}

}  // namespace attn::cli

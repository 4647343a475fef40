#include "attn/io/atomic_file.h"
#include "attn/viz/explain.h"
#include "attn/viz/explain_format.h"
#include "commands.h"

namespace attn::cli {

void add_explain(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand(
      "explain", "print a worked example of scaled dot-product attention on a tiny input");
  auto opt = std::make_shared<viz::ExplainOptions>();
  auto html = std::make_shared<std::string>();
  auto precision = std::make_shared<int>(3);
  cmd->add_option("--tokens", opt->tokens, "words separated by spaces (1 to 16)")
      ->capture_default_str();
  cmd->add_option("--d-model", opt->d_model, "model width d_model")->capture_default_str();
  cmd->add_option("--heads", opt->heads, "attention heads (must divide d_model)")
      ->capture_default_str();
  cmd->add_option("--seed", opt->seed, "seed of the embeddings and weights")->capture_default_str();
  cmd->add_flag("--causal", opt->causal, "apply a causal mask (token i sees tokens 1..i)");
  cmd->add_flag("--positions", opt->positions, "add sinusoidal positional encodings");
  cmd->add_option("--precision", *precision, "decimals printed")->capture_default_str();
  cmd->add_option("--html", *html, "write the explanation as a self-contained HTML page");
  cmd->callback([&run, opt, html, precision] {
    run = [opt, html, precision] {
      viz::check_precision(*precision);
      const viz::Explanation e = viz::explain(*opt);
      if (html->empty()) {
        fmt::print("{}", viz::format_text(e, *precision));
      } else {
        write_file_atomic(*html, viz::format_html(e, *precision));
        fmt::print("attn: wrote {}\n", *html);
      }
      return 0;
    };
  });
}

}  // namespace attn::cli

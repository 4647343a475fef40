#pragma once
// Each subcommand registers its flags on the app and sets `run` to the action
// that main() invokes after parsing. Glue only: the work is in libattn.
#include <CLI/CLI.hpp>
#include <functional>

namespace attn::cli {

using Action = std::function<int()>;

void add_train(CLI::App& app, Action& run);
void add_evaluate(CLI::App& app, Action& run);
void add_predict(CLI::App& app, Action& run);
void add_summary(CLI::App& app, Action& run);
void add_data(CLI::App& app, Action& run);
void add_explain(CLI::App& app, Action& run);
void add_viz(CLI::App& app, Action& run);
void add_generate(CLI::App& app, Action& run);
void add_report(CLI::App& app, Action& run);
void add_tokenizer(CLI::App& app, Action& run);
void add_translate(CLI::App& app, Action& run);
void add_score(CLI::App& app, Action& run);

}  // namespace attn::cli

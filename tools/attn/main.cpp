// attn: the command-line program. Maps attn::Error (bad input) to exit code 2
// and any other failure to exit code 1, printing one line "attn: error: ...".
#include <fmt/format.h>

#include <csignal>
#include <exception>

#include "attn/core/error.h"
#include "commands.h"

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f), write() then fails with EFBIG and the
  // save reports it, instead of the process being killed mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"attn: build, train, evaluate, run and inspect Transformer models on CPU"};
  app.set_version_flag("--version", "attn 0.1.0");
  app.require_subcommand(1);
  attn::cli::Action run;
  attn::cli::add_train(app, run);
  attn::cli::add_evaluate(app, run);
  attn::cli::add_predict(app, run);
  attn::cli::add_summary(app, run);
  attn::cli::add_data(app, run);
  attn::cli::add_explain(app, run);
  attn::cli::add_viz(app, run);
  attn::cli::add_generate(app, run);
  attn::cli::add_report(app, run);
  attn::cli::add_tokenizer(app, run);
  attn::cli::add_translate(app, run);
  attn::cli::add_score(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "attn: error: {}\n", e.what());
    return 2;
  }
  try {
    return run ? run() : 0;
  } catch (const attn::Error& e) {
    fmt::print(stderr, "attn: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "attn: error: internal: {}\n", e.what());
    return 1;
  }
}

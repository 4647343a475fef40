// `attn train` writes RUN/report.html; `attn report` writes a report for a run
// and a data file, and rejects bad input (exit 2, one clear line).
#include <filesystem>

#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

// One trained run shared by this file's tests (training takes a moment).
const TinyCorpus& trained() {
  static const TinyCorpus c = [] {
    TinyCorpus t = make_tiny_corpus("report_cli");
    const auto r = run_cli(fmt::format(
        "train --config '{}' --train '{}' --valid '{}' --test '{}' --out '{}' --threads 2",
        t.config.string(), t.train.string(), t.valid.string(), t.test.string(),
        (t.dir / "run").string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("report: " + (t.dir / "run/report.html").string()), std::string::npos)
        << r.out;
    return t;
  }();
  return c;
}

TEST(ReportCli, TrainWritesTheReport) {
  const auto& c = trained();
  const std::string html = read_file(c.dir / "run/report.html");
  EXPECT_NE(html.find("training report"), std::string::npos);
  // Made with --test: 40 test examples, named in the evaluation section.
  EXPECT_NE(html.find(c.test.string()), std::string::npos);
  EXPECT_NE(html.find("<table class=\"confusion\">"), std::string::npos);
}

TEST(ReportCli, ReportForAnotherDataFile) {
  const auto& c = trained();
  const fs::path out = c.dir / "valid_report.html";
  const auto r = run_cli(fmt::format("report --run '{}' --data '{}' --out '{}' --threads 2",
                                     (c.dir / "run").string(), c.valid.string(), out.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "report: " + out.string() + "\n");
  const std::string html = read_file(out);
  EXPECT_NE(html.find(c.valid.string()), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
}

TEST(ReportCli, DefaultOutIsInTheRunWithoutData) {
  const auto& c = trained();
  const fs::path run = c.dir / "run";
  fs::remove(run / "report.html");
  const auto r = run_cli(fmt::format("report --run '{}'", run.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = read_file(run / "report.html");
  EXPECT_NE(html.find("No data file was given"), std::string::npos);
  EXPECT_EQ(html.find("<table class=\"confusion\">"), std::string::npos);
}

TEST(ReportCli, MissingRunDirectory) {
  const fs::path dir = make_temp_dir("report_cli_missing");
  const auto r = run_cli(fmt::format("report --run '{}' --out '{}'", (dir / "nope").string(),
                                     (dir / "r.html").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("attn: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "r.html"));
}

TEST(ReportCli, UnreadableData) {
  const auto& c = trained();
  const fs::path missing = c.dir / "missing.jsonl";
  const auto r =
      run_cli(fmt::format("report --run '{}' --data '{}' --out '{}'", (c.dir / "run").string(),
                          missing.string(), (c.dir / "bad.html").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.jsonl"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(c.dir / "bad.html"));
}

TEST(ReportCli, UnwritableOut) {
  const auto& c = trained();
  const fs::path out = c.dir / "no_such_dir" / "r.html";
  const auto r =
      run_cli(fmt::format("report --run '{}' --out '{}'", (c.dir / "run").string(), out.string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("attn: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("r.html"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace attn::test

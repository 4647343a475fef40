// `attn viz` bad inputs: one test each, exit code 2 with one clear
// "attn: error:" line, and no output file left behind.
#include "test_util.h"
#include "viz/viz_test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

class VizCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { run_ = new fs::path(train_tiny_run("viz_cli")); }
  static void TearDownTestSuite() {
    delete run_;
    run_ = nullptr;
  }
  void SetUp() override { out_ = make_temp_dir("viz_cli_out"); }
  static CliResult viz(const std::string& args) { return run_cli("viz " + args); }
  static void expect_error(const CliResult& r, const std::string& needle) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("attn: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "want " << needle << " in: " << r.err;
  }
  static fs::path* run_;
  fs::path out_;
};
fs::path* VizCli::run_ = nullptr;

TEST_F(VizCli, WritesPageForAGoodInput) {
  const auto r = viz(fmt::format("--checkpoint '{}' --text 'free cash' --out '{}'", run_->string(),
                                 (out_ / "a.html").string()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_file(out_ / "a.html").find("free"), std::string::npos);
}

TEST_F(VizCli, LongTextIsTruncatedWithAVisibleNote) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += "free cash offer ";  // 30 words, model reads 16
  const auto r = viz(fmt::format("--checkpoint '{}' --text '{}' --out '{}'", run_->string(), text,
                                 (out_ / "a.html").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("17 tokens"), std::string::npos) << r.out;  // [CLS] + 16
  EXPECT_NE(read_file(out_ / "a.html")
                .find("<p class=\"note\">The text has 30 tokens; only the first 16 went through "
                      "the model (the model reads 16).</p>"),
            std::string::npos);
}

TEST_F(VizCli, MissingCheckpointDirectory) {
  const auto missing = out_ / "no_such_run";
  expect_error(viz(fmt::format("--checkpoint '{}' --text 'free cash' --out '{}'", missing.string(),
                               (out_ / "a.html").string())),
               missing.string());
  EXPECT_FALSE(fs::exists(out_ / "a.html"));
}

TEST_F(VizCli, EmptyText) {
  expect_error(viz(fmt::format("--checkpoint '{}' --text '  ' --out '{}'", run_->string(),
                               (out_ / "a.html").string())),
               "text is empty");
  EXPECT_FALSE(fs::exists(out_ / "a.html"));
}

TEST_F(VizCli, TextPairOnAClassifier) {
  expect_error(viz(fmt::format("--checkpoint '{}' --text 'free' --text-pair 'cash' --out '{}'",
                               run_->string(), (out_ / "a.html").string())),
               "this model has one input; --text-pair is for models with two inputs");
  EXPECT_FALSE(fs::exists(out_ / "a.html"));
}

TEST_F(VizCli, UnwritableOutput) {
  const auto bad = out_ / "no_such_dir" / "a.html";
  expect_error(viz(fmt::format("--checkpoint '{}' --text 'free cash' --out '{}'", run_->string(),
                               bad.string())),
               bad.string());
}

}  // namespace
}  // namespace attn::test

// The decoder-LM side of `attn viz` and the training report: a tiny character
// LM trained by `attn train` writes report.html with bits per character, three
// samples and two attention views; `attn viz` continues a text greedily and
// shows causal maps whose continuation equals `attn generate --temperature 0`.
#include <nlohmann/json.hpp>

#include "attn/core/tensor.h"
#include "attn/train/lm_attention_capture.h"
#include "attn/viz/training_report.h"
#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

class LmReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new LmCliData(make_lm_cli_data("lm_report"));
    run_ = new fs::path(data_->dir / "run");
    train_ = new CliResult(run_cli(lm_train_args(*data_, *run_)));
  }
  static void TearDownTestSuite() {
    delete data_;
    delete run_;
    delete train_;
  }
  static LmCliData* data_;
  static fs::path* run_;
  static CliResult* train_;
};
LmCliData* LmReport::data_ = nullptr;
fs::path* LmReport::run_ = nullptr;
CliResult* LmReport::train_ = nullptr;

TEST_F(LmReport, TrainWritesTheReport) {
  ASSERT_EQ(train_->exit_code, 0) << train_->err;
  EXPECT_NE(train_->out.find("report: "), std::string::npos) << train_->out;
  const std::string html = read_file(*run_ / "report.html");
  EXPECT_NE(html.find("decoder LM &ldquo;tiny_lm&rdquo;"), std::string::npos);
  // Evaluated on the validation file: 300 characters, windows of 16 moving 8.
  EXPECT_NE(html.find("(300 characters, 300 tokens, every token scored once by windows of 16 "
                      "tokens moving 8)"),
            std::string::npos);
  EXPECT_NE(html.find("data-metric=\"bits_per_char\""), std::string::npos);
  EXPECT_EQ(count_occurrences(html, "<pre class=\"sample\">"), 3u);
  EXPECT_NE(html.find("<b><i>(start token)</i> </b>"), std::string::npos);
  EXPECT_NE(html.find("<b>in the beginning </b>"), std::string::npos);  // first words of valid
  EXPECT_EQ(count_occurrences(html, "class=\"attn-view\""), 2u);
  // Two validations (steps 6 and 12), the bits-per-character charts and no accuracy chart.
  EXPECT_NE(html.find("<td>6"), std::string::npos);
  EXPECT_NE(html.find("<td>12"), std::string::npos);
  EXPECT_NE(html.find("data-chart=\"bpc-step\""), std::string::npos);
  EXPECT_NE(html.find("data-chart=\"bpc-time\""), std::string::npos);
  EXPECT_EQ(html.find("data-chart=\"accuracy-step\""), std::string::npos);
}

TEST_F(LmReport, ReportIsReproducible) {
  ASSERT_EQ(train_->exit_code, 0) << train_->err;
  const fs::path out = make_temp_dir("lm_report_again") / "r.html";
  const auto r = run_cli(fmt::format("report --run '{}' --data '{}' --out '{}' --threads 2",
                                     run_->string(), data_->valid.string(), out.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Same weights, same seed: the same samples, whatever the thread count.
  EXPECT_EQ(read_file(out), read_file(*run_ / "report.html"));
}

TEST_F(LmReport, WithoutDataTheSamplesStartFromTheStartToken) {
  ASSERT_EQ(train_->exit_code, 0) << train_->err;
  const fs::path out = make_temp_dir("lm_report_nodata") / "r.html";
  const auto r = run_cli(fmt::format("report --run '{}' --out '{}'", run_->string(), out.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = read_file(out);
  EXPECT_NE(html.find("No text file was given"), std::string::npos);
  EXPECT_EQ(count_occurrences(html, "<b><i>(start token)</i> </b>"), 3u);
  EXPECT_EQ(count_occurrences(html, "class=\"attn-view\""),
            1u);  // one distinct prompt, one greedy view
}

TEST_F(LmReport, VizContinuesTheTextWithinTheContext) {
  ASSERT_EQ(train_->exit_code, 0) << train_->err;
  const fs::path dir = make_temp_dir("lm_viz");
  // "in the" is 6 tokens; 40 new tokens would pass block_size 16, so 10 are generated.
  auto r = run_cli(fmt::format("viz --checkpoint '{}' --text 'in the' --out '{}'", run_->string(),
                               (dir / "a.html").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(2 heads, 16 tokens)"), std::string::npos) << r.out;
  r = run_cli(fmt::format("viz --checkpoint '{}' --text 'in the' --max-new-tokens 3 --out '{}'",
                          run_->string(), (dir / "b.html").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(2 heads, 9 tokens)"), std::string::npos) << r.out;
  EXPECT_NE(read_file(dir / "b.html").find("greedy continuation (3 tokens)"), std::string::npos);
}

TEST_F(LmReport, VizRejectsATextPair) {
  ASSERT_EQ(train_->exit_code, 0) << train_->err;
  const auto r =
      run_cli(fmt::format("viz --checkpoint '{}' --text a --text-pair b --out '{}'", run_->string(),
                          (make_temp_dir("lm_viz_pair") / "x.html").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("a decoder LM reads one text"), std::string::npos) << r.err;
}

TEST_F(LmReport, CaptureIsCausalAndMatchesGreedyGeneration) {
  ASSERT_EQ(train_->exit_code, 0) << train_->err;
  ThreadGuard threads;
  const auto cap = train::capture_lm_attention(*run_, "in the", 5, 1);
  const auto gen = run_cli(
      fmt::format("generate --checkpoint '{}' --prompt 'in the' --max-new-tokens 5 --temperature 0",
                  run_->string()));
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  EXPECT_EQ("in the" + cap.generated_text + "\n", gen.out);
  ASSERT_EQ(cap.sequences.size(), 1u);
  ASSERT_EQ(cap.sequences[0].tokens.size(), 11u);
  ASSERT_EQ(cap.maps.size(), 1u);
  const Tensor& w = cap.maps[0].weights;  // [H, T, T]
  const float* p = w.data_as<float>();
  const std::int64_t t = w.dim(1);
  for (std::int64_t h = 0; h < w.dim(0); ++h)
    for (std::int64_t i = 0; i < t; ++i) {
      double row = 0;
      for (std::int64_t j = 0; j < t; ++j) {
        const float v = p[(h * t + i) * t + j];
        if (j > i) {
          EXPECT_EQ(v, 0.0f) << "head " << h << " query " << i << " sees key " << j;
        }
        row += v;
      }
      EXPECT_NEAR(row, 1.0, 1e-5);
    }
}

TEST_F(LmReport, LongPromptKeepsItsEnd) {
  ASSERT_EQ(train_->exit_code, 0) << train_->err;
  ThreadGuard threads;
  const auto cap = train::capture_lm_attention(*run_, "in the beginning was the word in the", 4, 1);
  EXPECT_EQ(cap.sequences[0].tokens.size(), 16u);
  EXPECT_NE(cap.note.find("The prompt has 36 tokens; the view shows its last 12"),
            std::string::npos)
      << cap.note;
  EXPECT_EQ(cap.sequences[0].tokens[11], "e");  // "...in the": the prompt's last character
}

TEST_F(LmReport, NegativeNewTokensIsAnError) {
  ASSERT_EQ(train_->exit_code, 0) << train_->err;
  ThreadGuard threads;
  EXPECT_NE(error_of([&] {
              train::capture_lm_attention(*run_, "in", -1, 1);
            }).find("max_new_tokens must be >= 0"),
            std::string::npos);
}

}  // namespace
}  // namespace attn::test

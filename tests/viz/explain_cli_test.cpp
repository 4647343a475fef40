// `attn explain` end to end: headings, flags, the HTML page, and one test per
// bad input (exit code 2 with a message naming the problem).
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace attn::test {
namespace {

void expect_all_steps(const std::string& out) {
  for (const char* h :
       {"Setup", "Step 1. Embeddings X", "Step 2. Projections", "Step 3. Scores S = Q·Kᵀ",
        "Step 4. Scale by 1/√d_k", "Step 5. Mask", "Step 6. Softmax, row by row",
        "Step 7. Weighted sum of values", "Step 8. Concatenate the heads"})
    EXPECT_NE(out.find(h), std::string::npos) << "missing heading: " << h << "\n" << out;
}

TEST(ExplainCli, DefaultRunPrintsEveryStep) {
  const auto r = run_cli("explain");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_all_steps(r.out);
  EXPECT_NE(r.out.find("\"the\", \"cat\", \"sat\""), std::string::npos);
  EXPECT_NE(r.out.find("softmax([1, 2, 3]) = [0.090, 0.245, 0.665]"), std::string::npos);
  EXPECT_NE(r.out.find("No mask here"), std::string::npos);
}

TEST(ExplainCli, CausalMultiHeadWithPositions) {
  const auto r = run_cli(
      "explain --tokens 'to be or not' --d-model 6 --heads 3 --seed 7 --causal --positions "
      "--precision 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_all_steps(r.out);
  EXPECT_NE(r.out.find("M (0 = may attend, -inf = masked)"), std::string::npos);
  EXPECT_NE(r.out.find("-inf"), std::string::npos);
  EXPECT_NE(r.out.find("P (sinusoidal positions)"), std::string::npos);
  EXPECT_NE(r.out.find("A_3 = softmax(S_3/√d_k + M)"), std::string::npos);
  EXPECT_NE(r.out.find("concat = [O_1 | … | O_3]"), std::string::npos);
  EXPECT_NE(r.out.find("softmax([1, 2, 3]) = [0.09, 0.24, 0.67]"), std::string::npos);
}

TEST(ExplainCli, HtmlPageIsWrittenAndSelfContained) {
  const auto dir = make_temp_dir("explain_html");
  const auto page = dir / "explain.html";
  const auto r = run_cli("explain --heads 2 --causal --html '" + page.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(std::filesystem::exists(page));
  const std::string html = read_file(page);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("<table>"), std::string::npos);
  EXPECT_NE(html.find("softmax([1, 2, 3]) = [0.090, 0.245, 0.665]"), std::string::npos);
  for (const char* bad : {"http://", "https://", "src=", "href=", "<script", "<link"})
    EXPECT_EQ(html.find(bad), std::string::npos) << "page must not load anything: " << bad;
  expect_all_steps(html);
  std::filesystem::remove_all(dir);
}

void expect_bad_input(const std::string& args, const std::string& message) {
  const auto r = run_cli("explain " + args);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("attn: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(ExplainCli, DModelNotDivisibleByHeads) {
  expect_bad_input("--d-model 5 --heads 2", "d_model 5 is not divisible by heads 2");
}

TEST(ExplainCli, ZeroHeads) {
  expect_bad_input("--heads 0", "heads (--heads) must be at least 1, got 0");
}

TEST(ExplainCli, ZeroDModel) {
  expect_bad_input("--d-model 0", "d_model (--d-model) must be at least 1, got 0");
}

TEST(ExplainCli, DModelTooLarge) {
  expect_bad_input("--d-model 64", "d_model (--d-model) must be at most 32");
}

TEST(ExplainCli, EmptyTokens) { expect_bad_input("--tokens '  '", "explain: no tokens"); }

TEST(ExplainCli, TooManyTokens) {
  expect_bad_input("--tokens 'a b c d e f g h i j k l m n o p q'", "17 tokens, at most 16");
}

TEST(ExplainCli, PrecisionTooLarge) {
  expect_bad_input("--precision 9", "precision (--precision) must be 0 to 8 decimals, got 9");
}

TEST(ExplainCli, PrecisionNotANumber) { expect_bad_input("--precision three", "--precision"); }

}  // namespace
}  // namespace attn::test

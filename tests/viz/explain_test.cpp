// attn::viz::explain against PyTorch (scripts/fixtures_explain.py): every
// intermediate of the worked example, and the numbers as printed.
#include "attn/viz/explain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "attn/viz/explain_format.h"
#include "fixture.h"
#include "test_util.h"

namespace attn::viz {
namespace {

using test::Fixture;

Fixture load(const std::string& name) {
  return test::load_fixture(test::fixtures_dir() / "explain", name);
}

ExplainInputs fixture_inputs(const Fixture& fx) {
  ExplainInputs in;
  in.tokens = fx.params.at("tokens").get<std::vector<std::string>>();
  in.heads = fx.params.at("heads").get<std::int64_t>();
  in.causal = fx.params.at("causal").get<bool>();
  in.embeddings = fx.at("x").clone();
  in.w_q = fx.at("w_q").clone();
  in.w_k = fx.at("w_k").clone();
  in.w_v = fx.at("w_v").clone();
  in.w_o = fx.at("w_o").clone();
  in.origin = "PyTorch fixture " + fx.name;
  return in;
}

// One tensor per head [T, n] -> [H, T, n], the fixture's layout.
Tensor stack(const Explanation& e, Tensor HeadSteps::*field) {
  const Tensor& first = e.head.front().*field;
  Tensor out = Tensor::empty({e.heads, first.dim(0), first.dim(1)});
  for (std::int64_t h = 0; h < e.heads; ++h) {
    const Tensor& t = e.head[static_cast<std::size_t>(h)].*field;
    std::copy_n(t.data(), t.numel(), out.data() + h * t.numel());
  }
  return out;
}

// The titled matrix's numbers as printed (rows between " [ " and " ]").
std::vector<float> printed_matrix(const std::string& text, const std::string& title) {
  std::istringstream in(text);
  std::vector<float> values;
  bool inside = false;
  int found = 0;
  for (std::string line; std::getline(in, line);) {
    const auto start = line.find_first_not_of(' ');
    if (!inside) {
      if (start != std::string::npos && line.compare(start, title.size() + 3, title + "  [") == 0) {
        inside = true;
        ++found;
      }
      continue;
    }
    if (line.empty()) {
      inside = false;
      continue;
    }
    const auto open = line.rfind('['), close = line.rfind(']');
    if (open == std::string::npos || close == std::string::npos) continue;  // column labels
    std::istringstream cells(line.substr(open + 1, close - open - 1));
    for (std::string c; cells >> c;)
      values.push_back(c == "-inf" ? -std::numeric_limits<float>::infinity() : std::stof(c));
  }
  EXPECT_EQ(found, 1) << "matrix titled '" << title << "' should appear exactly once";
  return values;
}

// Printed values agree with `want` to the printed precision.
::testing::AssertionResult printed_close(const std::string& text, const std::string& title,
                                         const std::vector<float>& want, int precision) {
  const auto got = printed_matrix(text, title);
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << title << ": printed " << got.size() << " numbers, expected " << want.size();
  // Half a unit in the last printed place, plus slack for f32-vs-f64 rounding at a tie.
  const double tol = 0.5 * std::pow(10.0, -precision);
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (std::isinf(want[i]) && got[i] == want[i]) continue;
    if (std::abs(double(got[i]) - double(want[i])) > tol * 1.001 + 1e-6 * std::abs(want[i]))
      return ::testing::AssertionFailure()
             << title << "[" << i << "]: printed " << got[i] << ", PyTorch " << want[i];
  }
  return ::testing::AssertionSuccess();
}

// [H, T, n] fixture tensor -> head h's [T, n] values.
std::vector<float> head_slice(const Fixture& fx, const std::string& name, std::int64_t h) {
  const Tensor& t = fx.at(name);
  const std::int64_t n = t.numel() / t.dim(0);
  return {t.data() + h * n, t.data() + (h + 1) * n};
}

class ExplainFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ExplainFixture, EveryStepMatchesPyTorch) {
  const Fixture fx = load(GetParam());
  const Explanation e = explain(fixture_inputs(fx));
  EXPECT_TRUE(test::fixture_close(fx, "x", e.x));
  EXPECT_TRUE(test::fixture_close(fx, "q", e.q));
  EXPECT_TRUE(test::fixture_close(fx, "k", e.k));
  EXPECT_TRUE(test::fixture_close(fx, "v", e.v));
  EXPECT_TRUE(test::fixture_close(fx, "scores", stack(e, &HeadSteps::scores)));
  EXPECT_TRUE(test::fixture_close(fx, "scaled", stack(e, &HeadSteps::scaled)));
  EXPECT_TRUE(test::fixture_close(fx, "weights", stack(e, &HeadSteps::weights)));
  EXPECT_TRUE(test::fixture_close(fx, "out", stack(e, &HeadSteps::out)));
  EXPECT_TRUE(test::fixture_close(fx, "concat", e.concat));
  EXPECT_TRUE(test::fixture_close(fx, "y", e.y));
  const Tensor& allow = fx.at("allow");
  ASSERT_EQ(static_cast<std::int64_t>(e.allow.size()), allow.numel());
  for (std::size_t i = 0; i < e.allow.size(); ++i) {
    EXPECT_EQ(e.allow[i], allow.data_as<std::uint8_t>()[i]) << "allow[" << i << "]";
    for (const auto& h : e.head) {
      const float want = e.allow[i] ? h.scaled.data()[i] : -std::numeric_limits<float>::infinity();
      EXPECT_EQ(h.masked.data()[i], want) << "masked[" << i << "]";
    }
  }
  EXPECT_TRUE(test::all_close(Tensor::from({3}, e.softmax_demo), fx.at("softmax_demo")));
  EXPECT_LT(e.kernel_max_diff, 1e-5f);
}

TEST_P(ExplainFixture, PrintedNumbersMatchPyTorch) {
  const Fixture fx = load(GetParam());
  const Explanation e = explain(fixture_inputs(fx));
  for (int precision : {3, 5}) {
    SCOPED_TRACE("precision " + std::to_string(precision));
    const std::string text = format_text(e, precision);
    EXPECT_TRUE(printed_close(text, "X", fx.floats("x"), precision));
    EXPECT_TRUE(printed_close(text, "W_Q", fx.floats("w_q"), precision));
    EXPECT_TRUE(printed_close(text, "W_O", fx.floats("w_o"), precision));
    EXPECT_TRUE(printed_close(text, "Q = X·W_Q", fx.floats("q"), precision));
    EXPECT_TRUE(printed_close(text, "K = X·W_K", fx.floats("k"), precision));
    EXPECT_TRUE(printed_close(text, "V = X·W_V", fx.floats("v"), precision));
    for (std::int64_t h = 0; h < e.heads; ++h) {
      const std::string n = e.heads == 1 ? "" : "_" + std::to_string(h + 1);
      EXPECT_TRUE(printed_close(text, "S" + n + " = Q" + n + "·K" + n + "ᵀ",
                                head_slice(fx, "scores", h), precision));
      EXPECT_TRUE(printed_close(text, "S" + n + "/√d_k", head_slice(fx, "scaled", h), precision));
      const std::string a = "A" + n + " = softmax(S" + n + "/√d_k" + (e.causal ? " + M)" : ")");
      EXPECT_TRUE(printed_close(text, a, head_slice(fx, "weights", h), precision));
      EXPECT_TRUE(printed_close(text, "O" + n + " = A" + n + "·V" + n, head_slice(fx, "out", h),
                                precision));
      if (e.causal) {
        auto masked = head_slice(fx, "scaled", h);
        for (std::size_t i = 0; i < masked.size(); ++i)
          if (!e.allow[i]) masked[i] = -std::numeric_limits<float>::infinity();
        EXPECT_TRUE(printed_close(text, "S" + n + "/√d_k + M", masked, precision));
      }
    }
    const std::string y = e.heads == 1 ? "Y = O·W_O" : "Y = concat·W_O";
    EXPECT_TRUE(printed_close(text, y, fx.floats("y"), precision));
    if (e.heads > 1) {
      EXPECT_TRUE(printed_close(text, "concat = [O_1 | … | O_2]", fx.floats("concat"), precision));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ExplainFixture,
                         ::testing::Values("h1", "h1_causal", "h2", "h2_causal"));

TEST(Explain, SoftmaxOfOneTwoThreeLineIsPrintedAndCorrect) {
  const Explanation e = explain(ExplainOptions{});
  ASSERT_EQ(e.softmax_demo.size(), 3u);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(e.softmax_demo[std::size_t(i)], std::exp(i + 1.0) / z, 1e-6);
  const std::string text = format_text(e, 3);
  EXPECT_NE(text.find("softmax([1, 2, 3]) = [0.090, 0.245, 0.665]"), std::string::npos) << text;
  EXPECT_NE(text.find("[1/6, 1/3, 1/2] is the linear normalisation x / Σx, not softmax"),
            std::string::npos);
}

TEST(Explain, SeededWeightsAreDeterministicAndKeyedByWord) {
  ExplainOptions opt;
  opt.tokens = "the cat sat";
  const Explanation a = explain(opt), b = explain(opt);
  EXPECT_EQ(a.y.to_vector(), b.y.to_vector());
  EXPECT_EQ(format_text(a), format_text(b));
  opt.seed = 1;
  EXPECT_NE(explain(opt).y.to_vector(), a.y.to_vector());
  // "the" gets the same embedding row in another sentence (same seed).
  opt.seed = 0;
  opt.tokens = "a the";
  const Explanation c = explain(opt);
  const auto x = a.x.to_vector(), xc = c.x.to_vector();
  EXPECT_EQ(std::vector<float>(x.begin(), x.begin() + 4),
            std::vector<float>(xc.begin() + 4, xc.begin() + 8));
  // Xavier bound a = sqrt(6 / (2 * 4)).
  for (float w : a.w_q.to_vector()) EXPECT_LT(std::abs(w), std::sqrt(6.0f / 8.0f));
}

TEST(Explain, PositionsAddTheSinusoidalTable) {
  ExplainOptions opt;
  opt.positions = true;
  const Explanation e = explain(opt);
  ASSERT_TRUE(e.positions.defined());
  // Row 1 (position 1): sin(1), cos(1), sin(1/100), cos(1/100) for d_model 4.
  const float* p = e.positions.data() + 4;
  EXPECT_NEAR(p[0], std::sin(1.0), 1e-6);
  EXPECT_NEAR(p[1], std::cos(1.0), 1e-6);
  EXPECT_NEAR(p[2], std::sin(0.01), 1e-6);
  for (std::int64_t i = 0; i < e.x.numel(); ++i)
    EXPECT_FLOAT_EQ(e.x.data()[i], e.embeddings.data()[i] + e.positions.data()[i]);
  EXPECT_NE(format_text(e).find("X = E + P"), std::string::npos);
}

TEST(Explain, WeightsRowsSumToOneAndCausalRowsSeeNoFuture) {
  ExplainOptions opt;
  opt.tokens = "one two three four five";
  opt.d_model = 8;
  opt.heads = 4;
  opt.causal = true;
  const Explanation e = explain(opt);
  ASSERT_EQ(e.head.size(), 4u);
  for (const auto& h : e.head) {
    for (int i = 0; i < 5; ++i) {
      float sum = 0.0f;
      for (int j = 0; j < 5; ++j) {
        const float w = h.weights.data()[i * 5 + j];
        if (j > i) {
          EXPECT_EQ(w, 0.0f);
        }
        sum += w;
      }
      EXPECT_NEAR(sum, 1.0f, 1e-6f);
    }
  }
}

TEST(Explain, HtmlIsSelfContainedAndEscapesTokens) {
  ExplainOptions opt;
  opt.tokens = "<b>bold</b> & \"q\"";
  opt.heads = 2;
  opt.causal = true;
  const Explanation e = explain(opt);
  const std::string html = format_html(e, 3);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos) << "token text must be escaped";
  EXPECT_NE(html.find("&lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  std::size_t tables = 0, matrices = 0;
  for (auto p = html.find("<table>"); p != std::string::npos; p = html.find("<table>", p + 1))
    ++tables;
  for (const auto& s : build_doc(e, 3).sections)
    for (const auto& it : s.items) matrices += it.is_matrix();
  EXPECT_EQ(tables, matrices);
  EXPECT_NE(html.find("Step 8."), std::string::npos);
}

TEST(Explain, InputsWithWrongWeightShapeAreRejected) {
  const Fixture fx = load("h1");
  ExplainInputs in = fixture_inputs(fx);
  in.w_k = Tensor::zeros({4, 3});
  const std::string msg = test::error_of([&] { explain(in); });
  EXPECT_NE(msg.find("W_K must be f32 [4, 4]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[4, 3]"), std::string::npos) << msg;
}

TEST(Explain, PrecisionOutOfRangeIsRejected) {
  const Explanation e = explain(ExplainOptions{});
  const std::string msg = test::error_of([&] { format_text(e, 9); });
  EXPECT_NE(msg.find("precision (--precision) must be 0 to 8 decimals, got 9"), std::string::npos)
      << msg;
}

}  // namespace
}  // namespace attn::viz

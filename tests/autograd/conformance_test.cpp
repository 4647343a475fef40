// Op-level conformance with PyTorch: each test replays one fixture written by
// scripts/make_fixtures.py through an attn op on a Tape, backpropagates the
// fixture's upstream gradient `gout`, and compares the output and every input
// gradient at the f32 tolerance (relative 1e-5, floor 1e-3).
//
// The fixtures hold the float64 answer rounded to f32. A few tensors are small
// differences of O(1) terms (GELU-erf's tail, 1 + erf(x/√2) for x << 0; the
// softmax backward p·(dp - Σ p·dp) inside attention's dq, dk), where f32 itself
// cannot reach 1e-5 against a 1e-3 floor: PyTorch's own f32 result misses the
// exact answer by up to 1.8e-4 (gelu_erf y) and 6.5e-5 (attention grad.q) by this
// metric (scripts/make_fixtures.py cases; measured with torch 1.13). Those tensors,
// and only those, are compared normwise (max|got - want| / max|want|) at the same 1e-5.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "attn/autograd/ops.h"
#include "attn/kernels/softmax.h"
#include "fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

struct Named {
  const char* name;
  Variable var;
};

// Tensor names (as in the fixture) compared normwise instead of elementwise.
using Cancelling = std::set<std::string>;

::testing::AssertionResult close(const Fixture& fx, const std::string& tensor, const Tensor& got,
                                 const Cancelling& cancelling) {
  return cancelling.count(tensor) ? fixture_close_normwise(fx, tensor, got)
                                  : fixture_close(fx, tensor, got);
}

// Compares y with fx[out_name], then backprops gout and compares grad.<name> for each input.
void check_case(const Fixture& fx, Tape& tape, const Variable& y, const std::vector<Named>& ins,
                const std::string& out_name = "y", const Cancelling& cancelling = {}) {
  EXPECT_TRUE(close(fx, out_name, y.value(), cancelling));
  ASSERT_TRUE(y.requires_grad()) << fx.name << ": output does not require a gradient";
  backward_with_gout(tape, y, fx.at("gout"));
  for (const auto& [name, v] : ins) {
    ASSERT_TRUE(v.has_grad()) << fx.name << ": no gradient reached " << name;
    const std::string g = std::string("grad.") + name;
    EXPECT_TRUE(close(fx, g, v.grad(), cancelling));
  }
}

struct Recording {
  Tape tape;
  Context ctx;
  Recording() { ctx.tape = &tape; }
};

void run_linear(const std::string& case_name) {
  const Fixture fx = load_fixture(case_name);
  Recording r;
  Variable x = fixture_param(fx, "x"), w = fixture_param(fx, "w");
  Variable b = fx.has("b") ? fixture_param(fx, "b") : Variable();
  Variable y = ops::linear(r.ctx, x, w, b);
  std::vector<Named> ins{{"x", x}, {"w", w}};
  if (b.defined()) ins.push_back({"b", b});
  check_case(fx, r.tape, y, ins);
}

TEST(Conformance, Linear) { run_linear("linear"); }
TEST(Conformance, LinearNoBias) { run_linear("linear_nobias"); }

void run_layer_norm(const std::string& case_name) {
  const Fixture fx = load_fixture(case_name);
  Recording r;
  Variable x = fixture_param(fx, "x"), g = fixture_param(fx, "gamma"),
           b = fixture_param(fx, "beta");
  Variable y = ops::layer_norm(r.ctx, x, g, b, fx.params.at("eps").get<float>());
  check_case(fx, r.tape, y, {{"x", x}, {"gamma", g}, {"beta", b}});
}

TEST(Conformance, LayerNormEps1e5) { run_layer_norm("layer_norm_eps1e-5"); }
TEST(Conformance, LayerNormEps1e3) { run_layer_norm("layer_norm_eps1e-3"); }

template <typename Op>
void run_unary(const std::string& case_name, Op op, const Cancelling& cancelling = {}) {
  const Fixture fx = load_fixture(case_name);
  Recording r;
  Variable x = fixture_param(fx, "x");
  check_case(fx, r.tape, op(r.ctx, x), {{"x", x}}, "y", cancelling);
}

TEST(Conformance, GeluErf) {
  run_unary("gelu_erf",
            [](Context& c, const Variable& x) { return ops::gelu(c, x, ops::GeluApprox::none); },
            {"y"});
}
TEST(Conformance, GeluTanh) {
  run_unary("gelu_tanh",
            [](Context& c, const Variable& x) { return ops::gelu(c, x, ops::GeluApprox::tanh); });
}
TEST(Conformance, Relu) {
  run_unary("relu", [](Context& c, const Variable& x) { return ops::relu(c, x); });
}
TEST(Conformance, Sigmoid) {
  run_unary("sigmoid", [](Context& c, const Variable& x) { return ops::sigmoid(c, x); });
}

TEST(Conformance, Embedding) {
  const Fixture fx = load_fixture("embedding");
  Recording r;
  Variable table = fixture_param(fx, "table");
  Variable y = ops::embedding(r.ctx, table, fx.ids("ids"), fx.at("ids").shape());
  check_case(fx, r.tape, y, {{"table", table}});
}

// No softmax op in ops.h (attention owns its softmax), so the row kernels are
// checked against the fixture directly, fast and reference twins alike.
TEST(Conformance, SoftmaxKernels) {
  const Fixture fx = load_fixture("softmax");
  const Tensor& x = fx.at("x");
  const std::int64_t cols = x.dim(-1), rows = x.numel() / cols;
  for (bool ref : {false, true}) {
    SCOPED_TRACE(ref ? "softmax_*_ref" : "softmax_*");
    Tensor y = Tensor::empty(x.shape()), dx = Tensor::zeros(x.shape());
    (ref ? kernels::softmax_forward_ref : kernels::softmax_forward)(x.data(), y.data(), rows, cols);
    EXPECT_TRUE(fixture_close(fx, "y", y));
    (ref ? kernels::softmax_backward_ref : kernels::softmax_backward)(
        y.data(), fx.at("gout").data(), dx.data(), rows, cols);
    EXPECT_TRUE(fixture_close(fx, "grad.x", dx));
  }
}

void run_attention(const std::string& case_name) {
  const Fixture fx = load_fixture(case_name);
  Recording r;
  Variable q = fixture_param(fx, "q"), k = fixture_param(fx, "k"), v = fixture_param(fx, "v");
  ops::AttentionMask mask;
  if (fx.has("allow")) mask.allow = fx.at("allow");
  if (fx.has("bias")) mask.bias = fx.at("bias");
  Tensor probs;
  Variable y = ops::attention(r.ctx, q, k, v, mask, fx.params.at("scale").get<float>(),
                              /*dropout_p=*/0.0f, &probs);
  EXPECT_TRUE(fixture_close(fx, "probs", probs));
  check_case(fx, r.tape, y, {{"q", q}, {"k", k}, {"v", v}}, "y", {"grad.q", "grad.k"});
}

TEST(Conformance, AttentionSelfNoMask) { run_attention("attention_self_nomask"); }
TEST(Conformance, AttentionCrossNoMask) { run_attention("attention_cross_nomask"); }
TEST(Conformance, AttentionBoolMaskWithEmptyRow) { run_attention("attention_bool_mask"); }
TEST(Conformance, AttentionCausal) { run_attention("attention_causal"); }
TEST(Conformance, AttentionAdditiveBias) { run_attention("attention_bias"); }

TEST(Conformance, MeanPool) {
  const Fixture fx = load_fixture("mean_pool");
  Recording r;
  Variable x = fixture_param(fx, "x");
  check_case(fx, r.tape, ops::mean_pool(r.ctx, x, fx.at("valid")), {{"x", x}});
}

TEST(Conformance, MaxPool) {
  const Fixture fx = load_fixture("max_pool");
  Recording r;
  Variable x = fixture_param(fx, "x");
  check_case(fx, r.tape, ops::max_pool(r.ctx, x, fx.at("valid")), {{"x", x}});
}

TEST(Conformance, BceWithLogits) {
  const Fixture fx = load_fixture("bce_with_logits");
  Recording r;
  Variable logits = fixture_param(fx, "logits");
  Variable loss = ops::bce_with_logits(r.ctx, logits, fx.floats("targets"));
  check_case(fx, r.tape, loss, {{"logits", logits}}, "loss");
}

TEST(Conformance, CrossEntropyLabelSmoothingIgnoreIndex) {
  const Fixture fx = load_fixture("cross_entropy");
  Recording r;
  Variable logits = fixture_param(fx, "logits");
  Variable loss = ops::cross_entropy(r.ctx, logits, fx.ids("targets"),
                                     fx.params.at("label_smoothing").get<float>(),
                                     fx.params.at("ignore_index").get<std::int32_t>());
  check_case(fx, r.tape, loss, {{"logits", logits}}, "loss");
}

// ---- the loader itself ----

TEST(FixtureLoader, EveryCaseLoadsWithItsHeader) {
  int cases = 0;
  for (const auto& e : std::filesystem::directory_iterator(fixtures_dir())) {
    if (e.path().extension() != ".json") continue;
    const std::string name = e.path().stem().string();
    if (name.rfind("optim_", 0) == 0) continue;  // a colleague's fixtures, own format
    SCOPED_TRACE(name);
    const Fixture fx = load_fixture(name);
    EXPECT_FALSE(fx.tensors.empty());
    ++cases;
  }
  EXPECT_GE(cases, 24);
}

TEST(FixtureLoader, AtNamesCaseAndTensor) {
  const Fixture fx = load_fixture("relu");
  try {
    (void)fx.at("nope");
    FAIL() << "expected attn::Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("relu"), std::string::npos) << msg;
    EXPECT_NE(msg.find("nope"), std::string::npos) << msg;
  }
  EXPECT_THROW(fx.ids("x"), Error);  // f32, not i32
}

// Copies the relu case to a temp dir, applies `edit` to its JSON text, and
// expects loading to fail with `needle` in the message.
void expect_load_error(const std::string& from, const std::string& to, const std::string& needle,
                       bool truncate_bin = false) {
  const auto dir = make_temp_dir("fixture");
  std::string json = read_file(fixtures_dir() / "relu.json");
  const auto pos = json.find(from);
  ASSERT_NE(pos, std::string::npos) << from;
  json.replace(pos, from.size(), to);
  write_file(dir / "relu.json", json);
  std::string bin = read_file(fixtures_dir() / "relu.bin");
  if (truncate_bin) bin.resize(bin.size() - 4);
  write_file(dir / "relu.bin", bin);
  try {
    (void)load_fixture(dir, "relu");
    ADD_FAILURE() << "expected attn::Error containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(FixtureLoader, RejectsBadHeaderAndSizes) {
  expect_load_error("\"attn-fixture\"", "\"other\"", "magic");
  expect_load_error("\"version\": 1", "\"version\": 2", "version");
  expect_load_error("\"nbytes\": 120", "\"nbytes\": 116", "nbytes");
  expect_load_error("\"dtype\": \"f32\"", "\"dtype\": \"f64\"", "dtype");
  expect_load_error("", "", "past the end", /*truncate_bin=*/true);
  EXPECT_THROW(load_fixture("no_such_case"), Error);
}

}  // namespace
}  // namespace attn::test

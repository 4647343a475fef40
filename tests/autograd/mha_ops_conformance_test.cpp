// The nn-level fixtures (PyTorch nn.MultiheadAttention, nn.TransformerEncoderLayer
// and the seed classifier in miniature) replayed with attn's autograd ops alone:
// linear -> split_heads -> attention -> merge_heads -> linear, plus add,
// layer_norm, relu, embedding, mean_pool and bce_with_logits. It proves the
// fixtures agree with attn's op contracts (split q/k/v weights, mask
// conventions), so an nn-module test failing on them points at the module.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "attn/autograd/ops.h"
#include "fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

// These cases chain many f32 ops, and some gradient elements are small differences of
// O(1) terms (attention's softmax backward above all), so they are compared normwise
// (max|got - want| / max|want|) at the f32 tolerance 1e-5, see fixture_close_normwise.
// d loss / d k_proj.bias is exactly 0 (adding q·b_k to every score of a query row leaves
// its softmax unchanged), so only rounding noise is left, which a relative test cannot
// judge: it is checked against this absolute bound instead (kStructuralZeroAbs, fixture.h; PyTorch
// f32 gives ~1e-6).

using Params = std::map<std::string, Variable>;

// Every f32 tensor named <prefix>{q,k,v,out}_proj.{weight,bias} as a trainable Variable.
void add_mha_params(const Fixture& fx, const std::string& prefix, Params& p) {
  for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"})
    for (const char* kind : {"weight", "bias"}) {
      const std::string name = prefix + proj + "." + kind;
      p[name] = fixture_param(fx, name);
    }
}

// Self-attention over x [B,T,E] with split projections -> [B,T,E].
// probs (if non-null) receives the attention probabilities [B,H,T,T].
Variable self_attention(Context& ctx, Params& p, const std::string& prefix, const Variable& x,
                        int heads, const ops::AttentionMask& mask, Tensor* probs = nullptr) {
  auto proj = [&](const std::string& name, const Variable& in) {
    return ops::linear(ctx, in, p.at(prefix + name + ".weight"), p.at(prefix + name + ".bias"));
  };
  Variable q = ops::split_heads(ctx, proj("q_proj", x), heads);
  Variable k = ops::split_heads(ctx, proj("k_proj", x), heads);
  Variable v = ops::split_heads(ctx, proj("v_proj", x), heads);
  const float scale = 1.0f / std::sqrt(static_cast<float>(q.value().dim(-1)));
  Variable o = ops::attention(ctx, q, k, v, mask, scale, /*dropout_p=*/0.0f, probs);
  return proj("out_proj", ops::merge_heads(ctx, o));
}

// valid u8 [B,T] (1 = real token) -> allow u8 [B,T,T]: every query may see every real key.
Tensor key_padding_allow(const Tensor& valid) {
  const std::int64_t b = valid.dim(0), t = valid.dim(1);
  Tensor allow = Tensor::empty({b, t, t}, DType::u8);
  const auto* v = valid.data_as<std::uint8_t>();
  auto* a = allow.data_as<std::uint8_t>();
  for (std::int64_t i = 0; i < b; ++i)
    for (std::int64_t q = 0; q < t; ++q)
      for (std::int64_t k = 0; k < t; ++k) a[(i * t + q) * t + k] = v[i * t + k];
  return allow;
}

float max_abs(const Tensor& t) {
  float m = 0.0f;
  for (std::int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::fabs(t.data()[i]));
  return m;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Compares grad.<name> of every parameter (and of extra inputs such as x).
void expect_grads(const Fixture& fx, const Params& p) {
  for (const auto& [name, var] : p) {
    ASSERT_TRUE(var.has_grad()) << fx.name << ": no gradient reached " << name;
    const std::string g = "grad." + name;
    if (ends_with(name, "k_proj.bias")) {
      EXPECT_LE(max_abs(fx.at(g)), 1e-6f) << fx.name << "/" << g << " should be ~0";
      EXPECT_LE(max_abs(var.grad()), kStructuralZeroAbs) << fx.name << "/" << g;
      continue;
    }
    EXPECT_TRUE(fixture_close_normwise(fx, g, var.grad()));
  }
}

void run_mha(const std::string& case_name) {
  const Fixture fx = load_fixture(case_name);
  Params p;
  add_mha_params(fx, "", p);
  p["x"] = fixture_param(fx, "x");
  ops::AttentionMask mask;
  mask.allow = fx.has("valid") ? key_padding_allow(fx.at("valid")) : fx.at("allow");
  Tape tape;
  Context ctx{&tape, /*training=*/false, nullptr};
  Tensor probs;
  Variable y =
      self_attention(ctx, p, "", p.at("x"), fx.params.at("num_heads").get<int>(), mask, &probs);
  EXPECT_TRUE(fixture_close_normwise(fx, "y", y.value()));
  EXPECT_TRUE(fixture_close_normwise(fx, "attn_weights", probs));
  backward_with_gout(tape, y, fx.at("gout"));
  expect_grads(fx, p);
}

TEST(MhaOpsConformance, KeyPaddingMask) { run_mha("mha_key_padding"); }
TEST(MhaOpsConformance, CausalBoolMask) { run_mha("mha_causal"); }

void run_encoder_layer(const std::string& case_name) {
  const Fixture fx = load_fixture(case_name);
  Params p;
  add_mha_params(fx, "self_attn.", p);
  for (const char* mod : {"linear1", "linear2", "norm1", "norm2"})
    for (const char* kind : {"weight", "bias"}) {
      const std::string name = std::string(mod) + "." + kind;
      p[name] = fixture_param(fx, name);
    }
  p["x"] = fixture_param(fx, "x");
  const int heads = fx.params.at("nhead").get<int>();
  const float eps = fx.params.at("layer_norm_eps").get<float>();
  ops::AttentionMask mask;
  mask.allow = key_padding_allow(fx.at("valid"));

  Tape tape;
  Context ctx{&tape, /*training=*/false, nullptr};
  auto norm = [&](const char* n, const Variable& h) {
    const std::string s(n);
    return ops::layer_norm(ctx, h, p.at(s + ".weight"), p.at(s + ".bias"), eps);
  };
  auto ffn = [&](const Variable& h) {
    Variable u = ops::relu(ctx, ops::linear(ctx, h, p.at("linear1.weight"), p.at("linear1.bias")));
    return ops::linear(ctx, u, p.at("linear2.weight"), p.at("linear2.bias"));
  };
  auto sa = [&](const Variable& h) { return self_attention(ctx, p, "self_attn.", h, heads, mask); };
  const Variable& x = p.at("x");
  Variable y;
  if (fx.params.at("norm_first").get<bool>()) {
    Variable h = ops::add(ctx, x, sa(norm("norm1", x)));
    y = ops::add(ctx, h, ffn(norm("norm2", h)));
  } else {
    Variable h = norm("norm1", ops::add(ctx, x, sa(x)));
    y = norm("norm2", ops::add(ctx, h, ffn(h)));
  }
  EXPECT_TRUE(fixture_close_normwise(fx, "y", y.value()));
  backward_with_gout(tape, y, fx.at("gout"));
  expect_grads(fx, p);
}

TEST(MhaOpsConformance, EncoderLayerPostNorm) { run_encoder_layer("encoder_layer_post_norm"); }
TEST(MhaOpsConformance, EncoderLayerPreNorm) { run_encoder_layer("encoder_layer_pre_norm"); }

// Embedding -> Keras-style MHA (separate q/k/v Dense, key padding masked) ->
// mean over real tokens -> Dense(1) -> BCE with logits; loss backpropagated directly.
TEST(MhaOpsConformance, SeedClassifierInMiniature) {
  const Fixture fx = load_fixture("classifier");
  Params p;
  add_mha_params(fx, "attn.", p);
  for (const char* name : {"embedding.weight", "head.weight", "head.bias"})
    p[name] = fixture_param(fx, name);
  const Tensor& valid = fx.at("valid");
  ops::AttentionMask mask;
  mask.allow = key_padding_allow(valid);

  Tape tape;
  Context ctx{&tape, /*training=*/false, nullptr};
  Variable x = ops::embedding(ctx, p.at("embedding.weight"), fx.ids("ids"), fx.at("ids").shape());
  Variable a = self_attention(ctx, p, "attn.", x, fx.params.at("num_heads").get<int>(), mask);
  Variable pooled = ops::mean_pool(ctx, a, valid);
  Variable logits = ops::linear(ctx, pooled, p.at("head.weight"), p.at("head.bias"));
  Variable loss = ops::bce_with_logits(ctx, logits, fx.floats("labels"));
  EXPECT_TRUE(fixture_close_normwise(fx, "logits", logits.value()));
  EXPECT_TRUE(fixture_close_normwise(fx, "loss", loss.value()));
  tape.backward(loss);
  expect_grads(fx, p);
}

}  // namespace
}  // namespace attn::test

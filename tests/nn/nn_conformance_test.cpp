// attn's nn modules (MultiHeadAttention, EncoderLayer, the seed classifier)
// against PyTorch fixtures from scripts/make_fixtures.py: the fixture's
// weights are loaded by parameter name, so this also proves that attn's
// parameter names map one-to-one onto PyTorch's state dict.
#include <gtest/gtest.h>

#include <cmath>

#include "attn/models/encoder_classifier.h"
#include "attn/nn/encoder_layer.h"
#include "fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

// Whole modules are compared normwise (max|got - want| / max|want|) at the f32
// tolerance 1e-5: elementwise relative error is meaningless for gradient entries
// that are tiny differences of O(1) terms. d/d k_proj.bias is exactly 0 (a constant
// added to a softmax row), so it is judged absolutely. (kStructuralZeroAbs, fixture.h)

void load_params(const nn::Module& m, const Fixture& fx) {
  for (const auto& p : m.parameters()) {
    ASSERT_TRUE(fx.has(p.name)) << "fixture " << fx.name << " lacks " << p.name;
    const_cast<Variable&>(p.var).value().copy_from(fx.at(p.name));
  }
}

void expect_param_grads(const nn::Module& m, const Fixture& fx) {
  for (const auto& p : m.parameters()) {
    ASSERT_TRUE(p.var.has_grad()) << p.name;
    const std::string g = "grad." + p.name;
    if (p.name.size() >= 11 && p.name.compare(p.name.size() - 11, 11, "k_proj.bias") == 0) {
      float worst = 0;
      for (float v : p.var.grad().to_vector()) worst = std::max(worst, std::fabs(v));
      EXPECT_LE(worst, kStructuralZeroAbs) << g;
      continue;
    }
    EXPECT_TRUE(fixture_close_normwise(fx, g, p.var.grad()));
  }
}

void run_mha(const std::string& case_name, bool causal) {
  const Fixture fx = load_fixture(case_name);
  Rng rng(1);
  nn::MultiHeadAttentionOptions o;
  o.num_heads = 2;
  o.key_dim = 4;
  o.query_dim = 8;
  nn::MultiHeadAttention mha(o, rng);
  EXPECT_EQ(mha.num_parameters(), 4 * (8 * 8 + 8));
  load_params(mha, fx);
  Variable x = fixture_param(fx, "x");
  nn::AttentionMaskSpec mask;
  if (causal) {
    mask.use_causal_mask = true;
  } else {
    mask.key_valid = fx.at("valid");
  }
  Tape tape;
  Context ctx{&tape, false, nullptr};
  Tensor probs;
  Variable y = mha.forward(ctx, x, x, Variable(), mask, &probs);
  EXPECT_TRUE(fixture_close_normwise(fx, "y", y.value()));
  EXPECT_TRUE(fixture_close_normwise(fx, "attn_weights", probs));
  backward_with_gout(tape, y, fx.at("gout"));
  EXPECT_TRUE(fixture_close_normwise(fx, "grad.x", x.grad()));
  expect_param_grads(mha, fx);
}

TEST(NnConformance, MultiHeadAttentionKeyPadding) { run_mha("mha_key_padding", false); }
TEST(NnConformance, MultiHeadAttentionCausal) { run_mha("mha_causal", true); }

void run_encoder_layer(const std::string& case_name, bool norm_first) {
  const Fixture fx = load_fixture(case_name);
  Rng rng(1);
  nn::EncoderLayerOptions o;
  o.d_model = 8;
  o.num_heads = 2;
  o.d_ff = 16;
  o.dropout = 0.0f;
  o.norm_first = norm_first;
  o.layer_norm_eps = 1e-5f;
  nn::EncoderLayer layer(o, rng);
  load_params(layer, fx);
  Variable x = fixture_param(fx, "x");
  nn::AttentionMaskSpec mask;
  mask.key_valid = fx.at("valid");
  Tape tape;
  Context ctx{&tape, true, &rng};  // training mode with dropout 0: must equal eval
  Variable y = layer.forward(ctx, x, mask);
  EXPECT_TRUE(fixture_close_normwise(fx, "y", y.value()));
  backward_with_gout(tape, y, fx.at("gout"));
  EXPECT_TRUE(fixture_close_normwise(fx, "grad.x", x.grad()));
  expect_param_grads(layer, fx);
}

TEST(NnConformance, EncoderLayerPostNorm) { run_encoder_layer("encoder_layer_post_norm", false); }
TEST(NnConformance, EncoderLayerPreNorm) { run_encoder_layer("encoder_layer_pre_norm", true); }

TEST(NnConformance, SeedClassifierInMiniature) {
  const Fixture fx = load_fixture("classifier");
  models::ClassifierConfig c;
  c.vocab_size = 20;
  c.max_len = 6;
  c.d_model = 8;
  c.bare_attention = true;
  c.num_heads = 2;
  c.key_dim = 4;
  c.pooling = nn::Pooling::mean;
  c.num_classes = 1;
  models::EncoderClassifier model(c, 7);
  load_params(model, fx);
  Tape tape;
  Context ctx{&tape, false, nullptr};
  Variable logits = model.forward(ctx, fx.ids("ids"), fx.at("valid"));
  Variable loss = ops::bce_with_logits(ctx, logits, fx.floats("labels"));
  EXPECT_TRUE(fixture_close_normwise(fx, "logits", logits.value()));
  EXPECT_TRUE(fixture_close_normwise(fx, "loss", loss.value()));
  tape.backward(loss);
  expect_param_grads(model, fx);
}

// The seed article's model at full size: 673,281 parameters, split as Keras reports.
TEST(NnConformance, SeedClassifierParameterCount) {
  models::ClassifierConfig c;
  c.vocab_size = 10000;
  c.max_len = 200;
  c.d_model = 64;
  c.bare_attention = true;
  c.num_heads = 2;
  c.key_dim = 64;
  models::EncoderClassifier model(c, 1);
  EXPECT_EQ(model.num_parameters(), 673281);
  const auto rows = model.layer_rows();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].params, 640000);
  EXPECT_EQ(rows[1].params, 33216);
  EXPECT_EQ(rows[2].params, 0);
  EXPECT_EQ(rows[3].params, 65);
  const std::string table = models::summary_table("seed", rows);
  EXPECT_NE(table.find("Total params: 673,281"), std::string::npos) << table;
}

}  // namespace
}  // namespace attn::test

// Seq2Seq against PyTorch's nn.Transformer (scripts/fixtures_seq2seq.py), post-norm and
// pre-norm: logits, label-smoothed loss and every parameter gradient; plus the source
// padding mask, causality of the decoder, a finite-difference check and bad input.
#include "attn/models/seq2seq.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

models::Seq2SeqConfig fixture_config(const Fixture& fx) {
  models::Seq2SeqConfig c;
  c.source_vocab_size = c.target_vocab_size = fx.params.at("vocab_size").get<std::int64_t>();
  c.max_len = fx.params.at("max_len").get<std::int64_t>();
  c.d_model = fx.params.at("d_model").get<std::int64_t>();
  c.num_heads = fx.params.at("num_heads").get<std::int64_t>();
  c.encoder_layers = c.decoder_layers = fx.params.at("layers").get<std::int64_t>();
  c.d_ff = fx.params.at("d_ff").get<std::int64_t>();
  c.norm_first = fx.params.at("norm_first").get<bool>();
  c.positional = nn::parse_positional(fx.params.at("positional").get<std::string>());
  c.tie_output = fx.params.at("tie_output").get<bool>();
  c.share_embeddings = fx.params.at("share_embeddings").get<bool>();
  c.dropout = 0.0f;
  return c;
}

struct Run {
  Variable logits, loss;
};

Run forward_backward(const models::Seq2Seq& m, const Fixture& fx) {
  const std::int64_t batch = fx.at("src").dim(0), s = fx.at("src").dim(1),
                     t = fx.at("tgt_in").dim(1);
  for (auto& p : m.parameters()) p.var.clear_grad();
  Tape tape;
  Context ctx{&tape, true, nullptr};  // training with dropout 0: nothing random
  Run r;
  const Tensor& valid = fx.at("src_valid");
  Variable memory = m.encode(ctx, fx.ids("src"), batch, s, valid);
  r.logits = m.decode(ctx, memory, valid, fx.ids("tgt_in"), t);
  r.loss =
      m.loss(ctx, r.logits, fx.ids("tgt_out"), fx.params.at("label_smoothing").get<float>(), -100);
  tape.backward(r.loss);
  return r;
}

void check_case(const std::string& case_name) {
  const Fixture fx = load_fixture(case_name);
  models::Seq2Seq m(fixture_config(fx), 7);
  load_fixture_parameters(fx, m.parameters());
  Run r = forward_backward(m, fx);
  EXPECT_TRUE(fixture_close_normwise(fx, "logits", r.logits.value()));
  EXPECT_TRUE(fixture_close(fx, "loss", r.loss.value()));
  expect_parameter_grads_match(fx, m.parameters());
}

TEST(Seq2SeqConformance, PostNormSinusoidalTiedMatchesNnTransformer) {
  check_case("seq2seq_post_norm");
}

TEST(Seq2SeqConformance, PreNormLearnedUntiedSharedMatchesNnTransformer) {
  check_case("seq2seq_pre_norm");
}

models::Seq2SeqConfig tiny_config() {
  models::Seq2SeqConfig c;
  c.source_vocab_size = 9;
  c.target_vocab_size = 7;
  c.max_len = 12;
  c.d_model = 8;
  c.num_heads = 2;
  c.encoder_layers = c.decoder_layers = 2;
  c.d_ff = 16;
  c.dropout = 0.0f;
  return c;
}

std::vector<float> logits_of(const models::Seq2Seq& m, const std::vector<std::int32_t>& src,
                             std::int64_t s, const Tensor& valid,
                             const std::vector<std::int32_t>& tgt, std::int64_t t) {
  Context ctx{nullptr, false, nullptr};
  Variable memory = m.encode(ctx, src, 1, s, valid);
  return m.decode(ctx, memory, valid, tgt, t).value().to_vector();
}

// Padded source positions change nothing: the same sentence with two extra padding tokens
// (whatever their ids) gives the same logits.
TEST(Seq2Seq, SourcePaddingIsInvisible) {
  models::Seq2Seq m(tiny_config(), 3);
  const std::vector<std::int32_t> tgt = {1, 4, 2};
  Tensor v4 = Tensor::empty({1, 4}, DType::u8);
  std::fill_n(v4.data_as<std::uint8_t>(), 4, std::uint8_t{1});
  Tensor v6 = Tensor::empty({1, 6}, DType::u8);
  std::fill_n(v6.data_as<std::uint8_t>(), 6, std::uint8_t{1});
  v6.data_as<std::uint8_t>()[4] = v6.data_as<std::uint8_t>()[5] = 0;
  const auto a = logits_of(m, {3, 5, 7, 2}, 4, v4, tgt, 3);
  const auto b = logits_of(m, {3, 5, 7, 2, 8, 6}, 6, v6, tgt, 3);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-5f) << i;
  // Without the mask the padding tokens would be seen: the logits must differ.
  const auto c = logits_of(m, {3, 5, 7, 2, 8, 6}, 6, Tensor(), tgt, 3);
  float diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::fabs(a[i] - c[i]));
  EXPECT_GT(diff, 1e-4f);
}

// Target position i depends only on target tokens 0..i.
TEST(Seq2Seq, DecoderIsCausal) {
  models::Seq2Seq m(tiny_config(), 4);
  const std::vector<std::int32_t> src = {3, 5, 7};
  const auto a = logits_of(m, src, 3, Tensor(), {1, 4, 2, 5}, 4);
  const auto b = logits_of(m, src, 3, Tensor(), {1, 4, 6, 3}, 4);
  const std::size_t v = 7;
  for (std::size_t i = 0; i < 2 * v; ++i) EXPECT_FLOAT_EQ(a[i], b[i]) << i;
  float diff = 0;
  for (std::size_t i = 2 * v; i < a.size(); ++i) diff = std::max(diff, std::fabs(a[i] - b[i]));
  EXPECT_GT(diff, 1e-4f);
}

TEST(Seq2Seq, ParameterNamesFollowNnTransformer) {
  models::Seq2SeqConfig c = tiny_config();
  c.tie_output = false;
  models::Seq2Seq m(c, 1);
  std::vector<std::string> names;
  for (const auto& p : m.parameters()) names.push_back(p.name);
  auto has = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  EXPECT_TRUE(has("decoder.layers.1.multihead_attn.q_proj.weight"));
  EXPECT_TRUE(has("encoder.layers.0.linear2.bias"));
  EXPECT_TRUE(has("decoder.norm.weight"));
  EXPECT_TRUE(has("output.bias"));
  EXPECT_TRUE(has("tgt_embedding.weight"));
  EXPECT_FALSE(has("src_pos.weight"));  // sinusoidal positions have no parameters
}

// Memory planning counts the parameters from the config before building the model.
TEST(Seq2Seq, ParameterCountFromTheConfigMatchesTheBuiltModel) {
  for (const bool tie : {true, false})
    for (const bool share : {true, false})
      for (const auto pos : {nn::Positional::learned, nn::Positional::sinusoidal}) {
        models::Seq2SeqConfig c = tiny_config();
        c.tie_output = tie;
        c.share_embeddings = share;
        if (share) c.target_vocab_size = c.source_vocab_size;
        c.positional = pos;
        c.decoder_layers = 2;
        c.encoder_layers = 1;
        EXPECT_EQ(c.parameter_count(), models::Seq2Seq(c, 1).num_parameters())
            << tie << share << static_cast<int>(pos);
      }
}

TEST(Seq2Seq, RejectsBadConfigAndInput) {
  models::Seq2SeqConfig c = tiny_config();
  c.share_embeddings = true;  // 9 source vs 7 target tokens
  EXPECT_NE(error_of([&] { models::Seq2Seq(c, 1); }).find("share_embeddings"), std::string::npos);
  c = tiny_config();
  c.num_heads = 3;
  EXPECT_NE(error_of([&] { models::Seq2Seq(c, 1); }).find("divisible"), std::string::npos);
  models::Seq2Seq m(tiny_config(), 1);
  Context ctx{nullptr, false, nullptr};
  EXPECT_NE(error_of([&] {
              m.encode(ctx, {1, 9}, 1, 2, Tensor());
            }).find("source token id 9"),
            std::string::npos);
  Variable memory = m.encode(ctx, {1, 2}, 1, 2, Tensor());
  const std::string long_target =
      error_of([&] { m.decode(ctx, memory, Tensor(), std::vector<std::int32_t>(13, 1), 13); });
  EXPECT_NE(long_target.find("exceeds model.max_len"), std::string::npos) << long_target;
}

}  // namespace
}  // namespace attn::test

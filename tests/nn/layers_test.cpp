// Layer-level behaviour not covered by the PyTorch fixtures: positional tables,
// dropout train/eval switching, parameter naming, bad options.
#include "attn/models/encoder_classifier.h"
#include "attn/nn/encoder_layer.h"
#include "test_util.h"

namespace attn::nn {
namespace {

TEST(Layers, SinusoidalTableMatchesThePaper) {
  const Tensor t = sinusoidal_table(50, 8);
  // PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d))
  for (int pos : {0, 1, 7, 49})
    for (int i = 0; i < 4; ++i) {
      const double angle = pos / std::pow(10000.0, 2.0 * i / 8);
      EXPECT_NEAR(t.data()[pos * 8 + 2 * i], std::sin(angle), 1e-6);
      EXPECT_NEAR(t.data()[pos * 8 + 2 * i + 1], std::cos(angle), 1e-6);
    }
}

TEST(Layers, PositionalEncodingAddsRowsAndRejectsLongInputs) {
  Rng rng(1);
  PositionalEncoding pe(Positional::sinusoidal, 4, 2, rng);
  EXPECT_EQ(pe.num_parameters(), 0);
  Context ctx;
  Variable x(Tensor::zeros({1, 3, 2}));
  const Variable y = pe.forward(ctx, x);
  EXPECT_FLOAT_EQ(y.value().data()[2], static_cast<float>(std::sin(1.0)));
  EXPECT_THROW(pe.forward(ctx, Variable(Tensor::zeros({1, 5, 2}))), Error);
  PositionalEncoding learned(Positional::learned, 4, 2, rng);
  EXPECT_EQ(learned.num_parameters(), 8);
}

TEST(Layers, DropoutOnlyInTraining) {
  Dropout d(0.5f);
  Rng rng(3);
  Variable x(Tensor::full({1000}, 1.0f));
  Context eval;
  EXPECT_EQ(d.forward(eval, x).value().to_vector(), x.value().to_vector());
  Context train{nullptr, true, &rng};
  const auto y = d.forward(train, x).value().to_vector();
  int zeros = 0;
  for (float v : y) {
    EXPECT_TRUE(v == 0.0f || v == 2.0f);
    zeros += v == 0.0f;
  }
  EXPECT_NEAR(zeros, 500, 60);
  EXPECT_THROW(Dropout(1.0f), Error);
}

TEST(Layers, EncoderLayerParameterNamesFollowPyTorch) {
  Rng rng(1);
  EncoderLayerOptions o;
  o.d_model = 8;
  o.num_heads = 2;
  o.d_ff = 16;
  EncoderLayer layer(o, rng);
  std::vector<std::string> names;
  for (const auto& p : layer.parameters()) names.push_back(p.name);
  for (const char* want : {"self_attn.q_proj.weight", "self_attn.out_proj.bias", "linear1.weight",
                           "linear2.bias", "norm1.weight", "norm2.bias"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  o.num_heads = 3;
  EXPECT_THROW(EncoderLayer(o, rng), Error);
}

}  // namespace
}  // namespace attn::nn

namespace attn::models {
namespace {

// With CLS pooling the embedding has one extra (reserved) row; an input id equal to
// vocab_size must be rejected rather than read as the CLS token.
TEST(EncoderClassifier, RejectsIdsOutsideTheVocabularyIncludingTheClsRow) {
  ClassifierConfig c;
  c.vocab_size = 10;
  c.max_len = 4;
  c.d_model = 8;
  c.num_layers = 1;
  c.num_heads = 2;
  c.d_ff = 16;
  c.pooling = nn::Pooling::cls;
  EncoderClassifier model(c, 1);
  Context ctx;
  const Tensor valid = Tensor::zeros({1, 3}, DType::u8);
  EXPECT_NO_THROW(model.forward(ctx, {1, 9, 0}, valid));
  const std::string msg = test::error_of([&] { model.forward(ctx, {1, 10, 0}, valid); });
  EXPECT_NE(msg.find("token id 10 at position 1"), std::string::npos) << msg;
}

}  // namespace
}  // namespace attn::models

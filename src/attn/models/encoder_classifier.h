#pragma once
// EncoderClassifier: Embedding (+ positional) -> either one bare self-attention
// block (the seed article's Keras model) or N TransformerEncoderLayers ->
// pooling -> Dense. num_classes == 1 means one sigmoid logit (binary).
#include <memory>
#include <string>
#include <vector>

#include "attn/nn/encoder_layer.h"
#include "attn/nn/pooling.h"

namespace attn::models {

struct ClassifierConfig {
  std::int64_t vocab_size = 10000;
  std::int64_t max_len = 200;
  std::int64_t d_model = 64;
  nn::Positional positional = nn::Positional::none;
  // true: Embedding -> MultiHeadAttention(num_heads, key_dim) -> pool -> Dense,
  // with no residual, norm or feed-forward (exactly the seed's Keras model).
  bool bare_attention = false;
  std::int64_t num_layers = 1;
  std::int64_t num_heads = 2;
  std::int64_t key_dim = 0;  // bare attention only; 0 = d_model / num_heads
  std::int64_t d_ff = 256;
  float dropout = 0.0f;            // residual, feed-forward and attention dropout
  float embedding_dropout = 0.0f;  // after embedding (+ positions)
  nn::Activation activation = nn::Activation::relu;
  bool norm_first = false;
  float layer_norm_eps = 1e-5f;
  nn::Pooling pooling = nn::Pooling::mean;
  std::int64_t num_classes = 1;

  void validate() const;  // throws attn::Error naming the bad field
};

struct LayerRow {
  std::string name, type, output_shape;
  std::int64_t params = 0;
};

class EncoderClassifier : public nn::Module {
 public:
  EncoderClassifier(const ClassifierConfig& cfg, std::uint64_t seed);
  // ids [B, T] row-major, valid u8 [B, T] -> logits [B, max(1, num_classes)]
  // attention (optional) receives one [B, H, T, T] probability tensor per layer.
  Variable forward(Context& ctx, const std::vector<std::int32_t>& ids, const Tensor& valid,
                   std::vector<Tensor>* attention = nullptr) const;
  const ClassifierConfig& config() const { return cfg_; }
  std::vector<LayerRow> layer_rows() const;

 private:
  ClassifierConfig cfg_;
  Rng init_rng_;
  nn::Embedding embedding_;
  nn::PositionalEncoding positions_;
  std::unique_ptr<nn::MultiHeadAttention> bare_attn_;
  std::vector<std::unique_ptr<nn::EncoderLayer>> layers_;
  std::unique_ptr<nn::LayerNorm> final_norm_;  // pre-norm stacks end with a LayerNorm
  nn::Linear head_;
};

// 673281 -> "673,281", as Keras prints parameter counts (n >= 0).
std::string with_commas(std::int64_t n);

// Keras-style summary table: layer (type), output shape, params, totals.
std::string summary_table(const std::string& model_name, const std::vector<LayerRow>& rows);

}  // namespace attn::models

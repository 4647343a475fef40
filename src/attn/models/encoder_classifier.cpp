#include "attn/models/encoder_classifier.h"

#include <algorithm>

namespace attn::models {

void ClassifierConfig::validate() const {
  auto positive = [](const char* name, std::int64_t v) {
    ATTN_CHECK(v >= 1, "model.{}: expected an integer >= 1, got {}", name, v);
  };
  positive("vocab_size", vocab_size);
  positive("max_len", max_len);
  positive("d_model", d_model);
  positive("num_heads", num_heads);
  positive("num_classes", num_classes);
  ATTN_CHECK(num_layers >= 0, "model.num_layers: expected an integer >= 0, got {}", num_layers);
  ATTN_CHECK(bare_attention || num_layers == 0 || d_ff >= 1,
             "model.d_ff: expected an integer >= 1, got {}", d_ff);
  ATTN_CHECK(key_dim >= 0, "model.key_dim: expected an integer >= 0, got {}", key_dim);
  ATTN_CHECK(bare_attention || d_model % num_heads == 0,
             "model.d_model ({}) must be divisible by model.num_heads ({})", d_model, num_heads);
  for (auto [name, p] : {std::pair{"dropout", dropout}, {"embedding_dropout", embedding_dropout}})
    ATTN_CHECK(p >= 0.0f && p < 1.0f, "model.{}: expected a number in [0, 1), got {}", name, p);
  ATTN_CHECK(layer_norm_eps > 0.0f, "model.layer_norm_eps: expected > 0, got {}", layer_norm_eps);
}

namespace {
const ClassifierConfig& checked(const ClassifierConfig& c) {
  c.validate();
  return c;
}
// CLS pooling prepends one extra embedding row (id vocab_size) to every sequence.
std::int64_t embedding_rows(const ClassifierConfig& c) {
  return c.vocab_size + (c.pooling == nn::Pooling::cls ? 1 : 0);
}
std::int64_t position_rows(const ClassifierConfig& c) {
  return c.max_len + (c.pooling == nn::Pooling::cls ? 1 : 0);
}
}  // namespace

EncoderClassifier::EncoderClassifier(const ClassifierConfig& cfg, std::uint64_t seed)
    : cfg_(checked(cfg)),
      init_rng_(seed),
      embedding_(embedding_rows(cfg_), cfg_.d_model, init_rng_),
      positions_(cfg_.positional, position_rows(cfg_), cfg_.d_model, init_rng_),
      head_(cfg_.d_model, cfg_.num_classes, true, init_rng_) {
  register_module("embedding", embedding_);
  if (cfg_.positional == nn::Positional::learned) register_module("pos_embedding", positions_);
  if (cfg_.bare_attention) {
    nn::MultiHeadAttentionOptions o;
    o.num_heads = cfg_.num_heads;
    o.key_dim = cfg_.key_dim > 0 ? cfg_.key_dim : cfg_.d_model / cfg_.num_heads;
    o.dropout = cfg_.dropout;
    o.query_dim = cfg_.d_model;
    bare_attn_ = std::make_unique<nn::MultiHeadAttention>(o, init_rng_);
    register_module("attn", *bare_attn_);
  } else {
    nn::EncoderLayerOptions o;
    o.d_model = cfg_.d_model;
    o.num_heads = cfg_.num_heads;
    o.d_ff = cfg_.d_ff;
    o.dropout = cfg_.dropout;
    o.activation = cfg_.activation;
    o.norm_first = cfg_.norm_first;
    o.layer_norm_eps = cfg_.layer_norm_eps;
    for (std::int64_t i = 0; i < cfg_.num_layers; ++i) {
      layers_.push_back(std::make_unique<nn::EncoderLayer>(o, init_rng_));
      register_module(fmt::format("layers.{}", i), *layers_.back());
    }
    if (cfg_.norm_first && cfg_.num_layers > 0) {
      final_norm_ = std::make_unique<nn::LayerNorm>(cfg_.d_model, cfg_.layer_norm_eps);
      register_module("final_norm", *final_norm_);
    }
  }
  register_module("head", head_);
}

Variable EncoderClassifier::forward(Context& ctx, const std::vector<std::int32_t>& ids_in,
                                    const Tensor& valid_in, std::vector<Tensor>* attention) const {
  ATTN_CHECK(valid_in.rank() == 2 && valid_in.dtype() == DType::u8 &&
                 static_cast<std::int64_t>(ids_in.size()) == valid_in.numel(),
             "classifier: expected ids [B, T] and a U8 valid mask [B, T]; got {} ids and mask {}",
             ids_in.size(), shape_str(valid_in.shape()));
  std::int64_t batch = valid_in.dim(0), t = valid_in.dim(1);
  ATTN_CHECK(t <= cfg_.max_len, "classifier: sequence length {} exceeds model.max_len {}", t,
             cfg_.max_len);
  // Checked against vocab_size, not the embedding's rows: with CLS pooling the extra
  // row is reserved, and an input id landing on it must not pass for a CLS token.
  for (std::size_t i = 0; i < ids_in.size(); ++i)
    ATTN_CHECK(ids_in[i] >= 0 && ids_in[i] < cfg_.vocab_size,
               "classifier: token id {} at position {} is outside the vocabulary [0, {})",
               ids_in[i], i, cfg_.vocab_size);
  const std::vector<std::int32_t>* ids = &ids_in;
  Tensor valid = valid_in;
  std::vector<std::int32_t> with_cls;
  if (cfg_.pooling == nn::Pooling::cls) {
    const auto cls = static_cast<std::int32_t>(cfg_.vocab_size);
    with_cls.reserve(static_cast<std::size_t>(batch * (t + 1)));
    valid = Tensor::empty({batch, t + 1}, DType::u8);
    for (std::int64_t b = 0; b < batch; ++b) {
      with_cls.push_back(cls);
      valid.data_as<std::uint8_t>()[b * (t + 1)] = 1;
      for (std::int64_t i = 0; i < t; ++i) {
        with_cls.push_back(ids_in[static_cast<std::size_t>(b * t + i)]);
        valid.data_as<std::uint8_t>()[b * (t + 1) + 1 + i] =
            valid_in.data_as<std::uint8_t>()[b * t + i];
      }
    }
    ids = &with_cls;
    t += 1;
  }
  Variable x = embedding_.forward(ctx, *ids, {batch, t});
  x = positions_.forward(ctx, x);
  x = ops::dropout(ctx, x, cfg_.embedding_dropout);
  nn::AttentionMaskSpec mask;
  mask.key_valid = valid;
  auto capture = [&]() -> Tensor* {
    if (!attention) return nullptr;
    attention->emplace_back();
    return &attention->back();
  };
  if (bare_attn_) {
    x = bare_attn_->forward(ctx, x, x, Variable(), mask, capture());
  } else {
    for (const auto& layer : layers_) x = layer->forward(ctx, x, mask, capture());
    if (final_norm_) x = final_norm_->forward(ctx, x);
  }
  return head_.forward(ctx, nn::pool(ctx, cfg_.pooling, x, valid));
}

std::vector<LayerRow> EncoderClassifier::layer_rows() const {
  const std::int64_t t = cfg_.max_len + (cfg_.pooling == nn::Pooling::cls ? 1 : 0);
  const std::string seq = fmt::format("(None, {}, {})", t, cfg_.d_model);
  std::vector<LayerRow> rows;
  rows.push_back({"embedding", "Embedding", seq, embedding_.num_parameters()});
  if (cfg_.positional != nn::Positional::none)
    rows.push_back({"pos_embedding",
                    cfg_.positional == nn::Positional::learned ? "PositionEmbedding"
                                                               : "SinusoidalPositionalEncoding",
                    seq, positions_.num_parameters()});
  if (bare_attn_) rows.push_back({"attn", "MultiHeadAttention", seq, bare_attn_->num_parameters()});
  for (std::size_t i = 0; i < layers_.size(); ++i)
    rows.push_back({fmt::format("layers.{}", i), "TransformerEncoderLayer", seq,
                    layers_[i]->num_parameters()});
  if (final_norm_)
    rows.push_back({"final_norm", "LayerNormalization", seq, final_norm_->num_parameters()});
  rows.push_back({"pooling", nn::pooling_layer_name(cfg_.pooling),
                  fmt::format("(None, {})", cfg_.d_model), 0});
  rows.push_back(
      {"head", "Dense", fmt::format("(None, {})", cfg_.num_classes), head_.num_parameters()});
  return rows;
}

}  // namespace attn::models

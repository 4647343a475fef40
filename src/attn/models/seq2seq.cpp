#include "attn/models/seq2seq.h"

#include <cmath>

namespace attn::models {

void Seq2SeqConfig::validate() const {
  auto positive = [](const char* name, std::int64_t v) {
    ATTN_CHECK(v >= 1, "model.{}: expected an integer >= 1, got {}", name, v);
  };
  positive("source_vocab_size", source_vocab_size);
  positive("target_vocab_size", target_vocab_size);
  positive("max_len", max_len);
  positive("d_model", d_model);
  positive("num_heads", num_heads);
  positive("encoder_layers", encoder_layers);
  positive("decoder_layers", decoder_layers);
  ATTN_CHECK(d_ff >= 0, "model.d_ff: expected an integer >= 0 (0 = 4 * d_model), got {}", d_ff);
  ATTN_CHECK(d_model % num_heads == 0,
             "model.d_model ({}) must be divisible by model.num_heads ({})", d_model, num_heads);
  ATTN_CHECK(positional != nn::Positional::none,
             "model.positional: an encoder-decoder needs \"learned\" or \"sinusoidal\" positions, "
             "got \"none\"");
  ATTN_CHECK(dropout >= 0.0f && dropout < 1.0f,
             "model.dropout: expected a number in [0, 1), got {}", dropout);
  ATTN_CHECK(layer_norm_eps > 0.0f, "model.layer_norm_eps: expected > 0, got {}", layer_norm_eps);
  ATTN_CHECK(!share_embeddings || source_vocab_size == target_vocab_size,
             "model.share_embeddings needs one vocabulary for both sides, got source {} and "
             "target {} tokens",
             source_vocab_size, target_vocab_size);
}

namespace {
const Seq2SeqConfig& checked(const Seq2SeqConfig& c) {
  c.validate();
  return c;
}

// nn.Transformer's layers: post- or pre-norm, always with biases.
nn::EncoderLayerOptions layer_options(const Seq2SeqConfig& c) {
  return {.d_model = c.d_model,
          .num_heads = c.num_heads,
          .d_ff = c.ff_size(),
          .dropout = c.dropout,
          .activation = c.activation,
          .norm_first = c.norm_first,
          .layer_norm_eps = c.layer_norm_eps};
}
}  // namespace

std::int64_t Seq2SeqConfig::parameter_count() const {
  validate();  // a bad config is reported as such, not as a size
  const nn::EncoderLayerOptions o = layer_options(*this);
  const std::int64_t embeddings =
      source_vocab_size * d_model + (share_embeddings ? 0 : target_vocab_size * d_model);
  const std::int64_t positions = positional == nn::Positional::learned ? 2 * max_len * d_model : 0;
  const std::int64_t output = tie_output ? 0 : (d_model + 1) * target_vocab_size;
  return embeddings + positions + encoder_layers * o.encoder_block_parameters() +
         decoder_layers * o.decoder_block_parameters() + 2 * 2 * d_model + output;
}

Seq2Seq::Seq2Seq(const Seq2SeqConfig& cfg, std::uint64_t seed)
    : cfg_(checked(cfg)),
      init_rng_(seed),
      src_embedding_(cfg_.source_vocab_size, cfg_.d_model, init_rng_),
      src_pos_(cfg_.positional, cfg_.max_len, cfg_.d_model, init_rng_),
      tgt_pos_(cfg_.positional, cfg_.max_len, cfg_.d_model, init_rng_),
      encoder_norm_(cfg_.d_model, cfg_.layer_norm_eps),
      decoder_norm_(cfg_.d_model, cfg_.layer_norm_eps) {
  register_module("src_embedding", src_embedding_);
  if (!cfg_.share_embeddings) {
    tgt_embedding_ =
        std::make_unique<nn::Embedding>(cfg_.target_vocab_size, cfg_.d_model, init_rng_);
    register_module("tgt_embedding", *tgt_embedding_);
  }
  if (cfg_.positional == nn::Positional::learned) {
    register_module("src_pos", src_pos_);
    register_module("tgt_pos", tgt_pos_);
  }
  const nn::EncoderLayerOptions o = layer_options(cfg_);
  for (std::int64_t i = 0; i < cfg_.encoder_layers; ++i) {
    encoder_.push_back(std::make_unique<nn::EncoderLayer>(o, init_rng_));
    register_module(fmt::format("encoder.layers.{}", i), *encoder_.back());
  }
  register_module("encoder.norm", encoder_norm_);
  for (std::int64_t i = 0; i < cfg_.decoder_layers; ++i) {
    decoder_.push_back(std::make_unique<nn::DecoderLayer>(o, init_rng_));
    register_module(fmt::format("decoder.layers.{}", i), *decoder_.back());
  }
  register_module("decoder.norm", decoder_norm_);
  if (!cfg_.tie_output) {
    output_ = std::make_unique<nn::Linear>(cfg_.d_model, cfg_.target_vocab_size, true, init_rng_);
    register_module("output", *output_);
  }
  // Layer matrices are already Xavier-uniform (nn::Linear); the embeddings are redrawn.
  const float embed_std = 1.0f / std::sqrt(static_cast<float>(cfg_.d_model));
  Tensor src_table = src_embedding_.weight().value();
  nn::fill_normal(src_table, embed_std, init_rng_);
  if (tgt_embedding_) {
    Tensor tgt_table = tgt_embedding_->weight().value();
    nn::fill_normal(tgt_table, embed_std, init_rng_);
  }
}

const nn::Embedding& Seq2Seq::target_embedding() const {
  return tgt_embedding_ ? *tgt_embedding_ : src_embedding_;
}

const Variable& Seq2Seq::output_weight() const {
  return output_ ? output_->weight() : target_embedding().weight();
}

const Variable& Seq2Seq::output_bias() const {
  static const Variable none;
  return output_ ? output_->bias() : none;
}

float Seq2Seq::embedding_scale() const {
  return cfg_.scale_embeddings ? std::sqrt(static_cast<float>(cfg_.d_model)) : 1.0f;
}

Variable Seq2Seq::embed(Context& ctx, const nn::Embedding& table, const nn::PositionalEncoding& pos,
                        const std::vector<std::int32_t>& ids, std::int64_t batch, std::int64_t time,
                        std::int64_t vocab, const char* side) const {
  ATTN_CHECK(batch >= 1 && time >= 1 && static_cast<std::int64_t>(ids.size()) == batch * time,
             "seq2seq: expected {} ids [B, T] = [{}, {}] ({} values), got {}", side, batch, time,
             batch * time, ids.size());
  ATTN_CHECK(time <= cfg_.max_len, "seq2seq: {} length {} exceeds model.max_len {}", side, time,
             cfg_.max_len);
  for (std::size_t i = 0; i < ids.size(); ++i)
    ATTN_CHECK(ids[i] >= 0 && ids[i] < vocab,
               "seq2seq: {} token id {} at position {} is outside the vocabulary [0, {})", side,
               ids[i], i, vocab);
  Variable x = table.forward(ctx, ids, {batch, time});  // [B, T, C]
  if (cfg_.scale_embeddings) x = ops::scale(ctx, x, embedding_scale());
  x = pos.forward(ctx, x);
  return ops::dropout(ctx, x, cfg_.dropout);
}

Variable Seq2Seq::encode(Context& ctx, const std::vector<std::int32_t>& src, std::int64_t batch,
                         std::int64_t src_time, const Tensor& src_valid,
                         std::vector<Tensor>* attention) const {
  Variable x =
      embed(ctx, src_embedding_, src_pos_, src, batch, src_time, cfg_.source_vocab_size, "source");
  nn::AttentionMaskSpec mask;
  mask.key_valid = src_valid;
  for (const auto& layer : encoder_) {
    Tensor* scores = attention ? &attention->emplace_back() : nullptr;
    x = layer->forward(ctx, x, mask, scores);
  }
  return encoder_norm_.forward(ctx, x);
}

Variable Seq2Seq::decode(Context& ctx, const Variable& memory, const Tensor& src_valid,
                         const std::vector<std::int32_t>& tgt, std::int64_t tgt_time,
                         std::vector<Tensor>* self_attention,
                         std::vector<Tensor>* cross_attention) const {
  ATTN_CHECK(memory.shape().size() == 3 && memory.shape()[2] == cfg_.d_model,
             "seq2seq: expected memory [B, S, {}], got {}", cfg_.d_model,
             shape_str(memory.shape()));
  const std::int64_t batch = memory.shape()[0];
  Variable x = embed(ctx, target_embedding(), tgt_pos_, tgt, batch, tgt_time,
                     cfg_.target_vocab_size, "target");
  for (const auto& layer : decoder_) {
    Tensor* self_scores = self_attention ? &self_attention->emplace_back() : nullptr;
    Tensor* cross_scores = cross_attention ? &cross_attention->emplace_back() : nullptr;
    x = layer->forward(ctx, x, memory, src_valid, self_scores, cross_scores);
  }
  x = decoder_norm_.forward(ctx, x);
  return ops::linear(ctx, x, output_weight(), output_bias());  // [B, T, V]
}

Variable Seq2Seq::loss(Context& ctx, const Variable& logits,
                       const std::vector<std::int32_t>& targets, float label_smoothing,
                       std::int32_t ignore_index) const {
  const Shape& s = logits.shape();
  ATTN_CHECK(s.size() == 3 && s[2] == cfg_.target_vocab_size &&
                 static_cast<std::int64_t>(targets.size()) == s[0] * s[1],
             "seq2seq loss: expected logits [B, T, {}] and B*T targets, got logits {} and {} "
             "targets",
             cfg_.target_vocab_size, shape_str(s), targets.size());
  Variable flat = ops::reshape(ctx, logits, {s[0] * s[1], s[2]});  // [B*T, V]
  return ops::cross_entropy(ctx, flat, targets, label_smoothing, ignore_index);
}

std::vector<LayerRow> Seq2Seq::layer_rows() const {
  const std::string seq = fmt::format("(None, {}, {})", cfg_.max_len, cfg_.d_model);
  std::vector<LayerRow> rows;
  rows.push_back({cfg_.share_embeddings ? "src_embedding (shared)" : "src_embedding", "Embedding",
                  seq, src_embedding_.num_parameters()});
  if (tgt_embedding_)
    rows.push_back({"tgt_embedding", "Embedding", seq, tgt_embedding_->num_parameters()});
  const bool learned = cfg_.positional == nn::Positional::learned;
  const char* pos_kind = learned ? "PositionEmbedding" : "SinusoidalPositionalEncoding";
  rows.push_back({"src_pos", pos_kind, seq, src_pos_.num_parameters()});
  rows.push_back({"tgt_pos", pos_kind, seq, tgt_pos_.num_parameters()});
  for (std::size_t i = 0; i < encoder_.size(); ++i)
    rows.push_back({fmt::format("encoder.layers.{}", i), "TransformerEncoderLayer", seq,
                    encoder_[i]->num_parameters()});
  rows.push_back({"encoder.norm", "LayerNormalization", seq, encoder_norm_.num_parameters()});
  for (std::size_t i = 0; i < decoder_.size(); ++i)
    rows.push_back({fmt::format("decoder.layers.{}", i), "TransformerDecoderLayer", seq,
                    decoder_[i]->num_parameters()});
  rows.push_back({"decoder.norm", "LayerNormalization", seq, decoder_norm_.num_parameters()});
  rows.push_back({"output", output_ ? "Dense" : "Dense (tied to target embedding)",
                  fmt::format("(None, {}, {})", cfg_.max_len, cfg_.target_vocab_size),
                  output_ ? output_->num_parameters() : 0});
  return rows;
}

}  // namespace attn::models

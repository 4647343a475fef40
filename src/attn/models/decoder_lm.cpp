#include "attn/models/decoder_lm.h"

#include <cmath>
#include <string_view>

namespace attn::models {

void DecoderLMConfig::validate() const {
  auto positive = [](const char* name, std::int64_t v) {
    ATTN_CHECK(v >= 1, "model.{}: expected an integer >= 1, got {}", name, v);
  };
  positive("vocab_size", vocab_size);
  positive("block_size", block_size);
  positive("d_model", d_model);
  positive("num_heads", num_heads);
  ATTN_CHECK(num_layers >= 0, "model.num_layers: expected an integer >= 0, got {}", num_layers);
  ATTN_CHECK(d_ff >= 0, "model.d_ff: expected an integer >= 0 (0 = 4 * d_model), got {}", d_ff);
  ATTN_CHECK(d_model % num_heads == 0,
             "model.d_model ({}) must be divisible by model.num_heads ({})", d_model, num_heads);
  ATTN_CHECK(positional != nn::Positional::none,
             "model.positional: a decoder LM needs \"learned\" or \"sinusoidal\" positions, got "
             "\"none\"");
  ATTN_CHECK(dropout >= 0.0f && dropout < 1.0f,
             "model.dropout: expected a number in [0, 1), got {}", dropout);
  ATTN_CHECK(layer_norm_eps > 0.0f, "model.layer_norm_eps: expected > 0, got {}", layer_norm_eps);
}

namespace {
// GPT blocks: always pre-norm; biases optional (nanoGPT's bias=False).
nn::EncoderLayerOptions block_options(const DecoderLMConfig& c) {
  return {.d_model = c.d_model,
          .num_heads = c.num_heads,
          .d_ff = c.ff_size(),
          .dropout = c.dropout,
          .activation = c.activation,
          .norm_first = true,
          .layer_norm_eps = c.layer_norm_eps,
          .bias = c.bias};
}

const DecoderLMConfig& checked(const DecoderLMConfig& c) {
  c.validate();
  return c;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::int64_t DecoderLMConfig::parameter_count() const {
  validate();  // a bad config is reported as such, not as a size
  const std::int64_t positions = positional == nn::Positional::learned ? block_size * d_model : 0;
  const std::int64_t head = tie_embeddings ? 0 : d_model * vocab_size;
  const std::int64_t final_norm = (bias ? 2 : 1) * d_model;
  return vocab_size * d_model + positions +
         num_layers * block_options(*this).encoder_block_parameters() + final_norm + head;
}

DecoderLM::DecoderLM(const DecoderLMConfig& cfg, std::uint64_t seed)
    : cfg_(checked(cfg)),
      init_rng_(seed),
      embedding_(cfg_.vocab_size, cfg_.d_model, init_rng_),
      positions_(cfg_.positional, cfg_.block_size, cfg_.d_model, init_rng_),
      final_norm_(cfg_.d_model, cfg_.layer_norm_eps, cfg_.bias) {
  register_module("embedding", embedding_);
  if (cfg_.positional == nn::Positional::learned) register_module("pos_embedding", positions_);
  // A GPT block is exactly PyTorch's pre-norm TransformerEncoderLayer with a causal mask,
  // so the decoder reuses EncoderLayer rather than a copy of it.
  const nn::EncoderLayerOptions o = block_options(cfg_);
  for (std::int64_t i = 0; i < cfg_.num_layers; ++i) {
    layers_.push_back(std::make_unique<nn::EncoderLayer>(o, init_rng_));
    register_module(fmt::format("layers.{}", i), *layers_.back());
  }
  register_module("final_norm", final_norm_);
  if (!cfg_.tie_embeddings) {
    // nanoGPT's lm_head has no bias, tied or not.
    lm_head_ = std::make_unique<nn::Linear>(cfg_.d_model, cfg_.vocab_size, false, init_rng_);
    register_module("lm_head", *lm_head_);
  }
  init_weights(init_rng_);
}

void DecoderLM::init_weights(Rng& rng) {
  // Residual projections are scaled so the residual stream's variance does not grow
  // with depth (GPT-2 paper §2.3, nanoGPT's c_proj init).
  const float base = 0.02f;
  const float residual =
      base / std::sqrt(2.0f * static_cast<float>(std::max<std::int64_t>(cfg_.num_layers, 1)));
  for (auto& p : parameters()) {
    Tensor& t = p.var.value();
    if (t.rank() != 2) continue;  // biases and norms keep their zeros / ones
    const bool res = ends_with(p.name, "out_proj.weight") || ends_with(p.name, "linear2.weight");
    nn::fill_normal(t, res ? residual : base, rng);
  }
}

Variable DecoderLM::forward(Context& ctx, const std::vector<std::int32_t>& ids, std::int64_t batch,
                            std::int64_t time, std::vector<Tensor>* attention) const {
  ATTN_CHECK(batch >= 1 && time >= 1 && static_cast<std::int64_t>(ids.size()) == batch * time,
             "decoder_lm: expected ids [B, T] = [{}, {}] ({} values), got {} ids", batch, time,
             batch * time, ids.size());
  ATTN_CHECK(time <= cfg_.block_size, "decoder_lm: sequence length {} exceeds model.block_size {}",
             time, cfg_.block_size);
  for (std::size_t i = 0; i < ids.size(); ++i)
    ATTN_CHECK(ids[i] >= 0 && ids[i] < cfg_.vocab_size,
               "decoder_lm: token id {} at position {} is outside the vocabulary [0, {})", ids[i],
               i, cfg_.vocab_size);
  Variable x = embedding_.forward(ctx, ids, {batch, time});  // [B, T, C]
  x = positions_.forward(ctx, x);
  x = ops::dropout(ctx, x, cfg_.dropout);
  nn::AttentionMaskSpec mask;
  mask.use_causal_mask = true;
  for (const auto& layer : layers_) {
    Tensor* scores = nullptr;
    if (attention) scores = &attention->emplace_back();
    x = layer->forward(ctx, x, mask, scores);
  }
  x = final_norm_.forward(ctx, x);
  // x [B, T, C], W [V, C] -> [B, T, V]: linear computes x·Wᵀ, which with the embedding
  // table is the tied head.
  return ops::linear(ctx, x, lm_head_ ? lm_head_->weight() : embedding_.weight(), Variable());
}

Variable DecoderLM::loss(Context& ctx, const Variable& logits,
                         const std::vector<std::int32_t>& targets,
                         std::int32_t ignore_index) const {
  const Shape& s = logits.shape();
  ATTN_CHECK(s.size() == 3 && s[2] == cfg_.vocab_size &&
                 static_cast<std::int64_t>(targets.size()) == s[0] * s[1],
             "decoder_lm loss: expected logits [B, T, {}] and B*T targets, got logits {} and {} "
             "targets",
             cfg_.vocab_size, shape_str(s), targets.size());
  Variable flat = ops::reshape(ctx, logits, {s[0] * s[1], s[2]});  // [B*T, V]
  return ops::cross_entropy(ctx, flat, targets, 0.0f, ignore_index);
}

std::vector<LayerRow> DecoderLM::layer_rows() const {
  const std::string seq = fmt::format("(None, {}, {})", cfg_.block_size, cfg_.d_model);
  std::vector<LayerRow> rows;
  rows.push_back({"embedding", "Embedding", seq, embedding_.num_parameters()});
  rows.push_back({"pos_embedding",
                  cfg_.positional == nn::Positional::learned ? "PositionEmbedding"
                                                             : "SinusoidalPositionalEncoding",
                  seq, positions_.num_parameters()});
  for (std::size_t i = 0; i < layers_.size(); ++i)
    rows.push_back(
        {fmt::format("layers.{}", i), "CausalDecoderBlock", seq, layers_[i]->num_parameters()});
  rows.push_back({"final_norm", "LayerNormalization", seq, final_norm_.num_parameters()});
  // A tied head owns no weights: its parameters are the embedding's, counted once.
  rows.push_back({"lm_head", lm_head_ ? "Dense" : "Dense (tied to embedding)",
                  fmt::format("(None, {}, {})", cfg_.block_size, cfg_.vocab_size),
                  lm_head_ ? lm_head_->num_parameters() : 0});
  return rows;
}

}  // namespace attn::models

#pragma once
// DecoderLM: a GPT-style causal language model built from attn's existing layers.
//   x = embedding(ids) + positions            (learned [block_size, C] or sinusoidal)
//   x = dropout(x)
//   N x pre-norm block (nn::EncoderLayer, norm_first, GELU, causal self-attention):
//       x = x + drop(attn(norm1(x)));  x = x + drop(ff(norm2(x)))
//   x = final_norm(x);  logits = x · Wᵀ   (W = the embedding table when tied, else lm_head)
//
// Parameter names and their nanoGPT (karpathy/nanoGPT model.py) equivalents; the fixture
// script scripts/fixtures_lm.py maps them explicitly:
//   embedding.weight                      transformer.wte.weight
//   pos_embedding.weight (learned only)   transformer.wpe.weight
//   layers.i.norm1.{weight,bias}          transformer.h.i.ln_1.*
//   layers.i.self_attn.{q,k,v}_proj.*     transformer.h.i.attn.c_attn.* rows [0,C), [C,2C), [2C,3C)
//   layers.i.self_attn.out_proj.*         transformer.h.i.attn.c_proj.*
//   layers.i.norm2.{weight,bias}          transformer.h.i.ln_2.*
//   layers.i.linear1.*, layers.i.linear2.* transformer.h.i.mlp.c_fc.*, mlp.c_proj.*
//   final_norm.{weight,bias}              transformer.ln_f.*
//   lm_head.weight (untied only)          lm_head.weight
// Weight decay (NamedParameter::decay), as nanoGPT's configure_optimizers: every 2-D
// weight decays (Linear weights, the embedding, learned positions); biases and LayerNorm
// parameters do not.
// Dropout differs from nanoGPT in one place: EncoderLayer also drops the feed-forward's
// hidden activations (PyTorch's TransformerEncoderLayer), nanoGPT's MLP does not.
#include <cstdint>
#include <memory>
#include <vector>

#include "attn/models/encoder_classifier.h"
#include "attn/models/kv_cache.h"
#include "attn/nn/encoder_layer.h"

namespace attn::models {

struct DecoderLMConfig {
  std::int64_t vocab_size = 96;
  std::int64_t block_size = 256;  // longest context (positions table rows)
  std::int64_t d_model = 384;
  std::int64_t num_layers = 6;
  std::int64_t num_heads = 6;
  std::int64_t d_ff = 0;  // 0 = 4 * d_model
  float dropout = 0.0f;   // embeddings, attention probabilities, residual branches, FF hidden
  nn::Positional positional = nn::Positional::learned;  // learned | sinusoidal
  nn::Activation activation = nn::Activation::gelu;     // exact erf GELU, as nn.GELU()
  bool tie_embeddings = true;  // LM head = embedding table (no lm_head parameter)
  float layer_norm_eps = 1e-5f;
  bool bias = true;  // false: no biases in Linear layers or LayerNorms

  std::int64_t ff_size() const { return d_ff > 0 ? d_ff : 4 * d_model; }
  void validate() const;                 // throws attn::Error naming the bad field
  std::int64_t parameter_count() const;  // what DecoderLM registers, without building it
};

class DecoderLM : public nn::Module {
 public:
  // Weights are drawn as nanoGPT does: N(0, 0.02) for every 2-D weight, with the
  // residual projections (out_proj, linear2) scaled by 1/sqrt(2 * num_layers); zero
  // biases, unit LayerNorm gains.
  DecoderLM(const DecoderLMConfig& cfg, std::uint64_t seed);
  // ids [B, T] row-major (B*T values in [0, vocab_size)), T <= block_size -> logits [B, T, V].
  // attention (optional) receives one [B, H, T, T] probability tensor per layer.
  Variable forward(Context& ctx, const std::vector<std::int32_t>& ids, std::int64_t batch,
                   std::int64_t time, std::vector<Tensor>* attention = nullptr) const;
  // logits [B, T, V], targets B*T ids -> mean cross-entropy over the positions whose
  // target is not ignore_index (nanoGPT pads targets with -1).
  Variable loss(Context& ctx, const Variable& logits, const std::vector<std::int32_t>& targets,
                std::int32_t ignore_index = -1) const;
  const DecoderLMConfig& config() const { return cfg_; }

  // Incremental inference (decoder_lm_step.cpp), no tape, dropout off.
  // An empty cache for `batch` rows of up to `capacity` tokens (0 = block_size).
  KVCache new_cache(std::int64_t batch, std::int64_t capacity = 0) const;
  // ids [B, T] row-major, right-padded: row b's first counts[b] ids are real (counts empty
  // = all T). Appends them to the cache at positions length[b].. and returns logits
  // [B, T, V]; row b's logits at i < counts[b] equal forward() over its cached tokens plus
  // its new ones (the rest are padding, computed but meaningless). Throws attn::Error if
  // a row would exceed the cache's capacity.
  Tensor forward_step(const std::vector<std::int32_t>& ids, std::int64_t batch, std::int64_t time,
                      KVCache& cache, const std::vector<std::int64_t>& counts = {}) const;
  std::vector<LayerRow> layer_rows() const;

 private:
  void init_weights(Rng& rng);

  DecoderLMConfig cfg_;
  Rng init_rng_;
  nn::Embedding embedding_;
  nn::PositionalEncoding positions_;
  std::vector<std::unique_ptr<nn::EncoderLayer>> layers_;
  nn::LayerNorm final_norm_;
  std::unique_ptr<nn::Linear> lm_head_;  // untied only
};

}  // namespace attn::models

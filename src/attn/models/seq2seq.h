#pragma once
// Seq2Seq: the encoder–decoder Transformer of "Attention Is All You Need" (Vaswani et al.,
// 2017), with PyTorch nn.Transformer's layers and parameter names:
//   src = dropout(src_embedding(ids) · sqrt(C) + positions)        (scale: §3.4 of the paper)
//   memory = encoder.norm(N × encoder layer(src, source padding mask))
//   tgt = dropout(tgt_embedding(ids) · sqrt(C) + positions)
//   h = decoder.norm(N × decoder layer(tgt, memory; causal self-attention, cross-attention
//                    over the real source positions))
//   logits = h · Wᵀ (+ b)  with W = tgt_embedding.weight when tied, else output.weight
// nn.Transformer applies the final encoder.norm / decoder.norm for both norm placements,
// so this model does too (post-norm conformance needs them).
//
// Parameter names (the fixture script scripts/fixtures_seq2seq.py maps them to nn.Transformer,
// whose packed in_proj_weight splits into q_proj/k_proj/v_proj):
//   src_embedding.weight, tgt_embedding.weight (absent when share_embeddings)
//   src_pos.weight, tgt_pos.weight (learned positions only)
//   encoder.layers.i.{self_attn,linear1,linear2,norm1,norm2}.*, encoder.norm.*
//   decoder.layers.i.{self_attn,multihead_attn,linear1,linear2,norm1,norm2,norm3}.*,
//   decoder.norm.*, output.weight (untied only), output.bias (untied only)
// Initialisation: Xavier-uniform for every layer matrix (nn.Transformer's
// _reset_parameters), N(0, C^-0.5) for the embeddings so that after the sqrt(C) scale the
// inputs have unit variance (fairseq's Embedding); zero biases, unit norms.
#include <cstdint>
#include <memory>
#include <vector>

#include "attn/models/encoder_classifier.h"
#include "attn/nn/decoder_layer.h"

namespace attn::models {

struct Seq2SeqConfig {
  std::int64_t source_vocab_size = 0;
  std::int64_t target_vocab_size = 0;
  std::int64_t max_len = 256;  // longest source or target (positions table rows)
  std::int64_t d_model = 256;
  std::int64_t num_heads = 4;
  std::int64_t encoder_layers = 3;
  std::int64_t decoder_layers = 3;
  std::int64_t d_ff = 0;    // 0 = 4 * d_model
  float dropout = 0.1f;     // embeddings, attention probabilities, residual branches, FF hidden
  bool norm_first = false;  // false = post-norm (the paper), true = pre-norm
  nn::Positional positional = nn::Positional::sinusoidal;
  nn::Activation activation = nn::Activation::relu;
  bool share_embeddings = false;  // one table for source and target (needs equal vocabularies)
  bool tie_output = true;         // output layer = target embedding table, no bias
  bool scale_embeddings = true;   // multiply embeddings by sqrt(d_model)
  float layer_norm_eps = 1e-5f;

  std::int64_t ff_size() const { return d_ff > 0 ? d_ff : 4 * d_model; }
  void validate() const;                 // throws attn::Error naming the bad field
  std::int64_t parameter_count() const;  // what Seq2Seq registers, without building it
};

class Seq2Seq : public nn::Module {
 public:
  Seq2Seq(const Seq2SeqConfig& cfg, std::uint64_t seed);

  // src ids [B, S] row-major, src_valid u8 [B, S] (1 = real token; undefined = all real)
  // -> memory [B, S, C]. attention (optional) receives one [B, H, S, S] tensor per layer.
  Variable encode(Context& ctx, const std::vector<std::int32_t>& src, std::int64_t batch,
                  std::int64_t src_time, const Tensor& src_valid,
                  std::vector<Tensor>* attention = nullptr) const;
  // memory [B, S, C], tgt ids [B, T] (teacher forcing: BOS + target) -> logits [B, T, V].
  // self_attention / cross_attention (optional) receive [B, H, T, T] / [B, H, T, S] per layer.
  Variable decode(Context& ctx, const Variable& memory, const Tensor& src_valid,
                  const std::vector<std::int32_t>& tgt, std::int64_t tgt_time,
                  std::vector<Tensor>* self_attention = nullptr,
                  std::vector<Tensor>* cross_attention = nullptr) const;
  // logits [B, T, V], targets B*T ids -> mean label-smoothed cross-entropy over the
  // positions whose target is not ignore_index (PyTorch's cross_entropy semantics).
  Variable loss(Context& ctx, const Variable& logits, const std::vector<std::int32_t>& targets,
                float label_smoothing, std::int32_t ignore_index = -100) const;

  const Seq2SeqConfig& config() const { return cfg_; }
  std::vector<LayerRow> layer_rows() const;

  // Read-only parts for incremental decoding (generate/), which reuses these weights.
  const nn::Embedding& source_embedding() const { return src_embedding_; }
  const nn::Embedding& target_embedding() const;
  const nn::PositionalEncoding& source_positions() const { return src_pos_; }
  const nn::PositionalEncoding& target_positions() const { return tgt_pos_; }
  const std::vector<std::unique_ptr<nn::EncoderLayer>>& encoder_layers() const { return encoder_; }
  const std::vector<std::unique_ptr<nn::DecoderLayer>>& decoder_layers() const { return decoder_; }
  const nn::LayerNorm& encoder_norm() const { return encoder_norm_; }
  const nn::LayerNorm& decoder_norm() const { return decoder_norm_; }
  // [V, C] output weights (the target embedding when tied) and bias (undefined when tied).
  const Variable& output_weight() const;
  const Variable& output_bias() const;
  float embedding_scale() const;

 private:
  Variable embed(Context& ctx, const nn::Embedding& table, const nn::PositionalEncoding& pos,
                 const std::vector<std::int32_t>& ids, std::int64_t batch, std::int64_t time,
                 std::int64_t vocab, const char* side) const;

  Seq2SeqConfig cfg_;
  Rng init_rng_;
  nn::Embedding src_embedding_;
  std::unique_ptr<nn::Embedding> tgt_embedding_;  // absent when share_embeddings
  nn::PositionalEncoding src_pos_, tgt_pos_;
  std::vector<std::unique_ptr<nn::EncoderLayer>> encoder_;
  nn::LayerNorm encoder_norm_;
  std::vector<std::unique_ptr<nn::DecoderLayer>> decoder_;
  nn::LayerNorm decoder_norm_;
  std::unique_ptr<nn::Linear> output_;  // untied only
};

}  // namespace attn::models

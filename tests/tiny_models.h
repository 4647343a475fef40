#pragma once
// Small models and hand-made batches shared by the whole-step tests (steady-state
// allocations, stale buffers): 2-layer models with dropout, padded rows.
#include <cstdint>
#include <vector>

#include "attn/core/tensor.h"
#include "attn/models/decoder_lm.h"
#include "attn/models/encoder_classifier.h"
#include "attn/models/seq2seq.h"

namespace attn::test {

inline models::DecoderLMConfig tiny_lm_config() {
  models::DecoderLMConfig c;
  c.vocab_size = 30;
  c.block_size = 16;
  c.d_model = 16;
  c.num_layers = 2;
  c.num_heads = 2;
  c.dropout = 0.1f;
  return c;
}

// Inputs and next-token targets [b, t] for a model with `vocab` tokens.
struct LmBatch {
  std::int64_t b = 2, t = 16;
  std::vector<std::int32_t> x, y;
};
inline LmBatch tiny_lm_batch(std::int32_t vocab, std::int64_t b = 2, std::int64_t t = 16) {
  LmBatch r{b, t, std::vector<std::int32_t>(b * t), std::vector<std::int32_t>(b * t)};
  for (std::size_t i = 0; i < r.x.size(); ++i) {
    r.x[i] = static_cast<std::int32_t>((i * 7) % vocab);
    r.y[i] = static_cast<std::int32_t>((i * 5 + 3) % vocab);
  }
  return r;
}

inline models::Seq2SeqConfig tiny_seq2seq_config(bool norm_first) {
  models::Seq2SeqConfig c;
  c.source_vocab_size = 20;
  c.target_vocab_size = 15;
  c.max_len = 10;
  c.d_model = 16;
  c.num_heads = 2;
  c.encoder_layers = 2;
  c.decoder_layers = 2;
  c.d_ff = 24;
  c.dropout = 0.1f;
  c.norm_first = norm_first;
  return c;
}

// Two sources of 6 tokens (the second padded to 3 real ones), decoder inputs and
// targets of 5 tokens.
struct Seq2SeqBatch {
  std::int64_t b = 2, s = 6, t = 5;
  std::vector<std::int32_t> src, tgt, out;
  Tensor src_valid;
};
inline Seq2SeqBatch tiny_seq2seq_batch() {
  Seq2SeqBatch r;
  r.src.resize(r.b * r.s);
  r.tgt.resize(r.b * r.t);
  r.out.resize(r.b * r.t);
  r.src_valid = Tensor::zeros({r.b, r.s}, DType::u8);
  for (std::int64_t i = 0; i < r.b * r.s; ++i) {
    r.src[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(1 + (i * 7) % 19);
    r.src_valid.data_as<std::uint8_t>()[i] = i < r.s + 3 ? 1 : 0;
  }
  for (std::int64_t i = 0; i < r.b * r.t; ++i) {
    r.tgt[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(1 + (i * 3) % 14);
    r.out[static_cast<std::size_t>(i)] = static_cast<std::int32_t>((i * 2) % 15);
  }
  return r;
}

inline models::ClassifierConfig tiny_classifier_config(bool bare_attention) {
  models::ClassifierConfig c;
  c.vocab_size = 25;
  c.max_len = 12;
  c.d_model = 16;
  c.positional = nn::Positional::sinusoidal;
  c.bare_attention = bare_attention;
  c.num_heads = 2;
  c.d_ff = 24;
  c.dropout = 0.1f;
  return c;
}

// Three rows of 12, 9 and 6 real tokens padded to 12, binary targets.
struct ClassifierBatch {
  std::vector<std::int32_t> ids;
  Tensor valid;
  std::vector<float> targets{1.0f, 0.0f, 1.0f};
};
inline ClassifierBatch tiny_classifier_batch() {
  ClassifierBatch r;
  r.valid = Tensor::zeros({3, 12}, DType::u8);
  for (std::int64_t i = 0; i < 36; ++i) {
    const bool real = i % 12 < 12 - 3 * (i / 12);
    r.ids.push_back(real ? static_cast<std::int32_t>(1 + (i * 5) % 24) : 0);
    r.valid.data_as<std::uint8_t>()[i] = real ? 1 : 0;
  }
  return r;
}

}  // namespace attn::test

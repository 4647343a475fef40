#include "attn/models/attention_capture.h"

namespace attn::models {

int AttentionCapture::total_heads() const {
  int n = 0;
  for (const auto& m : maps) n += m.heads();
  return n;
}

int AttentionCapture::total_tokens() const {
  int n = 0;
  for (const auto& s : sequences) n += static_cast<int>(s.tokens.size());
  return n;
}

void AttentionCapture::validate() const {
  const auto nseq = static_cast<int>(sequences.size());
  for (const auto& m : maps) {
    ATTN_CHECK(m.query_seq >= 0 && m.query_seq < nseq && m.key_seq >= 0 && m.key_seq < nseq,
               "attention map '{}': sequence indices ({}, {}) outside [0, {})", m.name, m.query_seq,
               m.key_seq, nseq);
    ATTN_CHECK(m.kind == "self" || m.kind == "cross",
               "attention map '{}': kind must be self or cross, got '{}'", m.name, m.kind);
    const auto tq =
        static_cast<std::int64_t>(sequences[static_cast<std::size_t>(m.query_seq)].tokens.size());
    const auto tk =
        static_cast<std::int64_t>(sequences[static_cast<std::size_t>(m.key_seq)].tokens.size());
    ATTN_CHECK(m.weights.defined() && m.weights.dtype() == DType::f32 && m.weights.rank() == 3 &&
                   m.weights.dim(0) >= 1 && m.weights.dim(1) == tq && m.weights.dim(2) == tk,
               "attention map '{}': expected f32 weights [H >= 1, {}, {}], got {}", m.name, tq, tk,
               m.weights.defined() ? shape_str(m.weights.shape()) : std::string("none"));
  }
}

}  // namespace attn::models

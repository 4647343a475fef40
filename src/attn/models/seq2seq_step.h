#pragma once
// Incremental (one token per step) decoding for Seq2Seq, inference only: no tape, dropout
// off. It runs the same modules as Seq2Seq::decode() through the read-only accessors, but
//   * projects the cross-attention keys and values from the encoder memory once, at start;
//   * keeps the decoder's self-attention keys and values in a KVCache, so a step costs one
//     token's work per layer instead of a recomputation of the whole prefix.
//
// Rows and sources are separate: the state holds Bs encoded sources, and each of its R
// decoder rows reads one of them (source_row). Beam search over Bs sentences × K beams is
// one batch of R = Bs·K rows whose cross keys/values are indexed, not copied K times.
// reorder() gathers rows (beam search's parent pointers), and may repeat, drop or shrink
// them: that is how a batch expands to K beams and sheds finished sentences.
#include <cstdint>
#include <vector>

#include "attn/models/kv_cache.h"
#include "attn/models/seq2seq.h"

namespace attn::models {

struct Seq2SeqState {
  std::int64_t rows = 0;                 // R: decoder rows now live
  std::int64_t sources = 0;              // Bs: encoded sources
  std::int64_t src_time = 0;             // S: padded source length
  std::vector<Tensor> cross_k;           // one per layer, [Bs, H, S, D], projected once by start()
  std::vector<Tensor> cross_v;           // one per layer, [Bs, H, S, D]
  Tensor src_valid;                      // u8 [Bs, S], 1 = real source token
  std::vector<std::int64_t> source_row;  // [R]: the source row r attends to
  // Self-attention keys/values of the tokens fed so far. self.batch == R and self.length[r]
  // is row r's fed-token count (its next token's position); the buffers may hold more
  // than R rows after reorder() shrank the batch (rows past R are unused).
  KVCache self;
  std::vector<Tensor> spare_k, spare_v;  // reorder's gather targets, swapped with self's
};

// memory [Bs, S, C] (Seq2Seq::encode's output), src_valid u8 [Bs, S] (undefined = all
// real), capacity = the most tokens a row will be fed (bos included), in [1, max_len];
// 0 = max_len -> a state with Bs rows, row b reading source b, nothing fed yet.
Seq2SeqState start(const Seq2Seq& model, const Tensor& memory, const Tensor& src_valid,
                   std::int64_t capacity = 0);

// last_tokens [R] (the bos id on the first step, then each row's newest token)
// -> logits [R, V] for each row's next position. Appends the tokens to the cache.
// Equal (up to float rounding) to decode() over each row's whole fed prefix.
Tensor step(const Seq2Seq& model, Seq2SeqState& state,
            const std::vector<std::int32_t>& last_tokens);

// parent_rows [R'] (each in [0, R)) -> new row i continues old row parent_rows[i]: its
// cached tokens, fed length and source. R' may differ from R (expand to beams, drop
// finished rows); it must be >= 1.
void reorder(Seq2SeqState& state, const std::vector<std::int64_t>& parent_rows);

}  // namespace attn::models

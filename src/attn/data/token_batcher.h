#pragma once
// Batches of (source, target) token sequences for an encoder-decoder, sized by
// TOTAL TOKENS rather than by rows (fairseq's --max-tokens): short pairs travel
// in many-row batches and long ones in few, so every step costs about the same.
// Pairs are sorted by (decoder length, source length) before they are cut, which
// keeps padding low; the batch order is then shuffled. As in Batcher, the whole
// plan of an epoch is a pure function of (seed, epoch) -- ties are broken and
// batches shuffled by counter_hash -- so a run resumed at (epoch, cursor) sees
// exactly the batches of the uninterrupted run without saving any permutation.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "attn/core/error.h"
#include "attn/core/tensor.h"

namespace attn {

struct PairSet {
  std::vector<std::vector<std::int32_t>> source;  // encoder input per pair
  std::vector<std::vector<std::int32_t>> target;  // decoder target per pair, WITHOUT bos/eos
};

struct PairBatch {
  std::int64_t batch = 0;             // B: rows
  std::int64_t src_time = 0;          // S: longest (truncated) source in the batch
  std::int64_t tgt_time = 0;          // T: longest (truncated) target + 1
  std::vector<std::int32_t> src;      // [B,S] source ids, padded with pad_id
  Tensor src_valid;                   // u8 [B,S], 1 = real token
  std::vector<std::int32_t> tgt_in;   // [B,T] bos + target, padded with pad_id (decoder input)
  std::vector<std::int32_t> tgt_out;  // [B,T] target + eos, padded with ignore_index (labels)
  Tensor tgt_valid;                   // u8 [B,T], 1 where tgt_out is a real label
  std::vector<std::size_t> indices;   // [B] pair indices into the PairSet
  std::int64_t tgt_tokens = 0;        // real labels (eos included): the loss denominator
  std::int64_t src_tokens = 0;        // real source tokens
};

struct TokenBatcherOptions {
  // Upper bound on rows * max(S, T) per batch; one pair above it is a batch of one.
  std::int64_t max_tokens = 4096;
  // 0 = no limit. A longer source keeps its first max_source_len tokens.
  std::int64_t max_source_len = 0;
  // 0 = no limit. Bounds the decoder length T (target + 1): a longer target keeps
  // its first max_target_len - 1 tokens and still ends in eos, so T fits a
  // decoder with max_target_len positions.
  std::int64_t max_target_len = 0;
  bool shuffle = true;  // false: batches in sorted order, identical every epoch (evaluation)
  // false: no length sort; pairs are cut in shuffled (or input) order. Only
  // useful as the baseline that shows what sorting saves.
  bool sort_by_length = true;
  std::int32_t pad_id = 0;
  std::int32_t bos_id = -1;  // -1 = unset: the constructor insists on real ids
  std::int32_t eos_id = -1;
  std::int32_t ignore_index = -100;
};

// Token and padding totals of one epoch's plan, for the training log.
struct TokenBatchStats {
  std::size_t pairs = 0;
  std::size_t batches = 0;
  std::size_t oversized_batches = 0;   // single pairs longer than max_tokens
  std::size_t truncated_sources = 0;   // pairs cut by max_source_len
  std::size_t truncated_targets = 0;   // pairs cut by max_target_len
  std::int64_t src_tokens = 0;         // real tokens after truncation
  std::int64_t tgt_tokens = 0;         // real labels, eos included
  std::int64_t padded_src_tokens = 0;  // sum over batches of B*S
  std::int64_t padded_tgt_tokens = 0;  // sum over batches of B*T
  std::int64_t max_rows = 0;           // largest B

  // Real tokens / padded tokens over source and target together, in (0, 1].
  double padding_efficiency() const;
};

class TokenBatcher {
 public:
  // `set` must outlive the TokenBatcher. Throws attn::Error for an empty set,
  // source/target counts that differ, an empty source, a negative token id, and
  // bad options (max_tokens < 1, negative or equal pad/bos/eos, eos == ignore_index).
  TokenBatcher(const PairSet* set, TokenBatcherOptions options);

  // Builds the plan for `epoch` and rewinds the cursor to its first batch.
  void start_epoch(std::uint64_t epoch, std::uint64_t seed);
  // Fills `out` with the next batch; false (and `out` untouched) at epoch end.
  bool next(PairBatch& out);

  // Index of the next batch within the epoch (what a checkpoint saves).
  std::size_t cursor() const { return cursor_; }
  // Jumps to batch `cursor` of the current epoch; call after start_epoch to resume.
  void seek(std::size_t cursor);
  std::uint64_t epoch() const { return epoch_; }
  // Batches in this epoch. With sort_by_length it is the same every epoch,
  // because ties are broken only among pairs of identical lengths.
  std::size_t num_batches() const { return batch_order_.size(); }
  std::size_t size() const { return src_len_.size(); }
  const TokenBatchStats& stats() const { return stats_; }
  const TokenBatcherOptions& options() const { return opt_; }

 private:
  const PairSet* set_;
  TokenBatcherOptions opt_;
  std::vector<std::int32_t> src_len_;  // per pair, after truncation
  std::vector<std::int32_t> tgt_len_;  // per pair, after truncation, WITHOUT eos
  std::uint64_t epoch_ = 0;
  std::size_t cursor_ = 0;
  std::vector<std::size_t> order_;        // pair indices, batch by batch (sorted order)
  std::vector<std::size_t> starts_;       // batch k is order_[starts_[k], starts_[k+1])
  std::vector<std::size_t> batch_order_;  // the epoch's visiting order of batches
  TokenBatchStats stats_;
  std::size_t truncated_sources_ = 0;
  std::size_t truncated_targets_ = 0;
};

// Puts per-row results back in input order: out[batch.indices[r]] = rows[r].
// `out` must already hold one slot per pair of the set (e.g. resized to size()).
template <typename T>
void scatter_to_input_order(const PairBatch& batch, std::vector<T>& rows, std::vector<T>& out) {
  ATTN_CHECK(rows.size() == batch.indices.size(),
             "scatter_to_input_order: {} results for a batch of {} rows", rows.size(),
             batch.indices.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    ATTN_CHECK(batch.indices[r] < out.size(),
               "scatter_to_input_order: pair index {} outside an output of {} slots",
               batch.indices[r], out.size());
    out[batch.indices[r]] = std::move(rows[r]);
  }
}

}  // namespace attn

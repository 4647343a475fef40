#pragma once
// Turns encoded examples into padded batches. The order of an epoch is a pure
// function of (seed, epoch) -- a Fisher-Yates shuffle driven by counter_hash --
// so a run resumed at (epoch, cursor) yields exactly the batches the
// uninterrupted run would have, without saving the permutation.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "attn/core/tensor.h"

namespace attn {

struct EncodedSet {
  std::vector<std::vector<std::int32_t>> ids;  // one token sequence per example
  std::vector<float> targets;                  // one per example, or empty
};

struct Batch {
  std::vector<std::int32_t> ids;     // [B, T] row-major, padded with 0
  std::int64_t batch = 0;            // B: rows in this batch (the last one may be short)
  std::int64_t time = 0;             // T: longest (truncated) row, at least 1
  Tensor valid;                      // u8 [B, T], 1 = real token, 0 = padding
  std::vector<float> targets;        // [B] (empty when the set has no targets)
  std::vector<std::size_t> indices;  // [B] example indices into the EncodedSet
};

class Batcher {
 public:
  // `set` must outlive the Batcher. max_len > 0 truncates longer sequences to
  // their first max_len tokens. bucket_by_length sorts windows of ~50 batches
  // by length before cutting them into batches, so rows of similar length are
  // padded together; the batch order inside a window is shuffled again.
  Batcher(const EncodedSet* set, std::int64_t batch_size, std::int64_t max_len, bool shuffle,
          bool bucket_by_length);

  // Builds the order for `epoch` and rewinds the cursor to its first batch.
  void start_epoch(std::uint64_t epoch, std::uint64_t seed);
  // Fills `out` with the next batch; false (and `out` untouched) at epoch end.
  bool next(Batch& out);

  // Index of the next batch within the epoch (what a checkpoint saves).
  std::size_t cursor() const { return cursor_; }
  std::uint64_t epoch() const { return epoch_; }
  // Same as start_epoch(epoch, seed) followed by skipping `cursor` batches.
  void set_cursor(std::uint64_t epoch, std::size_t cursor, std::uint64_t seed);
  std::size_t batches_per_epoch() const;
  std::size_t size() const { return set_->ids.size(); }

 private:
  std::int64_t length_of(std::size_t example) const;

  const EncodedSet* set_;
  std::int64_t batch_size_;
  std::int64_t max_len_;
  bool shuffle_;
  bool bucket_;
  std::uint64_t epoch_ = 0;
  std::size_t cursor_ = 0;
  std::vector<std::vector<std::size_t>> batches_;  // example indices per batch, this epoch
};

}  // namespace attn

#include "attn/data/batcher.h"

#include <algorithm>
#include <numeric>

#include "attn/core/error.h"
#include "attn/core/rng.h"

namespace attn {
namespace {

// Stream keys keep the two shuffles independent of each other and of other
// users of the same seed (dropout, init), which use small keys.
constexpr std::uint64_t kOrderKey = 0x6261746368657230ull;   // "batcher0"
constexpr std::uint64_t kBucketKey = 0x6261746368657231ull;  // "batcher1"
constexpr std::size_t kBucketWindowBatches = 50;

// Uniform integer in [0, n) from 64 random bits (multiply-shift; the bias is
// below 2^-32 for any dataset size attn will see, and it stays deterministic).
std::size_t below(std::uint64_t bits, std::size_t n) {
  return static_cast<std::size_t>((static_cast<unsigned __int128>(bits) * n) >> 64);
}

// In-place Fisher-Yates over v, driven by counter_hash(seed, key, i).
template <typename T>
void shuffle_with(std::vector<T>& v, std::uint64_t seed, std::uint64_t key) {
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::size_t j = below(counter_hash(seed, key, i), i);
    std::swap(v[i - 1], v[j]);
  }
}

}  // namespace

Batcher::Batcher(const EncodedSet* set, std::int64_t batch_size, std::int64_t max_len, bool shuffle,
                 bool bucket_by_length)
    : set_(set),
      batch_size_(batch_size),
      max_len_(max_len),
      shuffle_(shuffle),
      bucket_(bucket_by_length) {
  ATTN_CHECK(set != nullptr, "Batcher: null EncodedSet");
  ATTN_CHECK(batch_size > 0, "Batcher: batch_size must be > 0, got {}", batch_size);
  ATTN_CHECK(max_len > 0, "Batcher: max_len must be > 0, got {}", max_len);
  ATTN_CHECK(set->targets.empty() || set->targets.size() == set->ids.size(),
             "Batcher: {} targets for {} examples (expected one per example or none)",
             set->targets.size(), set->ids.size());
  start_epoch(0, 0);
}

std::int64_t Batcher::length_of(std::size_t example) const {
  return std::min<std::int64_t>(static_cast<std::int64_t>(set_->ids[example].size()), max_len_);
}

std::size_t Batcher::batches_per_epoch() const {
  const std::size_t b = static_cast<std::size_t>(batch_size_);
  return (size() + b - 1) / b;
}

void Batcher::start_epoch(std::uint64_t epoch, std::uint64_t seed) {
  epoch_ = epoch;
  cursor_ = 0;
  std::vector<std::size_t> order(size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Mixing the epoch into the key (not the seed) gives each epoch its own stream.
  if (shuffle_) shuffle_with(order, seed, kOrderKey ^ mix64(epoch));
  const std::size_t b = static_cast<std::size_t>(batch_size_);
  batches_.clear();
  const std::size_t window = bucket_ ? b * kBucketWindowBatches : order.size();
  for (std::size_t w0 = 0; w0 < order.size(); w0 += window) {
    const std::size_t w1 = std::min(order.size(), w0 + window);
    if (bucket_) {
      // Stable, so equal lengths keep the shuffled order and the result is deterministic.
      std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(w0),
                       order.begin() + static_cast<std::ptrdiff_t>(w1),
                       [&](std::size_t a, std::size_t c) { return length_of(a) < length_of(c); });
    }
    const std::size_t first_batch = batches_.size();
    for (std::size_t s = w0; s < w1; s += b) {
      batches_.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(s),
                            order.begin() + static_cast<std::ptrdiff_t>(std::min(w1, s + b)));
    }
    if (bucket_ && shuffle_) {
      // Without this every window would run from short to long batches.
      std::vector<std::vector<std::size_t>> win(
          std::make_move_iterator(batches_.begin() + static_cast<std::ptrdiff_t>(first_batch)),
          std::make_move_iterator(batches_.end()));
      shuffle_with(win, seed, kBucketKey ^ mix64(epoch) ^ mix64(w0 + 1));
      std::move(win.begin(), win.end(),
                batches_.begin() + static_cast<std::ptrdiff_t>(first_batch));
    }
  }
}

void Batcher::set_cursor(std::uint64_t epoch, std::size_t cursor, std::uint64_t seed) {
  start_epoch(epoch, seed);
  ATTN_CHECK(cursor <= batches_.size(), "Batcher: cursor {} past the end of epoch {} ({} batches)",
             cursor, epoch, batches_.size());
  cursor_ = cursor;
}

// -> out.ids [B,T], out.valid u8 [B,T], out.targets [B], out.indices [B]
bool Batcher::next(Batch& out) {
  if (cursor_ >= batches_.size()) return false;
  const std::vector<std::size_t>& rows = batches_[cursor_++];
  std::int64_t t = 1;  // never 0, so downstream shapes stay valid for all-empty rows
  for (std::size_t ex : rows) t = std::max(t, length_of(ex));
  const auto bsz = static_cast<std::int64_t>(rows.size());
  out.batch = bsz;
  out.time = t;
  out.indices = rows;
  out.ids.assign(static_cast<std::size_t>(bsz * t), 0);
  out.valid = Tensor::zeros({bsz, t}, DType::u8);
  auto* valid = out.valid.data_as<std::uint8_t>();
  out.targets.clear();
  for (std::int64_t r = 0; r < bsz; ++r) {
    const std::size_t ex = rows[static_cast<std::size_t>(r)];
    const std::int64_t len = length_of(ex);
    const std::int32_t* src = set_->ids[ex].data();
    std::copy(src, src + len, out.ids.begin() + r * t);
    std::fill(valid + r * t, valid + r * t + len, std::uint8_t{1});
    if (!set_->targets.empty()) out.targets.push_back(set_->targets[ex]);
  }
  return true;
}

}  // namespace attn

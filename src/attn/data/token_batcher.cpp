#include "attn/data/token_batcher.h"

#include <algorithm>
#include <numeric>

#include "attn/core/rng.h"

namespace attn {
namespace {

// Stream keys, distinct from Batcher's, so the two never share random bits.
constexpr std::uint64_t kTieKey = 0x746f6b6261746330ull;    // "tokbatc0"
constexpr std::uint64_t kOrderKey = 0x746f6b6261746331ull;  // "tokbatc1"
constexpr std::uint64_t kPairKey = 0x746f6b6261746332ull;   // "tokbatc2"

// Uniform integer in [0, n) from 64 random bits (multiply-shift, as in Batcher).
std::size_t below(std::uint64_t bits, std::size_t n) {
  return static_cast<std::size_t>((static_cast<unsigned __int128>(bits) * n) >> 64);
}

// In-place Fisher-Yates over v, driven by counter_hash(seed, key, i).
void shuffle_with(std::vector<std::size_t>& v, std::uint64_t seed, std::uint64_t key) {
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::size_t j = below(counter_hash(seed, key, i), i);
    std::swap(v[i - 1], v[j]);
  }
}

void check_options(const TokenBatcherOptions& o) {
  ATTN_CHECK(o.max_tokens >= 1, "TokenBatcher: max_tokens must be >= 1, got {}", o.max_tokens);
  ATTN_CHECK(o.max_source_len >= 0,
             "TokenBatcher: max_source_len must be >= 0 (0 = no limit), got {}", o.max_source_len);
  ATTN_CHECK(o.max_target_len >= 0,
             "TokenBatcher: max_target_len must be >= 0 (0 = no limit), got {}", o.max_target_len);
  ATTN_CHECK(o.pad_id >= 0, "TokenBatcher: pad_id must be >= 0, got {}", o.pad_id);
  ATTN_CHECK(o.bos_id >= 0, "TokenBatcher: bos_id must be set to a token id >= 0, got {}",
             o.bos_id);
  ATTN_CHECK(o.eos_id >= 0, "TokenBatcher: eos_id must be set to a token id >= 0, got {}",
             o.eos_id);
  ATTN_CHECK(o.pad_id != o.bos_id && o.pad_id != o.eos_id && o.bos_id != o.eos_id,
             "TokenBatcher: pad_id, bos_id and eos_id must be distinct, got {}, {}, {}", o.pad_id,
             o.bos_id, o.eos_id);
  // Otherwise every end-of-sentence label would be dropped from the loss.
  ATTN_CHECK(o.ignore_index != o.eos_id, "TokenBatcher: ignore_index must differ from eos_id ({})",
             o.eos_id);
}

void check_ids(const std::vector<std::int32_t>& ids, std::size_t pair, const char* side) {
  for (std::size_t t = 0; t < ids.size(); ++t)
    ATTN_CHECK(ids[t] >= 0, "TokenBatcher: pair {} {} token {} has negative id {}", pair, side, t,
               ids[t]);
}

}  // namespace

double TokenBatchStats::padding_efficiency() const {
  const std::int64_t padded = padded_src_tokens + padded_tgt_tokens;
  return padded == 0 ? 1.0
                     : static_cast<double>(src_tokens + tgt_tokens) / static_cast<double>(padded);
}

TokenBatcher::TokenBatcher(const PairSet* set, TokenBatcherOptions options)
    : set_(set), opt_(options) {
  ATTN_CHECK(set != nullptr, "TokenBatcher: null PairSet");
  check_options(opt_);
  ATTN_CHECK(set->source.size() == set->target.size(),
             "TokenBatcher: {} sources but {} targets (expected one target per source)",
             set->source.size(), set->target.size());
  ATTN_CHECK(!set->source.empty(), "TokenBatcher: empty PairSet (expected at least one pair)");
  const std::size_t n = set->source.size();
  src_len_.resize(n);
  tgt_len_.resize(n);
  // Decoder length T = target + 1, so the target budget is one less than the limit.
  const std::int64_t src_cap = opt_.max_source_len > 0 ? opt_.max_source_len : INT32_MAX;
  const std::int64_t tgt_cap = opt_.max_target_len > 0 ? opt_.max_target_len - 1 : INT32_MAX - 1;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& src = set->source[i];
    const auto& tgt = set->target[i];
    // A source of no tokens would leave cross-attention nothing to attend to.
    ATTN_CHECK(!src.empty(), "TokenBatcher: pair {} has an empty source (expected >= 1 token)", i);
    check_ids(src, i, "source");
    check_ids(tgt, i, "target");
    const auto s = static_cast<std::int64_t>(src.size());
    const auto t = static_cast<std::int64_t>(tgt.size());
    truncated_sources_ += s > src_cap ? 1 : 0;
    truncated_targets_ += t > tgt_cap ? 1 : 0;
    src_len_[i] = static_cast<std::int32_t>(std::min(s, src_cap));
    tgt_len_[i] = static_cast<std::int32_t>(std::min(t, tgt_cap));
  }
  start_epoch(0, 0);
}

void TokenBatcher::start_epoch(std::uint64_t epoch, std::uint64_t seed) {
  epoch_ = epoch;
  cursor_ = 0;
  const std::size_t n = size();
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  // Mixing the epoch into the key (not the seed) gives each epoch its own stream.
  const std::uint64_t epoch_mix = mix64(epoch);
  if (opt_.sort_by_length) {
    // Random tie-break among equal lengths so batches of equal shape hold
    // different pairs each epoch; the index makes the order total.
    std::vector<std::uint64_t> tie(n, 0);
    if (opt_.shuffle)
      for (std::size_t i = 0; i < n; ++i) tie[i] = counter_hash(seed, kTieKey ^ epoch_mix, i);
    std::sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
      if (tgt_len_[a] != tgt_len_[b]) return tgt_len_[a] < tgt_len_[b];
      if (src_len_[a] != src_len_[b]) return src_len_[a] < src_len_[b];
      if (tie[a] != tie[b]) return tie[a] < tie[b];
      return a < b;
    });
  } else if (opt_.shuffle) {
    shuffle_with(order_, seed, kPairKey ^ epoch_mix);
  }

  // Greedy cut: extend the batch while rows * max(S, T) stays within budget.
  starts_.assign(1, 0);
  stats_ = TokenBatchStats{};
  std::int64_t rows = 0, s_max = 0, t_max = 0;
  auto close_batch = [&](std::size_t end) {
    starts_.push_back(end);
    stats_.padded_src_tokens += rows * s_max;
    stats_.padded_tgt_tokens += rows * t_max;
    stats_.max_rows = std::max(stats_.max_rows, rows);
    if (rows == 1 && std::max(s_max, t_max) > opt_.max_tokens) ++stats_.oversized_batches;
  };
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = order_[k];
    const std::int64_t s = src_len_[i], t = tgt_len_[i] + 1;
    const std::int64_t s_new = std::max(s_max, s), t_new = std::max(t_max, t);
    if (rows > 0 && (rows + 1) * std::max(s_new, t_new) > opt_.max_tokens) {
      close_batch(k);
      rows = 0;
      s_max = s;
      t_max = t;
    } else {
      s_max = s_new;
      t_max = t_new;
    }
    ++rows;
    stats_.src_tokens += s;
    stats_.tgt_tokens += t;
  }
  close_batch(n);

  const std::size_t num = starts_.size() - 1;
  batch_order_.resize(num);
  std::iota(batch_order_.begin(), batch_order_.end(), std::size_t{0});
  // Without this an epoch would run from the shortest batches to the longest.
  if (opt_.shuffle) shuffle_with(batch_order_, seed, kOrderKey ^ epoch_mix);
  stats_.pairs = n;
  stats_.batches = num;
  stats_.truncated_sources = truncated_sources_;
  stats_.truncated_targets = truncated_targets_;
}

void TokenBatcher::seek(std::size_t cursor) {
  ATTN_CHECK(cursor <= num_batches(),
             "TokenBatcher: cursor {} past the end of epoch {} ({} batches)", cursor, epoch_,
             num_batches());
  cursor_ = cursor;
}

// -> src [B,S], src_valid u8 [B,S], tgt_in/tgt_out [B,T], tgt_valid u8 [B,T], indices [B]
bool TokenBatcher::next(PairBatch& out) {
  if (cursor_ >= batch_order_.size()) return false;
  const std::size_t k = batch_order_[cursor_++];
  const std::size_t begin = starts_[k], end = starts_[k + 1];
  const auto b = static_cast<std::int64_t>(end - begin);
  std::int64_t s_max = 1, t_max = 1;
  for (std::size_t p = begin; p < end; ++p) {
    s_max = std::max<std::int64_t>(s_max, src_len_[order_[p]]);
    t_max = std::max<std::int64_t>(t_max, tgt_len_[order_[p]] + 1);
  }
  out.batch = b;
  out.src_time = s_max;
  out.tgt_time = t_max;
  out.indices.assign(order_.begin() + static_cast<std::ptrdiff_t>(begin),
                     order_.begin() + static_cast<std::ptrdiff_t>(end));
  out.src.assign(static_cast<std::size_t>(b * s_max), opt_.pad_id);
  out.tgt_in.assign(static_cast<std::size_t>(b * t_max), opt_.pad_id);
  out.tgt_out.assign(static_cast<std::size_t>(b * t_max), opt_.ignore_index);
  out.src_valid = Tensor::zeros({b, s_max}, DType::u8);
  out.tgt_valid = Tensor::zeros({b, t_max}, DType::u8);
  auto* src_valid = out.src_valid.data_as<std::uint8_t>();
  auto* tgt_valid = out.tgt_valid.data_as<std::uint8_t>();
  out.src_tokens = 0;
  out.tgt_tokens = 0;
  for (std::int64_t r = 0; r < b; ++r) {
    const std::size_t i = out.indices[static_cast<std::size_t>(r)];
    const std::int64_t sl = src_len_[i], tl = tgt_len_[i];
    const std::int32_t* src = set_->source[i].data();
    const std::int32_t* tgt = set_->target[i].data();
    std::copy(src, src + sl, out.src.begin() + r * s_max);
    std::fill(src_valid + r * s_max, src_valid + r * s_max + sl, std::uint8_t{1});
    // Teacher forcing: the decoder reads bos y1..yn and must predict y1..yn eos.
    auto in_row = out.tgt_in.begin() + r * t_max;
    auto out_row = out.tgt_out.begin() + r * t_max;
    in_row[0] = opt_.bos_id;
    std::copy(tgt, tgt + tl, in_row + 1);
    std::copy(tgt, tgt + tl, out_row);
    out_row[tl] = opt_.eos_id;
    std::fill(tgt_valid + r * t_max, tgt_valid + r * t_max + tl + 1, std::uint8_t{1});
    out.src_tokens += sl;
    out.tgt_tokens += tl + 1;
  }
  return true;
}

}  // namespace attn

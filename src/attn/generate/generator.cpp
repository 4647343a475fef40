#include "attn/generate/generator.h"

#include <algorithm>
#include <span>

#include "attn/core/error.h"

namespace attn::generate {

void validate(const GenerateOptions& opt) {
  validate(opt.sampling);
  ATTN_CHECK(opt.max_new_tokens >= 0, "generate: max_new_tokens must be >= 0, got {}",
             opt.max_new_tokens);
  for (std::size_t i = 0; i < opt.stop_sequences.size(); ++i)
    ATTN_CHECK(!opt.stop_sequences[i].empty(), "generate: stop sequence {} is empty", i);
  ATTN_CHECK(opt.sample_vocab >= 0, "generate: sample_vocab must be >= 0, got {}",
             opt.sample_vocab);
}

namespace {

bool ends_with(const std::vector<std::int32_t>& s, const std::vector<std::int32_t>& suffix) {
  return s.size() >= suffix.size() && std::equal(suffix.rbegin(), suffix.rend(), s.rbegin());
}

// Per-row decoding state shared by the cached and uncached paths.
struct Rows {
  std::vector<std::vector<std::int32_t>> context;  // prompt (or bos) + generated
  std::vector<std::vector<std::int32_t>> out;      // generated only
  std::vector<bool> done;
};

// The last min(len, window) tokens of each listed row, right-padded with id 0 into
// [rows, T]; counts[i] = that row's real length.
std::vector<std::int32_t> padded_windows(const Rows& st, const std::vector<std::size_t>& rows,
                                         std::int64_t window, std::int64_t& time,
                                         std::vector<std::int64_t>& counts) {
  counts.clear();
  time = 1;
  for (std::size_t r : rows) {
    counts.push_back(
        std::min<std::int64_t>(static_cast<std::int64_t>(st.context[r].size()), window));
    time = std::max(time, counts.back());
  }
  std::vector<std::int32_t> ids(rows.size() * static_cast<std::size_t>(time), 0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& c = st.context[rows[i]];
    std::copy(c.end() - counts[i], c.end(), ids.begin() + static_cast<std::ptrdiff_t>(i) * time);
  }
  return ids;
}

}  // namespace

std::vector<std::vector<std::int32_t>> generate(
    const models::DecoderLM& model, const std::vector<std::vector<std::int32_t>>& prompts,
    const GenerateOptions& opt) {
  validate(opt);
  const auto& cfg = model.config();
  ATTN_CHECK(opt.bos_id >= 0 && opt.bos_id < cfg.vocab_size,
             "generate: bos id {} is outside the vocabulary [0, {})", opt.bos_id, cfg.vocab_size);
  const std::size_t n = prompts.size();
  Rows st;
  st.out.resize(n);
  st.done.assign(n, opt.max_new_tokens == 0);
  for (std::size_t r = 0; r < n; ++r) {
    st.context.push_back(prompts[r].empty() ? std::vector<std::int32_t>{opt.bos_id} : prompts[r]);
    // The last generated token is never fed back, so a row needs prompt + new - 1 slots.
    const std::int64_t need = static_cast<std::int64_t>(st.context[r].size()) +
                              std::max<std::int64_t>(opt.max_new_tokens - 1, 0);
    ATTN_CHECK(opt.overflow == ContextOverflow::slide || need <= cfg.block_size,
               "generate: prompt {} has {} tokens; with max_new_tokens {} it needs a context of "
               "{} tokens, more than the model's block_size {} (shorten the prompt, lower "
               "max_new_tokens, or use a sliding window)",
               r, st.context[r].size(), opt.max_new_tokens, need, cfg.block_size);
  }
  if (n == 0 || opt.max_new_tokens == 0) return st.out;

  const std::int64_t v_size = cfg.vocab_size;
  const std::int64_t sampled =
      opt.sample_vocab > 0 ? std::min<std::int64_t>(opt.sample_vocab, v_size) : v_size;
  std::vector<std::size_t> all(n);
  for (std::size_t r = 0; r < n; ++r) all[r] = r;
  models::KVCache cache;
  if (opt.use_kv_cache) cache = model.new_cache(static_cast<std::int64_t>(n));
  bool refill = true;                          // the cache must be (re)built from each row's window
  std::vector<const float*> next(n, nullptr);  // each live row's logits [V] for this step
  Tensor logits;
  Context ctx;  // no tape: inference

  for (std::int64_t step = 0; step < opt.max_new_tokens; ++step) {
    std::int64_t time = 1;
    std::vector<std::int64_t> counts;
    if (!opt.use_kv_cache) {
      // Reference path: every live row's window again, through the plain forward.
      // Right padding is harmless: causal attention never lets a real token see it.
      std::vector<std::size_t> live;
      for (std::size_t r = 0; r < n; ++r)
        if (!st.done[r]) live.push_back(r);
      auto ids = padded_windows(st, live, cfg.block_size, time, counts);
      const auto b = static_cast<std::int64_t>(live.size());
      logits = model.forward(ctx, ids, b, time).value();
      for (std::size_t i = 0; i < live.size(); ++i)
        next[live[i]] =
            logits.data() + (static_cast<std::int64_t>(i) * time + counts[i] - 1) * v_size;
    } else if (refill) {
      cache.reset();
      auto ids = padded_windows(st, all, cfg.block_size, time, counts);
      logits = model.forward_step(ids, static_cast<std::int64_t>(n), time, cache, counts);
      for (std::size_t r = 0; r < n; ++r)
        next[r] = logits.data() + (static_cast<std::int64_t>(r) * time + counts[r] - 1) * v_size;
      refill = false;
    } else {
      // One new token per live row; finished rows append nothing (count 0).
      std::vector<std::int32_t> ids(n);
      counts.assign(n, 0);
      for (std::size_t r = 0; r < n; ++r) {
        ids[r] = st.context[r].back();
        counts[r] = st.done[r] ? 0 : 1;
      }
      logits = model.forward_step(ids, static_cast<std::int64_t>(n), 1, cache, counts);
      for (std::size_t r = 0; r < n; ++r)
        next[r] = logits.data() + static_cast<std::int64_t>(r) * v_size;
    }

    bool any_live = false;
    for (std::size_t r = 0; r < n; ++r) {
      if (st.done[r]) continue;
      const std::int32_t tok =
          sample_next(std::span<const float>(next[r], static_cast<std::size_t>(sampled)),
                      opt.sampling, st.context[r], r, static_cast<std::uint64_t>(step));
      st.context[r].push_back(tok);
      st.out[r].push_back(tok);
      if (opt.on_token) opt.on_token(r, tok);
      for (const auto& s : opt.stop_sequences)
        if (ends_with(st.out[r], s)) st.done[r] = true;
      if (opt.should_stop && opt.should_stop(r)) st.done[r] = true;
      if (step + 1 == opt.max_new_tokens) st.done[r] = true;
      any_live = any_live || !st.done[r];
      // A full row cannot take its new token: rebuild the cache over the windows.
      if (!st.done[r] && opt.use_kv_cache && cache.length[r] >= cache.capacity) refill = true;
    }
    if (!any_live) break;
  }
  return st.out;
}

}  // namespace attn::generate

// DecoderLM's incremental forward over a KV cache. It runs the same modules and ops as
// forward() (through the layers' read-only accessors), but projects keys and values only
// for the new tokens and attends over the cached ones plus these.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "attn/models/decoder_lm.h"

namespace attn::models {

KVCache DecoderLM::new_cache(std::int64_t batch, std::int64_t capacity) const {
  if (capacity == 0) capacity = cfg_.block_size;
  ATTN_CHECK(batch >= 1, "kv cache: batch must be >= 1, got {}", batch);
  // Positions beyond block_size have no embedding, so the cache never holds more.
  ATTN_CHECK(capacity >= 1 && capacity <= cfg_.block_size,
             "kv cache: capacity must be in [1, block_size = {}], got {}", cfg_.block_size,
             capacity);
  KVCache c;
  c.batch = batch;
  c.heads = cfg_.num_heads;
  c.capacity = capacity;
  c.head_dim = cfg_.d_model / cfg_.num_heads;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    // Zeros, not empty: slots past a row's length are masked, but stay finite.
    c.k.push_back(Tensor::zeros({batch, c.heads, capacity, c.head_dim}));
    c.v.push_back(Tensor::zeros({batch, c.heads, capacity, c.head_dim}));
  }
  c.reset();
  return c;
}

namespace {

// x [B, H, T, D] rows i < counts[b] -> cache [B, H, capacity, D] at slots length[b] + i.
void append_rows(const Tensor& x, Tensor& cache, const std::vector<std::int64_t>& length,
                 const std::vector<std::int64_t>& counts, std::int64_t capacity) {
  const std::int64_t b_n = x.shape()[0], h_n = x.shape()[1], t = x.shape()[2], d = x.shape()[3];
  const float* src = x.data();
  float* dst = cache.data();
  for (std::int64_t b = 0; b < b_n; ++b)
    for (std::int64_t h = 0; h < h_n; ++h)
      std::memcpy(dst + ((b * h_n + h) * capacity + length[b]) * d, src + (b * h_n + h) * t * d,
                  static_cast<std::size_t>(counts[b] * d) * sizeof(float));
}

// cache [B, H, capacity, D] -> contiguous [B, H, S, D] (the first S slots), the layout
// the attention op expects.
Tensor leading_slots(const Tensor& cache, std::int64_t s) {
  const std::int64_t b_n = cache.shape()[0], h_n = cache.shape()[1];
  const std::int64_t cap = cache.shape()[2], d = cache.shape()[3];
  Tensor out = Tensor::empty({b_n, h_n, s, d});
  for (std::int64_t bh = 0; bh < b_n * h_n; ++bh)
    std::memcpy(out.data() + bh * s * d, cache.data() + bh * cap * d,
                static_cast<std::size_t>(s * d) * sizeof(float));
  return out;
}

}  // namespace

Tensor DecoderLM::forward_step(const std::vector<std::int32_t>& ids, std::int64_t batch,
                               std::int64_t time, KVCache& cache,
                               const std::vector<std::int64_t>& counts_in) const {
  ATTN_CHECK(batch >= 1 && time >= 1 && static_cast<std::int64_t>(ids.size()) == batch * time,
             "decoder_lm step: expected ids [B, T] = [{}, {}] ({} values), got {} ids", batch, time,
             batch * time, ids.size());
  ATTN_CHECK(cache.batch == batch && cache.k.size() == layers_.size() &&
                 cache.length.size() == static_cast<std::size_t>(batch),
             "decoder_lm step: cache is for {} rows and {} layers, the call has {} rows and the "
             "model {} layers",
             cache.batch, cache.k.size(), batch, layers_.size());
  std::vector<std::int64_t> counts = counts_in;
  if (counts.empty()) counts.assign(static_cast<std::size_t>(batch), time);
  ATTN_CHECK(counts.size() == static_cast<std::size_t>(batch),
             "decoder_lm step: expected {} per-row counts, got {}", batch, counts.size());
  for (std::int64_t b = 0; b < batch; ++b) {
    ATTN_CHECK(counts[b] >= 0 && counts[b] <= time,
               "decoder_lm step: row {} count {} is outside [0, {}]", b, counts[b], time);
    ATTN_CHECK(cache.length[b] + counts[b] <= cache.capacity,
               "decoder_lm step: row {} would hold {} + {} tokens, more than the cache's capacity "
               "{} (model.block_size {})",
               b, cache.length[b], counts[b], cache.capacity, cfg_.block_size);
  }
  for (std::size_t i = 0; i < ids.size(); ++i)
    ATTN_CHECK(ids[i] >= 0 && ids[i] < cfg_.vocab_size,
               "decoder_lm step: token id {} at position {} is outside the vocabulary [0, {})",
               ids[i], i, cfg_.vocab_size);

  Context ctx;  // no tape, not training: dropout is the identity
  const std::int64_t c_dim = cfg_.d_model, heads = cfg_.num_heads;
  Variable x = embedding_.forward(ctx, ids, {batch, time});  // [B, T, C], a fresh tensor
  // Row b's token i sits at position length[b] + i. Padding tokens (i >= counts[b]) are
  // clamped to a valid row of the table: their output is never used, only kept finite.
  const float* table = positions_.table().value().data();
  float* xd = x.value().data();
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t i = 0; i < time; ++i) {
      const std::int64_t pos = std::min(cache.length[b] + i, cfg_.block_size - 1);
      float* row = xd + (b * time + i) * c_dim;
      const float* p = table + pos * c_dim;
      for (std::int64_t c = 0; c < c_dim; ++c) row[c] += p[c];
    }

  // Keys visible after appending: S = the longest row. Query i of row b may see slots
  // j <= length[b] + i (causal), and never the slots past its own real tokens.
  std::int64_t s = 1;
  for (std::int64_t b = 0; b < batch; ++b) s = std::max(s, cache.length[b] + counts[b]);
  Tensor allow = Tensor::zeros({batch, time, s}, DType::u8);
  auto* a = allow.data_as<std::uint8_t>();
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t i = 0; i < time; ++i) {
      const std::int64_t end = std::min(cache.length[b] + i + 1, cache.length[b] + counts[b]);
      for (std::int64_t j = 0; j < end; ++j) a[(b * time + i) * s + j] = 1;
    }
  const ops::AttentionMask mask{allow, Tensor()};
  const float scale = 1.0f / std::sqrt(static_cast<float>(c_dim / heads));

  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const nn::EncoderLayer& layer = *layers_[l];
    const nn::MultiHeadAttention& mha = layer.self_attn();
    // Pre-norm block, as forward(): x += attn(norm1(x)); x += ff(norm2(x)).
    Variable h = layer.norm1().forward(ctx, x);
    const int hh = static_cast<int>(heads);
    Variable q = ops::split_heads(ctx, mha.q_proj().forward(ctx, h), hh);  // [B, H, T, D]
    Variable k = ops::split_heads(ctx, mha.k_proj().forward(ctx, h), hh);
    Variable v = ops::split_heads(ctx, mha.v_proj().forward(ctx, h), hh);
    append_rows(k.value(), cache.k[l], cache.length, counts, cache.capacity);
    append_rows(v.value(), cache.v[l], cache.length, counts, cache.capacity);
    Variable kc(leading_slots(cache.k[l], s)), vc(leading_slots(cache.v[l], s));
    Variable o = ops::attention(ctx, q, kc, vc, mask, scale, 0.0f);  // [B, H, T, D]
    x = ops::add(ctx, x, mha.out_proj().forward(ctx, ops::merge_heads(ctx, o)));
    x = ops::add(ctx, x, layer.feed_forward().forward(ctx, layer.norm2().forward(ctx, x)));
  }
  for (std::int64_t b = 0; b < batch; ++b) cache.length[b] += counts[b];
  x = final_norm_.forward(ctx, x);
  return ops::linear(ctx, x, lm_head_ ? lm_head_->weight() : embedding_.weight(), Variable())
      .value();  // [B, T, V]
}

}  // namespace attn::models

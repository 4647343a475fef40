// Seq2Seq's incremental decoder (see seq2seq_step.h). Projections, norms and the
// feed-forward go through the modules themselves (BLAS-backed ops, no tape); attention is a
// single-query loop here, because each row reads its keys in place: its own cache rows
// (no copy of the leading slots) and its source's cross keys (no copy per beam).
#include "attn/models/seq2seq_step.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "attn/core/thread_pool.h"

namespace attn::models {

Seq2SeqState start(const Seq2Seq& model, const Tensor& memory, const Tensor& src_valid,
                   std::int64_t capacity) {
  const Seq2SeqConfig& cfg = model.config();
  if (capacity == 0) capacity = cfg.max_len;
  ATTN_CHECK(memory.defined() && memory.rank() == 3 && memory.dim(2) == cfg.d_model &&
                 memory.dim(0) >= 1 && memory.dim(1) >= 1,
             "seq2seq step: expected memory [B, S, {}], got {}", cfg.d_model,
             memory.defined() ? shape_str(memory.shape()) : "nothing");
  const std::int64_t b_n = memory.dim(0), s_n = memory.dim(1);
  ATTN_CHECK(!src_valid.defined() ||
                 (src_valid.dtype() == DType::u8 && src_valid.shape() == Shape{b_n, s_n}),
             "seq2seq step: expected src_valid u8 [{}, {}], got {} {}", b_n, s_n,
             dtype_name(src_valid.dtype()), shape_str(src_valid.shape()));
  // Positions past max_len have no embedding, so no row is ever fed more tokens.
  ATTN_CHECK(capacity >= 1 && capacity <= cfg.max_len,
             "seq2seq step: capacity must be in [1, max_len = {}], got {}", cfg.max_len, capacity);

  Seq2SeqState st;
  st.rows = b_n;
  st.sources = b_n;
  st.src_time = s_n;
  if (src_valid.defined()) {
    st.src_valid = src_valid;
  } else {
    st.src_valid = Tensor::empty({b_n, s_n}, DType::u8);
    std::memset(st.src_valid.raw(), 1, static_cast<std::size_t>(b_n * s_n));
  }
  st.source_row.resize(static_cast<std::size_t>(b_n));
  for (std::int64_t b = 0; b < b_n; ++b) st.source_row[b] = b;

  Context ctx;  // no tape, not training
  const Variable mem(memory);
  const int heads = static_cast<int>(cfg.num_heads);
  for (const auto& layer : model.decoder_layers()) {
    const nn::MultiHeadAttention& mha = layer->cross_attn();
    st.cross_k.push_back(ops::split_heads(ctx, mha.k_proj().forward(ctx, mem), heads).value());
    st.cross_v.push_back(ops::split_heads(ctx, mha.v_proj().forward(ctx, mem), heads).value());
  }

  KVCache& c = st.self;
  c.batch = b_n;
  c.heads = cfg.num_heads;
  c.capacity = capacity;
  c.head_dim = cfg.d_model / cfg.num_heads;
  for (std::size_t l = 0; l < model.decoder_layers().size(); ++l) {
    // Slots are written before they are read (step appends, then attends), so no zeros.
    c.k.push_back(Tensor::empty({b_n, c.heads, capacity, c.head_dim}));
    c.v.push_back(Tensor::empty({b_n, c.heads, capacity, c.head_dim}));
  }
  c.reset();
  return st;
}

namespace {

// Where row r's keys for head 0 start, how many there are, and which may be attended.
struct KeyRange {
  std::int64_t offset = 0;  // floats into k / v
  std::int64_t count = 0;
  const std::uint8_t* valid = nullptr;  // [count] or null = all
};

// q [R, H·D] (one query per row), k / v: row r head h key j at
// offset(r) + h·head_stride + j·D -> out [R, H·D] = softmax(scale·q·kᵀ)·v per (r, h).
// A row with no allowed key gets zeros, as ops::attention does.
template <typename RangeFn>
void attend_one(const float* q, const float* k, const float* v, std::int64_t rows,
                std::int64_t heads, std::int64_t d, std::int64_t head_stride, std::int64_t max_keys,
                float scale, RangeFn range, float* out) {
  parallel_for(rows * heads, 4, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> p(static_cast<std::size_t>(max_keys));
    for (std::int64_t rh = begin; rh < end; ++rh) {
      const std::int64_t r = rh / heads, h = rh % heads;
      const KeyRange kr = range(r);
      const float* qv = q + rh * d;  // [R, H, D] == [R, H·D]
      const float* kb = k + kr.offset + h * head_stride;
      const float* vb = v + kr.offset + h * head_stride;
      float m = -INFINITY;
      for (std::int64_t j = 0; j < kr.count; ++j) {
        if (kr.valid && !kr.valid[j]) continue;
        const float* kj = kb + j * d;
        float dot = 0.0f;
        for (std::int64_t i = 0; i < d; ++i) dot += qv[i] * kj[i];
        p[j] = dot * scale;
        m = std::max(m, p[j]);
      }
      float* o = out + rh * d;
      std::fill(o, o + d, 0.0f);
      if (m == -INFINITY) continue;  // nothing allowed
      float sum = 0.0f;
      for (std::int64_t j = 0; j < kr.count; ++j) {
        if (kr.valid && !kr.valid[j]) continue;
        p[j] = std::exp(p[j] - m);
        sum += p[j];
      }
      const float inv = 1.0f / sum;
      for (std::int64_t j = 0; j < kr.count; ++j) {
        if (kr.valid && !kr.valid[j]) continue;
        const float w = p[j] * inv;
        const float* vj = vb + j * d;
        for (std::int64_t i = 0; i < d; ++i) o[i] += w * vj[i];
      }
    }
  });
}

// x [R, 1, H·D] -> cache [>=R, H, capacity, D] at slot length[r] of each row r.
void append(const Tensor& x, Tensor& cache, const KVCache& c) {
  const float* src = x.data();
  float* dst = cache.data();
  for (std::int64_t r = 0; r < c.batch; ++r)
    for (std::int64_t h = 0; h < c.heads; ++h)
      std::memcpy(dst + ((r * c.heads + h) * c.capacity + c.length[r]) * c.head_dim,
                  src + (r * c.heads + h) * c.head_dim,
                  static_cast<std::size_t>(c.head_dim) * sizeof(float));
}

}  // namespace

Tensor step(const Seq2Seq& model, Seq2SeqState& st, const std::vector<std::int32_t>& last_tokens) {
  const Seq2SeqConfig& cfg = model.config();
  KVCache& c = st.self;
  const std::int64_t r_n = st.rows, c_dim = cfg.d_model, heads = c.heads, d = c.head_dim;
  ATTN_CHECK(static_cast<std::int64_t>(last_tokens.size()) == r_n,
             "seq2seq step: expected {} tokens (one per row), got {}", r_n, last_tokens.size());
  for (std::int64_t r = 0; r < r_n; ++r) {
    ATTN_CHECK(last_tokens[r] >= 0 && last_tokens[r] < cfg.target_vocab_size,
               "seq2seq step: row {} token id {} is outside the target vocabulary [0, {})", r,
               last_tokens[r], cfg.target_vocab_size);
    ATTN_CHECK(c.length[r] < c.capacity,
               "seq2seq step: row {} already holds {} tokens, the state's capacity", r,
               c.length[r]);
  }

  Context ctx;  // no tape, not training: dropout is the identity
  // Embedding · scale + position, in decode()'s order (scale first, then add).
  Variable x = model.target_embedding().forward(ctx, last_tokens, {r_n, 1});  // fresh [R, 1, C]
  const float emb_scale = model.embedding_scale();
  const float* table = model.target_positions().table().value().data();
  float* xd = x.value().data();
  for (std::int64_t r = 0; r < r_n; ++r) {
    float* row = xd + r * c_dim;
    const float* p = table + c.length[r] * c_dim;
    for (std::int64_t i = 0; i < c_dim; ++i) row[i] = row[i] * emb_scale + p[i];
  }

  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  const std::uint8_t* valid = st.src_valid.data_as<std::uint8_t>();
  const std::int64_t s_n = st.src_time;
  const auto& layers = model.decoder_layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const nn::DecoderLayer& layer = *layers[l];
    // Causal self-attention: row r sees its cached tokens and this one (length[r] + 1).
    auto self_block = [&](const Variable& h) {
      const nn::MultiHeadAttention& mha = layer.self_attn();
      Variable q = mha.q_proj().forward(ctx, h);  // [R, 1, C]
      append(mha.k_proj().forward(ctx, h).value(), c.k[l], c);
      append(mha.v_proj().forward(ctx, h).value(), c.v[l], c);
      Tensor o = Tensor::empty({r_n, 1, c_dim});
      attend_one(
          q.value().data(), c.k[l].data(), c.v[l].data(), r_n, heads, d, c.capacity * d, c.capacity,
          scale,
          [&](std::int64_t r) {
            return KeyRange{r * heads * c.capacity * d, c.length[r] + 1, nullptr};
          },
          o.data());
      return mha.out_proj().forward(ctx, Variable(o));
    };
    // Cross-attention over the real positions of the row's source.
    auto cross_block = [&](const Variable& h) {
      const nn::MultiHeadAttention& mha = layer.cross_attn();
      Variable q = mha.q_proj().forward(ctx, h);
      Tensor o = Tensor::empty({r_n, 1, c_dim});
      attend_one(
          q.value().data(), st.cross_k[l].data(), st.cross_v[l].data(), r_n, heads, d, s_n * d, s_n,
          scale,
          [&](std::int64_t r) {
            const std::int64_t src = st.source_row[r];
            return KeyRange{src * heads * s_n * d, s_n, valid + src * s_n};
          },
          o.data());
      return mha.out_proj().forward(ctx, Variable(o));
    };
    if (layer.options().norm_first) {
      x = ops::add(ctx, x, self_block(layer.norm1().forward(ctx, x)));
      x = ops::add(ctx, x, cross_block(layer.norm2().forward(ctx, x)));
      x = ops::add(ctx, x, layer.feed_forward().forward(ctx, layer.norm3().forward(ctx, x)));
    } else {
      x = layer.norm1().forward(ctx, ops::add(ctx, x, self_block(x)));
      x = layer.norm2().forward(ctx, ops::add(ctx, x, cross_block(x)));
      x = layer.norm3().forward(ctx, ops::add(ctx, x, layer.feed_forward().forward(ctx, x)));
    }
  }
  for (std::int64_t r = 0; r < r_n; ++r) ++c.length[r];
  x = model.decoder_norm().forward(ctx, x);
  Tensor logits = ops::linear(ctx, x, model.output_weight(), model.output_bias()).value();
  return logits.reshape({r_n, cfg.target_vocab_size});
}

void reorder(Seq2SeqState& st, const std::vector<std::int64_t>& parent_rows) {
  const std::int64_t n = static_cast<std::int64_t>(parent_rows.size());
  ATTN_CHECK(n >= 1, "seq2seq reorder: expected at least one parent row, got none");
  for (std::int64_t i = 0; i < n; ++i)
    ATTN_CHECK(parent_rows[i] >= 0 && parent_rows[i] < st.rows,
               "seq2seq reorder: parent {} of new row {} is outside [0, {})", parent_rows[i], i,
               st.rows);
  bool identity = n == st.rows;
  for (std::int64_t i = 0; identity && i < n; ++i) identity = parent_rows[i] == i;
  if (identity) return;

  KVCache& c = st.self;
  std::vector<std::int64_t> length(static_cast<std::size_t>(n)),
      source(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    length[i] = c.length[parent_rows[i]];
    source[i] = st.source_row[parent_rows[i]];
  }
  const std::int64_t row_floats = c.heads * c.capacity * c.head_dim;
  auto gather = [&](const Tensor& from, Tensor& to) {
    if (!to.defined() || to.dim(0) < n)
      to = Tensor::empty({std::max(n, c.batch), c.heads, c.capacity, c.head_dim});
    const float* src = from.data();
    float* dst = to.data();
    // Only the filled slots of each row: parallel rows, disjoint destinations.
    parallel_for(n, 8, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i)
        for (std::int64_t h = 0; h < c.heads; ++h)
          std::memcpy(dst + i * row_floats + h * c.capacity * c.head_dim,
                      src + parent_rows[i] * row_floats + h * c.capacity * c.head_dim,
                      static_cast<std::size_t>(length[i] * c.head_dim) * sizeof(float));
    });
  };
  st.spare_k.resize(c.k.size());
  st.spare_v.resize(c.v.size());
  for (std::size_t l = 0; l < c.k.size(); ++l) {
    gather(c.k[l], st.spare_k[l]);
    gather(c.v[l], st.spare_v[l]);
    std::swap(c.k[l], st.spare_k[l]);
    std::swap(c.v[l], st.spare_v[l]);
  }
  c.batch = n;
  c.length = std::move(length);
  st.source_row = std::move(source);
  st.rows = n;
}

}  // namespace attn::models

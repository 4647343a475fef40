#include "attn/viz/explain.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "attn/core/rng.h"
#include "attn/kernels/attention.h"
#include "attn/kernels/elementwise.h"
#include "attn/kernels/gemm.h"
#include "attn/kernels/softmax.h"
#include "attn/nn/layers.h"

namespace attn::viz {
namespace {

// Stream keys of the four weight matrices (embeddings use the token's hash).
constexpr std::uint64_t kKeyWq = 1, kKeyWk = 2, kKeyWv = 3, kKeyWo = 4;

// 64-bit FNV-1a: a token's embedding stream depends on its text only.
std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// -> [rows, cols] with element i = U(-a, a) from counter_hash(seed, key, i)
Tensor uniform_matrix(std::int64_t rows, std::int64_t cols, float a, std::uint64_t seed,
                      std::uint64_t key) {
  Tensor t = Tensor::empty({rows, cols});
  for (std::int64_t i = 0; i < rows * cols; ++i) {
    const float u = bits_to_unit(counter_hash(seed, key, static_cast<std::uint64_t>(i)));
    t.data()[i] = (2.0f * u - 1.0f) * a;
  }
  return t;
}

void check_square(const Tensor& w, std::int64_t c, const char* name) {
  ATTN_CHECK(w.defined() && w.dtype() == DType::f32 && w.shape() == Shape({c, c}),
             "explain: {} must be f32 [{}, {}] (d_model x d_model), got {}", name, c, c,
             w.defined() ? shape_str(w.shape()) : "nothing");
}

void check_sizes(std::int64_t tokens, std::int64_t d_model, std::int64_t heads) {
  ATTN_CHECK(tokens >= 1, "explain: no tokens (expected 1 to {} words separated by spaces)",
             kExplainMaxTokens);
  ATTN_CHECK(tokens <= kExplainMaxTokens,
             "explain: {} tokens, at most {} (a worked example must stay small)", tokens,
             kExplainMaxTokens);
  ATTN_CHECK(d_model >= 1, "explain: d_model (--d-model) must be at least 1, got {}", d_model);
  ATTN_CHECK(d_model <= kExplainMaxDModel,
             "explain: d_model (--d-model) must be at most {} for a readable example, got {}",
             kExplainMaxDModel, d_model);
  ATTN_CHECK(heads >= 1, "explain: heads (--heads) must be at least 1, got {}", heads);
  ATTN_CHECK(d_model % heads == 0,
             "explain: d_model {} is not divisible by heads {} (each head gets d_model / heads "
             "columns)",
             d_model, heads);
}

// src [T, ld] columns [c0, c0+n) -> [T, n]
Tensor columns(const Tensor& src, std::int64_t c0, std::int64_t n) {
  const std::int64_t t = src.dim(0), ld = src.dim(1);
  Tensor out = Tensor::empty({t, n});
  for (std::int64_t r = 0; r < t; ++r) std::copy_n(src.data() + r * ld + c0, n, out.data() + r * n);
  return out;
}

// x [T, C], w [C, C] -> x·w [T, C]
Tensor matmul(const Tensor& x, const Tensor& w) {
  const std::int64_t t = x.dim(0), c = x.dim(1), n = w.dim(1);
  Tensor y = Tensor::empty({t, n});
  kernels::gemm(false, false, t, n, c, 1.0f, x.data(), c, w.data(), n, 0.0f, y.data(), n);
  return y;
}

// q, k, v [T, d_k] -> h's scores, scaled, masked, weights, out
HeadSteps run_head(Tensor q, Tensor k, Tensor v, const std::vector<std::uint8_t>& allow,
                   float scale) {
  const std::int64_t t = q.dim(0), dk = q.dim(1);
  HeadSteps h{std::move(q),          std::move(k),          std::move(v),
              Tensor::empty({t, t}), Tensor::empty({t, t}), Tensor::empty({t, t}),
              Tensor::empty({t, t}), Tensor::empty({t, dk})};
  kernels::gemm(false, true, t, t, dk, 1.0f, h.q.data(), dk, h.k.data(), dk, 0.0f, h.scores.data(),
                t);
  kernels::scale(t * t, scale, h.scores.data(), h.scaled.data());
  const float neg_inf = -std::numeric_limits<float>::infinity();
  for (std::int64_t i = 0; i < t * t; ++i)
    h.masked.data()[i] = allow[static_cast<std::size_t>(i)] ? h.scaled.data()[i] : neg_inf;
  // Softmax of the raw scores with the scale folded in: the kernel attention itself uses.
  kernels::masked_softmax_forward(h.scores.data(), allow.data(), nullptr, scale, h.weights.data(),
                                  t, t);
  kernels::gemm(false, false, t, dk, t, 1.0f, h.weights.data(), t, h.v.data(), dk, 0.0f,
                h.out.data(), dk);
  return h;
}

// kernels::attention_forward (what the layers run) on the same Q, K, V: max |difference| to the
// steps.
float kernel_difference(const Explanation& e) {
  const std::int64_t t = e.x.dim(0), dk = e.d_k, hs = e.heads;
  std::vector<float> q(static_cast<std::size_t>(hs * t * dk)), k(q.size()), v(q.size()),
      out(q.size()), probs(static_cast<std::size_t>(hs * t * t));
  for (std::int64_t h = 0; h < hs; ++h) {
    const auto& s = e.head[static_cast<std::size_t>(h)];
    std::copy_n(s.q.data(), t * dk, q.data() + h * t * dk);
    std::copy_n(s.k.data(), t * dk, k.data() + h * t * dk);
    std::copy_n(s.v.data(), t * dk, v.data() + h * t * dk);
  }
  kernels::AttentionDims dims{1, hs, t, t, dk, dk};
  kernels::AttentionMaskView mask;
  mask.allow = e.allow.data();
  kernels::attention_forward(dims, q.data(), k.data(), v.data(), mask, e.scale, {}, probs.data(),
                             out.data());
  float diff = 0.0f;
  for (std::int64_t h = 0; h < hs; ++h) {
    const float* o = e.head[static_cast<std::size_t>(h)].out.data();
    for (std::int64_t i = 0; i < t * dk; ++i)
      diff = std::max(diff, std::abs(o[i] - out[static_cast<std::size_t>(h * t * dk + i)]));
  }
  return diff;
}

}  // namespace

std::vector<std::string> split_tokens(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  check_sizes(static_cast<std::int64_t>(out.size()), 1, 1);
  return out;
}

ExplainInputs seeded_inputs(const ExplainOptions& opt) {
  ExplainInputs in;
  in.tokens = split_tokens(opt.tokens);
  const auto t = static_cast<std::int64_t>(in.tokens.size());
  const std::int64_t c = opt.d_model;
  check_sizes(t, c, opt.heads);
  in.heads = opt.heads;
  in.causal = opt.causal;
  in.embeddings = Tensor::empty({t, c});
  for (std::int64_t r = 0; r < t; ++r) {
    const std::uint64_t key = fnv1a(in.tokens[static_cast<std::size_t>(r)]);
    for (std::int64_t j = 0; j < c; ++j) {
      const float u = bits_to_unit(counter_hash(opt.seed, key, static_cast<std::uint64_t>(j)));
      in.embeddings.data()[r * c + j] = 2.0f * u - 1.0f;
    }
  }
  if (opt.positions) in.positions = nn::sinusoidal_table(t, c);
  const float a = std::sqrt(6.0f / static_cast<float>(2 * c));
  in.w_q = uniform_matrix(c, c, a, opt.seed, kKeyWq);
  in.w_k = uniform_matrix(c, c, a, opt.seed, kKeyWk);
  in.w_v = uniform_matrix(c, c, a, opt.seed, kKeyWv);
  in.w_o = uniform_matrix(c, c, a, opt.seed, kKeyWo);
  in.origin = fmt::format(
      "Seed {}: each token's embedding row is uniform in [-1, 1) from attn's counter RNG keyed "
      "by the word (the same word gets the same row in any sentence); W_Q, W_K, W_V, W_O are "
      "Xavier/Glorot-uniform in [-{:.3f}, {:.3f}), a = sqrt(6 / (2 d_model)).",
      opt.seed, a, a);
  return in;
}

Explanation explain(const ExplainInputs& in) {
  const auto t = static_cast<std::int64_t>(in.tokens.size());
  ATTN_CHECK(in.embeddings.defined() && in.embeddings.rank() == 2,
             "explain: embeddings must be a [tokens, d_model] matrix, got {}",
             in.embeddings.defined() ? shape_str(in.embeddings.shape()) : "nothing");
  const std::int64_t c = in.embeddings.dim(1);
  check_sizes(t, c, in.heads);
  ATTN_CHECK(in.embeddings.dim(0) == t, "explain: {} tokens but {} embedding rows", t,
             in.embeddings.dim(0));
  check_square(in.w_q, c, "W_Q");
  check_square(in.w_k, c, "W_K");
  check_square(in.w_v, c, "W_V");
  check_square(in.w_o, c, "W_O");

  Explanation e;
  e.tokens = in.tokens;
  e.d_model = c;
  e.heads = in.heads;
  e.d_k = c / in.heads;
  e.causal = in.causal;
  e.origin = in.origin;
  e.embeddings = in.embeddings.clone();
  e.x = in.embeddings.clone();
  if (in.positions.defined()) {
    ATTN_CHECK(in.positions.shape() == in.embeddings.shape(),
               "explain: positions {} must match embeddings {}", shape_str(in.positions.shape()),
               shape_str(in.embeddings.shape()));
    e.positions = in.positions.clone();
    kernels::add(e.x.data(), e.positions.data(), e.x.data(), t * c);
  }
  e.w_q = in.w_q.clone();
  e.w_k = in.w_k.clone();
  e.w_v = in.w_v.clone();
  e.w_o = in.w_o.clone();
  e.q = matmul(e.x, e.w_q);
  e.k = matmul(e.x, e.w_k);
  e.v = matmul(e.x, e.w_v);

  e.allow.assign(static_cast<std::size_t>(t * t), 1);
  if (e.causal) {
    for (std::int64_t i = 0; i < t; ++i)
      for (std::int64_t j = i + 1; j < t; ++j) e.allow[static_cast<std::size_t>(i * t + j)] = 0;
  }
  e.scale = 1.0f / std::sqrt(static_cast<float>(e.d_k));
  e.concat = Tensor::empty({t, c});
  for (std::int64_t h = 0; h < e.heads; ++h) {
    const std::int64_t c0 = h * e.d_k;
    e.head.push_back(run_head(columns(e.q, c0, e.d_k), columns(e.k, c0, e.d_k),
                              columns(e.v, c0, e.d_k), e.allow, e.scale));
    const Tensor& o = e.head.back().out;
    for (std::int64_t r = 0; r < t; ++r)
      std::copy_n(o.data() + r * e.d_k, e.d_k, e.concat.data() + r * c + c0);
  }
  e.y = matmul(e.concat, e.w_o);

  const float demo_in[3] = {1.0f, 2.0f, 3.0f};
  e.softmax_demo.resize(3);
  kernels::softmax_forward(demo_in, e.softmax_demo.data(), 1, 3);
  e.kernel_max_diff = kernel_difference(e);
  return e;
}

Explanation explain(const ExplainOptions& opt) { return explain(seeded_inputs(opt)); }

}  // namespace attn::viz

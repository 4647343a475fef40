// The words of the worked example: which matrices to show, in which order,
// with one or two sentences per step. Text and HTML render this same document.
#include <cmath>

#include "attn/viz/explain_format.h"

namespace attn::viz {
namespace {

// [rows, cols] tensor -> a matrix item; labels may be empty.
DocItem matrix(std::string title, const Tensor& t, std::vector<std::string> rows = {},
               std::vector<std::string> cols = {}) {
  DocItem it;
  it.matrix.title = std::move(title);
  it.matrix.rows = t.dim(0);
  it.matrix.cols = t.dim(1);
  it.matrix.values = t.to_vector();
  it.matrix.row_labels = std::move(rows);
  it.matrix.col_labels = std::move(cols);
  return it;
}

DocItem para(std::string text) {
  DocItem it;
  it.text = std::move(text);
  return it;
}

std::string join_numbers(const std::vector<float>& v, int precision) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + format_number(v[i], precision);
  return s;
}

std::string quoted_tokens(const std::vector<std::string>& tokens) {
  std::string s;
  for (std::size_t i = 0; i < tokens.size(); ++i) s += (i ? ", \"" : "\"") + tokens[i] + "\"";
  return s;
}

// "" with one head (plain Q, S, A), "_h" (1-based) with several.
std::string sub(const Explanation& e, std::int64_t h) {
  return e.heads == 1 ? "" : fmt::format("_{}", h + 1);
}

DocSection setup(const Explanation& e) {
  DocSection s{"Setup", {}};
  s.items.push_back(para(fmt::format(
      "Input: {} tokens {}; d_model = {}, heads = {}, so each head works in d_k = d_model / "
      "heads = {} dimensions. {}",
      e.tokens.size(), quoted_tokens(e.tokens), e.d_model, e.heads, e.d_k,
      e.causal ? "A causal mask is applied." : "No mask.")));
  if (!e.origin.empty()) s.items.push_back(para(e.origin));
  s.items.push_back(
      para("Every number below was computed by attn's own kernels: gemm for the matrix "
           "products, the masked softmax kernel for the attention weights, and, as a final "
           "check, the attention kernel the model layers run."));
  return s;
}

DocSection embeddings(const Explanation& e) {
  DocSection s{"Step 1. Embeddings X", {}};
  if (e.positions.defined()) {
    s.items.push_back(
        para("Each token is looked up as one row of an embedding table, E. Attention by itself "
             "has no notion of word order, so the sinusoidal positional encoding P (sin on even "
             "columns, cos on odd ones, Vaswani et al. 2017 section 3.5) is added: X = E + P."));
    s.items.push_back(matrix("E (token embeddings)", e.embeddings, e.tokens));
    s.items.push_back(matrix("P (sinusoidal positions)", e.positions, e.tokens));
    s.items.push_back(matrix("X = E + P", e.x, e.tokens));
  } else {
    s.items.push_back(
        para("Each token is looked up as one row of an embedding table, giving X with one row "
             "per token. No positional encoding is added (--positions adds the sinusoidal one); "
             "without one, and without a causal mask, attention has no notion of word order."));
    s.items.push_back(matrix("X", e.x, e.tokens));
  }
  return s;
}

DocSection projections(const Explanation& e) {
  DocSection s{"Step 2. Projections Q = X·W_Q, K = X·W_K, V = X·W_V", {}};
  s.items.push_back(para(
      "Three learned matrices turn each row of X into a query (what this token looks for), a "
      "key (what it can be found by) and a value (what it passes on). Row i of Q is row i of X "
      "times W_Q; the same for K and V."));
  s.items.push_back(matrix("W_Q", e.w_q));
  s.items.push_back(matrix("W_K", e.w_k));
  s.items.push_back(matrix("W_V", e.w_v));
  s.items.push_back(matrix("Q = X·W_Q", e.q, e.tokens));
  s.items.push_back(matrix("K = X·W_K", e.k, e.tokens));
  s.items.push_back(matrix("V = X·W_V", e.v, e.tokens));
  return s;
}

DocSection scores(const Explanation& e) {
  DocSection s{"Step 3. Scores S = Q·Kᵀ", {}};
  s.items.push_back(para(
      "S[i][j] is the dot product of query i with key j: large when the two point the same way. "
      "Rows are queries, columns are keys."));
  if (e.heads > 1)
    s.items.push_back(para(fmt::format(
        "With {} heads, Q, K and V are split column-wise into {} blocks of d_k = {} columns; "
        "head h uses columns (h-1)·{} + 1 to h·{} and computes its own scores.",
        e.heads, e.heads, e.d_k, e.d_k, e.d_k)));
  for (std::int64_t h = 0; h < e.heads; ++h) {
    const auto& hs = e.head[static_cast<std::size_t>(h)];
    const std::string n = sub(e, h);
    if (e.heads > 1) {
      s.items.push_back(matrix("Q" + n, hs.q, e.tokens));
      s.items.push_back(matrix("K" + n, hs.k, e.tokens));
    }
    s.items.push_back(
        matrix(fmt::format("S{} = Q{}·K{}ᵀ", n, n, n), hs.scores, e.tokens, e.tokens));
  }
  return s;
}

DocSection scale(const Explanation& e, int precision) {
  DocSection s{"Step 4. Scale by 1/√d_k", {}};
  s.items.push_back(para(fmt::format(
      "Divide by √d_k = √{} = {}. A dot product of d_k terms with independent zero-mean, "
      "unit-variance entries has variance d_k; scaling brings it back to about 1, so softmax does "
      "not saturate into "
      "nearly one-hot weights with vanishing gradients.",
      e.d_k, format_number(std::sqrt(static_cast<float>(e.d_k)), precision))));
  for (std::int64_t h = 0; h < e.heads; ++h)
    s.items.push_back(matrix(fmt::format("S{}/√d_k", sub(e, h)),
                             e.head[static_cast<std::size_t>(h)].scaled, e.tokens, e.tokens));
  return s;
}

DocSection mask(const Explanation& e) {
  DocSection s{"Step 5. Mask", {}};
  if (!e.causal) {
    s.items.push_back(
        para("No mask here: every query may attend to every key. A causal mask (--causal) or a "
             "padding mask would set forbidden scores to -inf, so that their softmax weight "
             "becomes exactly 0."));
    return s;
  }
  s.items.push_back(
      para("The causal mask M lets query i attend only to keys 1..i (no peeking at later "
           "tokens): forbidden scores become -inf, so after softmax their weight is exactly 0. "
           "A padding mask works the same way, forbidding the columns of padding tokens."));
  const auto t = static_cast<std::int64_t>(e.tokens.size());
  Tensor m = Tensor::empty({t, t});
  for (std::int64_t i = 0; i < t * t; ++i)
    m.data()[i] = e.allow[static_cast<std::size_t>(i)] ? 0.0f : -INFINITY;
  s.items.push_back(matrix("M (0 = may attend, -inf = masked)", m, e.tokens, e.tokens));
  for (std::int64_t h = 0; h < e.heads; ++h)
    s.items.push_back(matrix(fmt::format("S{}/√d_k + M", sub(e, h)),
                             e.head[static_cast<std::size_t>(h)].masked, e.tokens, e.tokens));
  return s;
}

DocSection softmax(const Explanation& e, int precision) {
  DocSection s{"Step 6. Softmax, row by row", {}};
  s.items.push_back(
      para("softmax(x)_i = exp(x_i) / Σ_j exp(x_j) turns each row into positive weights summing "
           "to one. For example, from attn's softmax kernel:"));
  // Its own line (never wrapped): the worked value the seed article got wrong.
  s.items.push_back(
      para(fmt::format("softmax([1, 2, 3]) = [{}]", join_numbers(e.softmax_demo, precision))));
  s.items.push_back(
      para("The seed article's [1/6, 1/3, 1/2] is the linear normalisation x / Σx, not softmax: "
           "the exponential makes each step of 1 in the score multiply the weight by e ≈ 2.718."));
  for (std::int64_t h = 0; h < e.heads; ++h) {
    const Tensor& a = e.head[static_cast<std::size_t>(h)].weights;
    const std::string n = sub(e, h);
    s.items.push_back(matrix(fmt::format("A{} = softmax(S{}/√d_k{})", n, n, e.causal ? " + M" : ""),
                             a, e.tokens, e.tokens));
    std::vector<float> sums(e.tokens.size(), 0.0f);
    for (std::size_t i = 0; i < sums.size(); ++i)
      for (std::size_t j = 0; j < sums.size(); ++j) sums[i] += a.data()[i * sums.size() + j];
    s.items.push_back(para(fmt::format("Row sums of A{}: {}.", n, join_numbers(sums, precision))));
  }
  return s;
}

DocSection output(const Explanation& e) {
  DocSection s{"Step 7. Weighted sum of values O = A·V", {}};
  s.items.push_back(
      para("Each output row is a weighted average of the value rows, O[i] = Σ_j A[i][j]·V[j], "
           "so token i now carries information from the tokens it attends to."));
  for (std::int64_t h = 0; h < e.heads; ++h) {
    const auto& hs = e.head[static_cast<std::size_t>(h)];
    const std::string n = sub(e, h);
    if (e.heads > 1) s.items.push_back(matrix("V" + n, hs.v, e.tokens));
    s.items.push_back(matrix(fmt::format("O{} = A{}·V{}", n, n, n), hs.out, e.tokens));
  }
  return s;
}

DocSection concat(const Explanation& e) {
  DocSection s{"Step 8. Concatenate the heads and project with W_O", {}};
  if (e.heads > 1) {
    s.items.push_back(para(fmt::format(
        "The {} head outputs are placed side by side into a [{} × {}] matrix and mixed by the "
        "output projection: Y = [O_1 | … | O_{}]·W_O. Each head can attend to different tokens; "
        "W_O combines what they found.",
        e.heads, e.tokens.size(), e.d_model, e.heads)));
    s.items.push_back(
        matrix(fmt::format("concat = [O_1 | … | O_{}]", e.heads), e.concat, e.tokens));
    s.items.push_back(matrix("W_O", e.w_o));
    s.items.push_back(matrix("Y = concat·W_O", e.y, e.tokens));
  } else {
    s.items.push_back(
        para("With one head the concatenation is O itself; the output projection W_O mixes its "
             "columns: Y = O·W_O."));
    s.items.push_back(matrix("W_O", e.w_o));
    s.items.push_back(matrix("Y = O·W_O", e.y, e.tokens));
  }
  s.items.push_back(para(fmt::format(
      "Check: attn's attention kernel (what the model layers run), given the same Q, K and V, "
      "gives the same head "
      "outputs (largest difference {:.1e}). Y has one row per token, the same shape as X.",
      e.kernel_max_diff)));
  return s;
}

}  // namespace

ExplainDoc build_doc(const Explanation& e, int precision) {
  check_precision(precision);
  ExplainDoc d;
  d.title = "attn explain: scaled dot-product attention, step by step";
  d.sections = {setup(e), embeddings(e),         projections(e), scores(e), scale(e, precision),
                mask(e),  softmax(e, precision), output(e),      concat(e)};
  return d;
}

}  // namespace attn::viz

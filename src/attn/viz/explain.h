#pragma once
// A worked example of multi-head scaled dot-product attention on a tiny input:
// every intermediate matrix (embeddings, Q/K/V, raw and scaled scores, mask,
// softmax weights, per-head outputs, concatenation, output projection),
// computed with attn's own kernels (gemm, masked softmax, attention) so the
// printed numbers are the engine's numbers, not a second implementation's.
//
// Notation is the textbook one (Vaswani et al. 2017): Q = X·W_Q with W_Q
// stored [in, out] = [d_model, d_model], so head h uses columns
// h·d_k .. (h+1)·d_k - 1 of W_Q, W_K and W_V, and Y = concat(O_1..O_H)·W_O.
// (PyTorch's nn.MultiheadAttention stores the transposes: in_proj_weight rows.)
// No biases, no dropout: the example shows the attention arithmetic only.
//
// The formatters (text, HTML) live in explain_format.h; this file only computes.
#include <cstdint>
#include <string>
#include <vector>

#include "attn/core/tensor.h"

namespace attn::viz {

// Size limits that keep the example readable (and the output a page, not a book).
constexpr std::int64_t kExplainMaxTokens = 16;
constexpr std::int64_t kExplainMaxDModel = 32;
constexpr int kExplainMaxPrecision = 8;

// How to build a seeded example (the CLI flags).
struct ExplainOptions {
  std::string tokens = "the cat sat";  // split on whitespace
  std::int64_t d_model = 4;
  std::int64_t heads = 1;
  std::uint64_t seed = 0;
  bool causal = false;     // show a causal mask (query i may attend keys 0..i)
  bool positions = false;  // add the sinusoidal positional table to the embeddings
};

// Explicit inputs (the PyTorch fixtures feed these). Shapes: T tokens, C = d_model.
struct ExplainInputs {
  std::vector<std::string> tokens;  // T row labels
  Tensor embeddings;                // [T, C]
  Tensor positions;                 // [T, C] or undefined (none); X = embeddings + positions
  Tensor w_q, w_k, w_v, w_o;        // [C, C] each, [in, out] layout (Q = X·W_Q)
  std::int64_t heads = 1;
  bool causal = false;
  std::string origin;  // one sentence on where the numbers came from (printed)
};

// The steps of one head h; d_k = C / H.
struct HeadSteps {
  Tensor q, k, v;  // [T, d_k]: columns h·d_k.. of Q, K, V
  Tensor scores;   // [T, T] = Q_h·K_hᵀ
  Tensor scaled;   // [T, T] = scores / √d_k
  Tensor masked;   // [T, T] = scaled, -inf where the mask forbids
  Tensor weights;  // [T, T] = softmax of each row of masked (rows sum to 1)
  Tensor out;      // [T, d_k] = weights·V_h
};

struct Explanation {
  std::vector<std::string> tokens;
  std::int64_t d_model = 0, heads = 0, d_k = 0;
  bool causal = false;
  std::string origin;
  Tensor embeddings, positions, x;  // [T, C]; positions undefined when not used
  Tensor w_q, w_k, w_v, w_o;        // [C, C]
  Tensor q, k, v;                   // [T, C] = X·W_Q, X·W_K, X·W_V
  std::vector<std::uint8_t> allow;  // [T, T], 1 = query row may attend key column
  float scale = 1.0f;               // 1/√d_k
  std::vector<HeadSteps> head;      // H entries
  Tensor concat;                    // [T, C] = [O_1 | ... | O_H]
  Tensor y;                         // [T, C] = concat·W_O
  std::vector<float> softmax_demo;  // softmax([1, 2, 3]) from the softmax kernel
  float kernel_max_diff = 0.0f;     // max |O_h - kernels::attention_forward output|
};

// Splits on whitespace; throws attn::Error unless 1..kExplainMaxTokens tokens.
std::vector<std::string> split_tokens(const std::string& text);

// Seeded inputs: the embedding row of token w is E[w, c] = U(-1, 1) drawn as
// counter_hash(seed, fnv1a(w), c), so the same word gets the same row in every
// sentence; W_Q, W_K, W_V, W_O are Xavier/Glorot uniform U(-a, a), a = √(6 / 2C)
// (fan-in + fan-out of a [C, C] matrix), element i drawn as
// counter_hash(seed, key, i) with key 1, 2, 3, 4 respectively.
// Throws attn::Error on bad options (sizes, divisibility, token count).
ExplainInputs seeded_inputs(const ExplainOptions& opt);

// Runs every step; throws attn::Error on inconsistent shapes or counts.
Explanation explain(const ExplainInputs& in);

// seeded_inputs + explain.
Explanation explain(const ExplainOptions& opt);

}  // namespace attn::viz

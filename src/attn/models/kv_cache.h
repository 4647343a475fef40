#pragma once
// KVCache: the keys and values a DecoderLM has already computed, so that generating one
// more token costs one token's work per layer instead of a full recomputation.
//
// Rows are independent: row b holds length[b] tokens at positions 0..length[b]-1 of its
// own slots, so prompts of different lengths share one batch without left padding (a
// row's positions always start at 0, exactly as when it is decoded alone).
#include <cstdint>
#include <vector>

#include "attn/core/tensor.h"

namespace attn::models {

struct KVCache {
  std::int64_t batch = 0, heads = 0, capacity = 0, head_dim = 0;
  std::vector<Tensor> k, v;          // one per layer, each [B, H, capacity, D]
  std::vector<std::int64_t> length;  // tokens cached per row, each in [0, capacity]

  // Forget every row's tokens (the buffers are kept for reuse).
  void reset() { length.assign(static_cast<std::size_t>(batch), 0); }
};

}  // namespace attn::models

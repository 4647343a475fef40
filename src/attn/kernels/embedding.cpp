#include "attn/kernels/embedding.h"

#include <algorithm>
#include <cstring>

#include "attn/core/thread_pool.h"
#include "attn/kernels/reference_mode.h"

namespace attn::kernels {

void embedding_forward(const float* table, const std::int32_t* ids, std::int64_t N, std::int64_t C,
                       float* out) {
  if (use_reference_kernels()) return embedding_forward_ref(table, ids, N, C, out);
  if (C <= 0) return;
  const std::int64_t grain = std::max<std::int64_t>(1, 8192 / C);
  parallel_for(N, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t n = b; n < e; ++n)
      std::memcpy(out + n * C, table + static_cast<std::int64_t>(ids[n]) * C,
                  static_cast<std::size_t>(C) * sizeof(float));
  });
}

void embedding_forward_ref(const float* table, const std::int32_t* ids, std::int64_t N,
                           std::int64_t C, float* out) {
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c) out[n * C + c] = table[ids[n] * C + c];
}

void embedding_backward(const float* dout, const std::int32_t* ids, std::int64_t N, std::int64_t C,
                        float* dtable) {
  if (use_reference_kernels()) return embedding_backward_ref(dout, ids, N, C, dtable);
  if (N <= 0) return;
  // At least 16 channels (one cache line) per chunk keeps false sharing to chunk edges.
  const std::int64_t grain = std::max<std::int64_t>(16, 8192 / N);
  parallel_for(C, grain, [&](std::int64_t c0, std::int64_t c1) {
    for (std::int64_t n = 0; n < N; ++n) {
      float* row = dtable + static_cast<std::int64_t>(ids[n]) * C;
      const float* g = dout + n * C;
      for (std::int64_t c = c0; c < c1; ++c) row[c] += g[c];
    }
  });
}

void embedding_backward_ref(const float* dout, const std::int32_t* ids, std::int64_t N,
                            std::int64_t C, float* dtable) {
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c) dtable[ids[n] * C + c] += dout[n * C + c];
}

}  // namespace attn::kernels

#pragma once
// Embedding lookup: row gather forward, scatter-add backward. Ids are
// assumed valid here; the autograd op checks them against V first.
#include <cstdint>

namespace attn::kernels {

// table [V,C], ids [N] -> out [N,C]: out[n] = table[ids[n]]
void embedding_forward(const float* table, const std::int32_t* ids, std::int64_t N, std::int64_t C,
                       float* out);
void embedding_forward_ref(const float* table, const std::int32_t* ids, std::int64_t N,
                           std::int64_t C, float* out);

// dout [N,C], ids [N] -> dtable [V,C] += : dtable[ids[n]] += dout[n]
// Threads split the channels, each walking the ids in order, so repeated ids
// never race and sum in the same order for any thread count.
void embedding_backward(const float* dout, const std::int32_t* ids, std::int64_t N, std::int64_t C,
                        float* dtable);
void embedding_backward_ref(const float* dout, const std::int32_t* ids, std::int64_t N,
                            std::int64_t C, float* dtable);

}  // namespace attn::kernels

#pragma once
// Sequence pooling for classifiers: x [B, T, C], valid u8 [B, T] -> [B, C].
// Mean and max ignore padding (Keras GlobalAveragePooling1D with a mask);
// cls takes position 0.
#include <string>

#include "attn/autograd/ops.h"

namespace attn::nn {

enum class Pooling { mean, max, cls };
Pooling parse_pooling(const std::string& s);  // "mean" | "max" | "cls"
const char* pooling_layer_name(Pooling p);    // Keras layer type for summaries

Variable pool(Context& ctx, Pooling kind, const Variable& x, const Tensor& valid);

}  // namespace attn::nn

#pragma once
// Gradient clipping by global L2 norm, like torch.nn.utils.clip_grad_norm_.
// The norm is accumulated in double over fixed blocks summed in a fixed
// order, so it is bit-identical for any thread count.
#include <vector>

#include "attn/optim/optimizer.h"

namespace attn::optim {

// sqrt(sum over params with a gradient of sum g²). Parameters without a
// gradient are skipped. Inf/NaN gradients give an inf/NaN norm.
float global_grad_norm(const std::vector<ParamRef>& params);

// Scales every gradient by max_norm / (norm + 1e-6) when that is below 1 and
// returns the norm before clipping. A non-finite norm is returned without
// scaling anything (the caller decides, e.g. skips the step). Throws
// attn::Error unless max_norm > 0.
float clip_grad_norm(const std::vector<ParamRef>& params, float max_norm);

}  // namespace attn::optim

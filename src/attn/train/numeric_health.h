#pragma once
// Finds where a training step went non-finite, so that a NaN/Inf loss is
// reported with the parameter it came from instead of silently poisoning the
// weights.
#include <optional>
#include <string>
#include <vector>

#include "attn/optim/optimizer.h"

namespace attn::train {

// The first parameter (in model order) whose value, then whose gradient, holds a
// NaN or Inf, described as `value of "name"[index] = nan`; nullopt if all finite.
std::optional<std::string> first_non_finite(const std::vector<optim::ParamRef>& params);

}  // namespace attn::train

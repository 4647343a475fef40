#pragma once
// Helpers shared by the optimizers' state_dict / load_state_dict: step
// counters as 1-element tensors, and checked reads that name the bad entry.
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "attn/core/tensor.h"

namespace attn::optim::detail {

using StateMap = std::map<std::string, Tensor>;

// step -> i32 [1]; throws if it does not fit in 32 bits.
Tensor step_tensor(std::int64_t step, const std::string& key);
// A non-negative integral step stored as i32 or f32 with one element.
std::int64_t read_step(const StateMap& state, const std::string& key);
// The f32 tensor at `key`, checked to have `shape` (the parameter's).
const Tensor& read_slot(const StateMap& state, const std::string& key, const Shape& shape,
                        const std::string& param);
// Throws naming the first key of `state` that is not in `expected`.
void check_no_extra(const StateMap& state, const std::set<std::string>& expected,
                    const std::string& who);

}  // namespace attn::optim::detail

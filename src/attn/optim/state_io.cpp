#include "attn/optim/state_io.h"

#include <cmath>
#include <limits>

namespace attn::optim::detail {

Tensor step_tensor(std::int64_t step, const std::string& key) {
  ATTN_CHECK(step >= 0 && step <= std::numeric_limits<std::int32_t>::max(),
             "optimizer state '{}': step {} does not fit in i32", key, step);
  Tensor t = Tensor::empty({1}, DType::i32);
  t.data_as<std::int32_t>()[0] = static_cast<std::int32_t>(step);
  return t;
}

std::int64_t read_step(const StateMap& state, const std::string& key) {
  auto it = state.find(key);
  ATTN_CHECK(it != state.end(), "optimizer state: missing entry '{}'", key);
  const Tensor& t = it->second;
  ATTN_CHECK(t.defined() && t.numel() == 1,
             "optimizer state '{}': expected 1 element, got shape {}", key,
             t.defined() ? shape_str(t.shape()) : "(undefined)");
  if (t.dtype() == DType::i32) {
    const std::int32_t s = t.data_as<std::int32_t>()[0];
    ATTN_CHECK(s >= 0, "optimizer state '{}': step must be >= 0, got {}", key, s);
    return s;
  }
  ATTN_CHECK(t.dtype() == DType::f32, "optimizer state '{}': expected i32 or f32, got {}", key,
             dtype_name(t.dtype()));
  const float s = t.data()[0];
  // f32 holds every integer up to 2^24 exactly; beyond that it is ambiguous.
  ATTN_CHECK(std::isfinite(s) && s >= 0.0f && s <= 16777216.0f && std::floor(s) == s,
             "optimizer state '{}': step must be a non-negative integer <= 2^24, got {}", key, s);
  return static_cast<std::int64_t>(s);
}

const Tensor& read_slot(const StateMap& state, const std::string& key, const Shape& shape,
                        const std::string& param) {
  auto it = state.find(key);
  ATTN_CHECK(it != state.end(), "optimizer state: missing entry '{}' for parameter '{}'", key,
             param);
  const Tensor& t = it->second;
  ATTN_CHECK(t.defined() && t.dtype() == DType::f32, "optimizer state '{}': expected f32, got {}",
             key, t.defined() ? dtype_name(t.dtype()) : "(undefined)");
  ATTN_CHECK(t.shape() == shape, "optimizer state '{}': shape {} does not match parameter '{}' {}",
             key, shape_str(t.shape()), param, shape_str(shape));
  return t;
}

void check_no_extra(const StateMap& state, const std::set<std::string>& expected,
                    const std::string& who) {
  for (const auto& [key, value] : state)
    ATTN_CHECK(expected.count(key) != 0,
               "optimizer state: unexpected entry '{}' for {} (different optimizer or "
               "parameter list?)",
               key, who);
}

}  // namespace attn::optim::detail

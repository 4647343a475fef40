#include "attn/train/numeric_health.h"

#include <fmt/format.h>

#include <cmath>

namespace attn::train {
namespace {

std::optional<std::int64_t> first_bad_index(const Tensor& t) {
  const float* v = t.data();
  for (std::int64_t i = 0; i < t.numel(); ++i)
    if (!std::isfinite(v[i])) return i;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> first_non_finite(const std::vector<optim::ParamRef>& params) {
  // Values first: a bad weight is the cause, a bad gradient often only the symptom.
  for (const auto& p : params)
    if (auto i = first_bad_index(p.var.value()))
      return fmt::format("value of \"{}\"[{}] = {}", p.name, *i, p.var.value().data()[*i]);
  for (const auto& p : params)
    if (p.var.has_grad())
      if (auto i = first_bad_index(p.var.grad()))
        return fmt::format("gradient of \"{}\"[{}] = {}", p.name, *i, p.var.grad().data()[*i]);
  return std::nullopt;
}

}  // namespace attn::train

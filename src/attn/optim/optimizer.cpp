#include "attn/optim/optimizer.h"

#include <cmath>
#include <set>

namespace attn::optim {

Optimizer::Optimizer(std::vector<ParamRef> params, float lr, const std::string& who)
    : params_(std::move(params)) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const ParamRef& p = params_[i];
    ATTN_CHECK(!p.name.empty(), "{}: parameter {} has an empty name", who, i);
    ATTN_CHECK(p.var.defined(), "{}: parameter '{}' is undefined", who, p.name);
    ATTN_CHECK(p.var.value().dtype() == DType::f32, "{}: parameter '{}' must be f32, got {}", who,
               p.name, dtype_name(p.var.value().dtype()));
    ATTN_CHECK(names.insert(p.name).second, "{}: parameter name '{}' appears twice", who, p.name);
    // A tied weight listed twice would be updated twice per step.
    for (std::size_t j = 0; j < i; ++j)
      ATTN_CHECK(!params_[j].var.same(p.var), "{}: parameters '{}' and '{}' are the same variable",
                 who, params_[j].name, p.name);
  }
  set_lr(lr);
}

void Optimizer::zero_grad() {
  for (const ParamRef& p : params_) p.var.zero_grad();
}

void Optimizer::set_lr(float lr) {
  ATTN_CHECK(std::isfinite(lr) && lr >= 0.0f, "optimizer: lr must be finite and >= 0, got {}", lr);
  lr_ = lr;
}

}  // namespace attn::optim

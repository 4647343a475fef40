#pragma once
// Variable: a tensor value plus (lazily allocated) gradient, shared by
// handle. Parameters are Variables with requires_grad = true and a dotted
// name ("encoder.layers.0.attn.q_proj.weight").
#include <memory>
#include <string>

#include "attn/core/tensor.h"

namespace attn {

class Variable {
 public:
  Variable() = default;
  explicit Variable(Tensor value, bool requires_grad = false, std::string name = {});

  bool defined() const { return impl_ != nullptr; }
  const Tensor& value() const { return impl_->value; }
  Tensor& value() { return impl_->value; }
  const Shape& shape() const { return impl_->value.shape(); }
  bool requires_grad() const { return impl_ && impl_->requires_grad; }
  const std::string& name() const { return impl_->name; }

  // The gradient, allocated as zeros of the value's shape on first use.
  Tensor& grad() const;
  bool has_grad() const { return impl_ && impl_->grad.defined(); }
  // For a backward pass that writes every element of this gradient: when none
  // has reached this Variable yet, a new buffer with stale contents (fresh:
  // the op must overwrite all of it, not add), else the gradient to add into.
  // Saves grad()'s zero fill, a whole pass over each activation's gradient.
  struct GradTarget {
    float* data;
    bool fresh;
  };
  GradTarget grad_target() const;
  void zero_grad() const;
  // Drops the gradient buffer (returns it to the arena).
  void clear_grad() const { impl_->grad = Tensor(); }

  bool same(const Variable& o) const { return impl_ == o.impl_; }

 private:
  struct Impl {
    Tensor value;
    Tensor grad;
    bool requires_grad = false;
    std::string name;
  };
  std::shared_ptr<Impl> impl_;
};

}  // namespace attn

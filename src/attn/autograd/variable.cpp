#include "attn/autograd/variable.h"

#include <memory_resource>

#include "attn/core/small_object_pool.h"

namespace attn {

Variable::Variable(Tensor value, bool requires_grad, std::string name)
    // The control block and Impl come from the small-object pool: a step makes
    // hundreds of Variables.
    : impl_(
          std::allocate_shared<Impl>(std::pmr::polymorphic_allocator<Impl>(small_object_pool()))) {
  impl_->value = std::move(value);
  impl_->requires_grad = requires_grad;
  impl_->name = std::move(name);
}

Tensor& Variable::grad() const {
  if (!impl_->grad.defined()) impl_->grad = Tensor::zeros(impl_->value.shape());
  return impl_->grad;
}

Variable::GradTarget Variable::grad_target() const {
  if (impl_->grad.defined()) return {impl_->grad.data(), false};
  impl_->grad = Tensor::empty(impl_->value.shape());
  return {impl_->grad.data(), true};
}

void Variable::zero_grad() const {
  if (impl_->grad.defined()) impl_->grad.zero_();
}

}  // namespace attn

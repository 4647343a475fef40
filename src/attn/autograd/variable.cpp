#include "attn/autograd/variable.h"

namespace attn {

Variable::Variable(Tensor value, bool requires_grad, std::string name)
    : impl_(std::make_shared<Impl>()) {
  impl_->value = std::move(value);
  impl_->requires_grad = requires_grad;
  impl_->name = std::move(name);
}

Tensor& Variable::grad() const {
  if (!impl_->grad.defined()) impl_->grad = Tensor::zeros(impl_->value.shape());
  return impl_->grad;
}

void Variable::zero_grad() const {
  if (impl_->grad.defined()) impl_->grad.zero_();
}

}  // namespace attn

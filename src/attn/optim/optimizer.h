#pragma once
// Optimizers over a list of named parameters: SGD (momentum, Nesterov, L2),
// Adam (coupled L2, like torch.optim.Adam) and AdamW (decoupled decay, like
// torch.optim.AdamW), with the same update arithmetic as PyTorch's
// single-tensor CPU path. Optimizer state is exposed as named f32 tensors so a
// checkpoint can resume the exact same run.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "attn/autograd/variable.h"
#include "attn/core/tensor.h"

namespace attn::optim {

// One parameter to optimise. `name` keys its optimizer state and must be
// unique and non-empty. decay = false exempts it from weight decay (biases,
// norms, embeddings when asked).
struct ParamRef {
  std::string name;
  Variable var;
  bool decay = true;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Applies one update to every parameter that has a gradient (others are
  // skipped and keep their state), then increments steps().
  virtual void step() = 0;
  // Zeroes every allocated parameter gradient.
  void zero_grad();
  // Throws attn::Error for a negative or non-finite lr.
  void set_lr(float lr);
  float lr() const { return lr_; }
  std::int64_t steps() const { return steps_; }

  // Full state for exact resume, as copies: "__step" (i32 [1], steps()) and
  // per parameter "<name>.step" (i32 [1], updates applied to it) plus the slot
  // tensors of the parameter's shape: "<name>.momentum_buffer" (SGD with
  // momentum) or "<name>.exp_avg" and "<name>.exp_avg_sq" (Adam, AdamW).
  virtual std::map<std::string, Tensor> state_dict() const = 0;
  // Restores a state_dict() of an optimizer of the same kind over parameters
  // with the same names and shapes. Step counters may be i32 or f32. Throws
  // attn::Error naming a missing, mis-shaped or unexpected entry; on error the
  // optimizer is left unchanged.
  virtual void load_state_dict(const std::map<std::string, Tensor>& state) = 0;

  const std::vector<ParamRef>& params() const { return params_; }

 protected:
  // Checks every parameter (defined, f32, unique non-empty name) and lr;
  // `who` prefixes error messages ("make_adam").
  Optimizer(std::vector<ParamRef> params, float lr, const std::string& who);

  std::vector<ParamRef> params_;
  float lr_ = 0.0f;
  std::int64_t steps_ = 0;
};

struct SgdOptions {
  float lr = 1e-2f;
  float momentum = 0;
  float weight_decay = 0;
  bool nesterov = false;
};

struct AdamOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f, beta2 = 0.999f;
  float eps = 1e-7f;  // Keras default; PyTorch's is 1e-8
  float weight_decay = 0;
  bool decoupled = false;  // true = AdamW
};

// torch.optim.SGD with dampening 0: d = g + wd·p; buf = momentum·buf + d
// (buf = d on a parameter's first update); d = nesterov ? d + momentum·buf : buf;
// p -= lr·d. Throws attn::Error on negative values or nesterov without momentum.
std::unique_ptr<Optimizer> make_sgd(std::vector<ParamRef> params, SgdOptions options);
// torch.optim.Adam (L2 added to the gradient) or, with options.decoupled, AdamW.
// Throws attn::Error unless 0 <= beta < 1, eps >= 0, lr >= 0, weight_decay >= 0.
std::unique_ptr<Optimizer> make_adam(std::vector<ParamRef> params, AdamOptions options);
// torch.optim.AdamW: p *= 1 - lr·wd, then the Adam step (options.decoupled is ignored).
std::unique_ptr<Optimizer> make_adamw(std::vector<ParamRef> params, AdamOptions options);

}  // namespace attn::optim

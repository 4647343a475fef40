// Adam and AdamW over named parameters; the per-element update is the fused
// kernel in kernels/adam.h.
#include "attn/kernels/adam.h"

#include <cmath>
#include <set>

#include "attn/optim/optimizer.h"
#include "attn/optim/state_io.h"

namespace attn::optim {

namespace {

class Adam final : public Optimizer {
 public:
  Adam(std::vector<ParamRef> params, AdamOptions o, const std::string& who)
      : Optimizer(std::move(params), o.lr, who), opt_(o) {
    states_.resize(params_.size());
    for (std::size_t i = 0; i < params_.size(); ++i) {
      states_[i].exp_avg = Tensor::zeros(params_[i].var.shape());
      states_[i].exp_avg_sq = Tensor::zeros(params_[i].var.shape());
    }
  }

  void step() override {
    segments_.clear();  // keeps its capacity: no allocation after the first step
    for (std::size_t i = 0; i < params_.size(); ++i) {
      const ParamRef& pr = params_[i];
      if (!pr.var.has_grad()) continue;
      State& st = states_[i];
      Tensor value = pr.var.value();  // shares the parameter's storage
      const Tensor& grad = pr.var.grad();
      ATTN_CHECK(grad.numel() == value.numel(), "{}: gradient of '{}' has shape {}, parameter {}",
                 name(), pr.name, shape_str(grad.shape()), shape_str(value.shape()));
      kernels::AdamHyper h;
      h.lr = lr_;
      h.beta1 = opt_.beta1;
      h.beta2 = opt_.beta2;
      h.eps = opt_.eps;
      h.weight_decay = pr.decay ? opt_.weight_decay : 0.0f;
      h.decoupled = opt_.decoupled;
      segments_.push_back({value.data(), grad.data(), st.exp_avg.data(), st.exp_avg_sq.data(),
                           value.numel(), kernels::adam_step_constants(h, st.step + 1)});
    }
    kernels::adam_multi(segments_.data(), segments_.size());  // all parameters, one pass
    // Step counts advance only once every shape check passed and the update ran.
    for (std::size_t i = 0; i < params_.size(); ++i)
      if (params_[i].var.has_grad()) ++states_[i].step;
    ++steps_;
  }

  std::map<std::string, Tensor> state_dict() const override {
    std::map<std::string, Tensor> out;
    out["__step"] = detail::step_tensor(steps_, "__step");
    for (std::size_t i = 0; i < params_.size(); ++i) {
      const std::string& n = params_[i].name;
      out[n + ".step"] = detail::step_tensor(states_[i].step, n + ".step");
      out[n + ".exp_avg"] = states_[i].exp_avg.clone();
      out[n + ".exp_avg_sq"] = states_[i].exp_avg_sq.clone();
    }
    return out;
  }

  void load_state_dict(const std::map<std::string, Tensor>& state) override {
    std::set<std::string> expected{"__step"};
    const std::int64_t steps = detail::read_step(state, "__step");
    std::vector<std::int64_t> param_steps(params_.size());
    std::vector<const Tensor*> m(params_.size()), v(params_.size());
    for (std::size_t i = 0; i < params_.size(); ++i) {
      const std::string& n = params_[i].name;
      const Shape& shape = params_[i].var.shape();
      for (const char* suffix : {".step", ".exp_avg", ".exp_avg_sq"}) expected.insert(n + suffix);
      param_steps[i] = detail::read_step(state, n + ".step");
      m[i] = &detail::read_slot(state, n + ".exp_avg", shape, n);
      v[i] = &detail::read_slot(state, n + ".exp_avg_sq", shape, n);
    }
    detail::check_no_extra(state, expected, name());
    // Everything checked: now commit.
    steps_ = steps;
    for (std::size_t i = 0; i < params_.size(); ++i) {
      states_[i].step = param_steps[i];
      states_[i].exp_avg.copy_from(*m[i]);
      states_[i].exp_avg_sq.copy_from(*v[i]);
    }
  }

 private:
  struct State {
    Tensor exp_avg, exp_avg_sq;  // first and second moments, the parameter's shape
    std::int64_t step = 0;       // updates applied to this parameter (torch's state["step"])
  };

  const char* name() const { return opt_.decoupled ? "AdamW" : "Adam"; }

  AdamOptions opt_;
  std::vector<State> states_;
  std::vector<kernels::AdamSegment> segments_;
};

void check_options(const AdamOptions& o, const char* who) {
  ATTN_CHECK(std::isfinite(o.lr) && o.lr >= 0.0f, "{}: lr must be finite and >= 0, got {}", who,
             o.lr);
  ATTN_CHECK(o.beta1 >= 0.0f && o.beta1 < 1.0f, "{}: beta1 must be in [0, 1), got {}", who,
             o.beta1);
  ATTN_CHECK(o.beta2 >= 0.0f && o.beta2 < 1.0f, "{}: beta2 must be in [0, 1), got {}", who,
             o.beta2);
  ATTN_CHECK(std::isfinite(o.eps) && o.eps >= 0.0f, "{}: eps must be finite and >= 0, got {}", who,
             o.eps);
  ATTN_CHECK(std::isfinite(o.weight_decay) && o.weight_decay >= 0.0f,
             "{}: weight_decay must be finite and >= 0, got {}", who, o.weight_decay);
}

}  // namespace

std::unique_ptr<Optimizer> make_adam(std::vector<ParamRef> params, AdamOptions options) {
  check_options(options, "make_adam");
  return std::make_unique<Adam>(std::move(params), options, "make_adam");
}

std::unique_ptr<Optimizer> make_adamw(std::vector<ParamRef> params, AdamOptions options) {
  check_options(options, "make_adamw");
  options.decoupled = true;
  return std::make_unique<Adam>(std::move(params), options, "make_adamw");
}

}  // namespace attn::optim

// SGD with optional momentum (dampening 0), Nesterov and L2 weight decay,
// matching torch.optim.SGD's single-tensor path.
#include <cmath>
#include <set>

#include "attn/core/thread_pool.h"
#include "attn/optim/optimizer.h"
#include "attn/optim/state_io.h"

namespace attn::optim {

namespace {

constexpr std::int64_t kGrain = 1 << 14;  // memory bound: see kernels/adam.cpp

class Sgd final : public Optimizer {
 public:
  Sgd(std::vector<ParamRef> params, SgdOptions o) : Optimizer(std::move(params), o.lr, "make_sgd") {
    opt_ = o;
    states_.resize(params_.size());
    if (opt_.momentum != 0.0f)
      for (std::size_t i = 0; i < params_.size(); ++i)
        states_[i].buf = Tensor::zeros(params_[i].var.shape());
  }

  void step() override {
    for (std::size_t i = 0; i < params_.size(); ++i) {
      const ParamRef& pr = params_[i];
      if (!pr.var.has_grad()) continue;
      update(pr, states_[i]);
    }
    ++steps_;
  }

  std::map<std::string, Tensor> state_dict() const override {
    std::map<std::string, Tensor> out;
    out["__step"] = detail::step_tensor(steps_, "__step");
    for (std::size_t i = 0; i < params_.size(); ++i) {
      const std::string& n = params_[i].name;
      out[n + ".step"] = detail::step_tensor(states_[i].step, n + ".step");
      if (states_[i].buf.defined()) out[n + ".momentum_buffer"] = states_[i].buf.clone();
    }
    return out;
  }

  void load_state_dict(const std::map<std::string, Tensor>& state) override {
    std::set<std::string> expected{"__step"};
    const std::int64_t steps = detail::read_step(state, "__step");
    std::vector<std::int64_t> param_steps(params_.size());
    std::vector<const Tensor*> bufs(params_.size(), nullptr);
    for (std::size_t i = 0; i < params_.size(); ++i) {
      const std::string& n = params_[i].name;
      expected.insert(n + ".step");
      param_steps[i] = detail::read_step(state, n + ".step");
      if (opt_.momentum != 0.0f) {
        expected.insert(n + ".momentum_buffer");
        bufs[i] = &detail::read_slot(state, n + ".momentum_buffer", params_[i].var.shape(), n);
      }
    }
    detail::check_no_extra(state, expected, "SGD");
    // Everything checked: now commit.
    steps_ = steps;
    for (std::size_t i = 0; i < params_.size(); ++i) {
      states_[i].step = param_steps[i];
      if (bufs[i] != nullptr) states_[i].buf.copy_from(*bufs[i]);
    }
  }

 private:
  struct State {
    Tensor buf;  // momentum buffer, defined iff momentum != 0
    std::int64_t step = 0;
  };

  // p [n], g [n], buf [n] -> p, buf updated. Products feeding sums are explicit
  // fma (as torch's vectorised add-with-alpha is), independent of compiler flags.
  void update(const ParamRef& pr, State& st) {
    Tensor value = pr.var.value();  // shares the parameter's storage
    const Tensor& grad = pr.var.grad();
    ATTN_CHECK(grad.numel() == value.numel(), "SGD: gradient of '{}' has shape {}, parameter {}",
               pr.name, shape_str(grad.shape()), shape_str(value.shape()));
    float* p = value.data();
    const float* g = grad.data();
    float* buf = st.buf.defined() ? st.buf.data() : nullptr;
    const float wd = pr.decay ? opt_.weight_decay : 0.0f;
    const float mom = opt_.momentum, neg_lr = -lr_;
    const bool first = st.step == 0, nesterov = opt_.nesterov;
    parallel_for(value.numel(), kGrain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) {
        float d = g[i];
        if (wd != 0.0f) d = std::fma(p[i], wd, d);
        if (buf != nullptr) {
          buf[i] = first ? d : std::fma(buf[i], mom, d);
          d = nesterov ? std::fma(buf[i], mom, d) : buf[i];
        }
        p[i] = std::fma(d, neg_lr, p[i]);
      }
    });
    ++st.step;
  }

  SgdOptions opt_;
  std::vector<State> states_;
};

void check_non_negative(float v, const char* what) {
  ATTN_CHECK(std::isfinite(v) && v >= 0.0f, "make_sgd: {} must be finite and >= 0, got {}", what,
             v);
}

}  // namespace

std::unique_ptr<Optimizer> make_sgd(std::vector<ParamRef> params, SgdOptions options) {
  check_non_negative(options.lr, "lr");
  check_non_negative(options.momentum, "momentum");
  check_non_negative(options.weight_decay, "weight_decay");
  ATTN_CHECK(!options.nesterov || options.momentum > 0.0f,
             "make_sgd: nesterov requires momentum > 0, got momentum {}", options.momentum);
  return std::make_unique<Sgd>(std::move(params), options);
}

}  // namespace attn::optim

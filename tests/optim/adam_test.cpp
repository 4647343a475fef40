// Adam, Adam + L2 and AdamW against a textbook double-precision Adam over 3
// steps (with the lr changed between steps, as a schedule does).
#include "optim_test_helpers.h"
#include "test_util.h"

namespace attn::optim_test {
namespace {

using optim::ParamRef;

// Kingma & Ba with bias correction, in double; l2 adds wd·p to the gradient
// (torch.optim.Adam), decoupled multiplies p by 1 - lr·wd first (AdamW).
struct RefAdam {
  double b1, b2, eps, wd;
  bool decoupled;
  std::vector<double> p, m{}, v{};
  int t = 0;
  void step(const std::vector<float>& g32, double lr) {
    ++t;
    m.resize(p.size());
    v.resize(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      double g = g32[i];
      if (decoupled) {
        p[i] *= 1.0 - lr * wd;
      } else {
        g += wd * p[i];
      }
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const double mhat = m[i] / (1 - std::pow(b1, t)), vhat = v[i] / (1 - std::pow(b2, t));
      p[i] -= lr * mhat / (std::sqrt(vhat) + eps);
    }
  }
};

// Small values so that each update is a sizeable fraction of the parameter
// and a 1e-5 relative check on p really checks the update.
const std::vector<float> kInit = {0.05f, -0.02f, 0.01f, 0.03f, -0.04f, 0.015f, 0.02f};
const float kLrs[3] = {1e-2f, 5e-3f, 2e-2f};

void check_against_reference(optim::AdamOptions o, bool adamw, bool decay) {
  ParamRef w = make_param("w", {7}, kInit, decay);
  auto opt = adamw ? optim::make_adamw({w}, o) : optim::make_adam({w}, o);
  // Defaults 0.9 / 0.999 written as decimals, as torch receives them from Python.
  RefAdam ref{.b1 = 0.9,
              .b2 = 0.999,
              .eps = o.eps,
              .wd = decay ? o.weight_decay : 0.0,
              .decoupled = adamw || o.decoupled,
              .p = std::vector<double>(kInit.begin(), kInit.end())};
  for (int k = 0; k < 3; ++k) {
    const auto g = grad_at(k, kInit.size(), 0.5f);
    set_grad(w, g);
    opt->set_lr(kLrs[k]);
    opt->step();
    ref.step(g, static_cast<double>(kLrs[k]));
    EXPECT_LE(max_rel(values(w), ref.p, 1e-3), test::kF32RelTol) << "step " << k;
  }
  auto state = opt->state_dict();
  EXPECT_LE(max_rel(state.at("w.exp_avg").to_vector(), ref.m, 1e-6), test::kF32RelTol);
  EXPECT_LE(max_rel(state.at("w.exp_avg_sq").to_vector(), ref.v, 1e-9), test::kF32RelTol);
}

optim::AdamOptions opts(float eps, float wd, bool decoupled = false) {
  optim::AdamOptions o;
  o.eps = eps;
  o.weight_decay = wd;
  o.decoupled = decoupled;
  return o;
}

TEST(Adam, MatchesDoubleReference) {
  check_against_reference(opts(1e-7f, 0.0f), false, true);
  check_against_reference(opts(1e-8f, 0.0f), false, true);
}
TEST(Adam, L2MatchesDoubleReference) { check_against_reference(opts(1e-8f, 0.1f), false, true); }
TEST(AdamW, MatchesDoubleReference) {
  check_against_reference(opts(1e-8f, 0.1f), true, true);
  // make_adam with decoupled = true is AdamW too.
  check_against_reference(opts(1e-8f, 0.1f, true), false, true);
}
TEST(AdamW, DecayFalseExemptsParameter) {
  check_against_reference(opts(1e-8f, 0.5f), true, false);
  check_against_reference(opts(1e-8f, 0.5f), false, false);
}

TEST(Adam, EpsChangesTinyGradientUpdate) {
  // grad_at puts a ~1e-7 gradient at index 1, where eps 1e-7 vs 1e-8 differ a lot;
  // guards against eps being dropped or applied inside the sqrt.
  ParamRef a = make_param("a", {7}, kInit), b = make_param("b", {7}, kInit);
  auto oa = optim::make_adam({a}, opts(1e-7f, 0.0f));
  auto ob = optim::make_adam({b}, opts(1e-8f, 0.0f));
  set_grad(a, grad_at(0, 7));
  set_grad(b, grad_at(0, 7));
  oa->step();
  ob->step();
  const float da = kInit[1] - values(a)[1], db = kInit[1] - values(b)[1];
  EXPECT_NEAR(da, 1e-3f * 1e-7f / (1e-7f + 1e-7f), 1e-8f);
  EXPECT_NEAR(db, 1e-3f * 1e-7f / (1e-7f + 1e-8f), 1e-8f);
}

TEST(Adam, PerParameterStepCountsBiasCorrection) {
  // A parameter that first gets a gradient at global step 2 uses t = 1 for its
  // bias correction, as torch's per-parameter state["step"] does.
  ParamRef a = make_param("a", {1}, {0.5f}), b = make_param("b", {1}, {0.5f});
  auto opt = optim::make_adam({a, b}, {});
  set_grad(a, {1.0f});
  opt->step();
  set_grad(b, {1.0f});
  opt->step();
  // First Adam step moves by lr·g/(|g| + eps) ≈ lr.
  EXPECT_NEAR(values(b)[0], 0.5f - 1e-3f, 1e-7f);
  EXPECT_EQ(opt->steps(), 2);
}

TEST(Adam, BadOptionsThrow) {
  auto p = [] { return std::vector<ParamRef>{make_param("a", {1}, {1.0f})}; };
  auto with = [](auto f) {
    optim::AdamOptions o;
    f(o);
    return o;
  };
  EXPECT_THROW(optim::make_adam(p(), with([](auto& o) { o.lr = -1e-3f; })), Error);
  EXPECT_THROW(optim::make_adam(p(), with([](auto& o) { o.beta1 = 1.0f; })), Error);
  EXPECT_THROW(optim::make_adam(p(), with([](auto& o) { o.beta2 = -0.1f; })), Error);
  EXPECT_THROW(optim::make_adam(p(), with([](auto& o) { o.beta2 = NAN; })), Error);
  EXPECT_THROW(optim::make_adam(p(), with([](auto& o) { o.eps = -1e-8f; })), Error);
  EXPECT_THROW(optim::make_adamw(p(), with([](auto& o) { o.weight_decay = -0.01f; })), Error);
  EXPECT_NO_THROW(optim::make_adamw(p(), with([](auto& o) { o.eps = 0.0f; })));
}

}  // namespace
}  // namespace attn::optim_test

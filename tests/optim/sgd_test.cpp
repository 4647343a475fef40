// SGD against a hand-written double-precision torch.optim.SGD (dampening 0),
// plus the Optimizer base contract (skipping, zero_grad, lr, bad input).
#include "optim_test_helpers.h"
#include "test_util.h"

namespace attn::optim_test {
namespace {

using optim::ParamRef;

// torch.optim.SGD in double: d = g + wd p; buf = d (first) or m buf + d;
// d = nesterov ? d + m buf : buf; p -= lr d.
struct RefSgd {
  double lr, mom, wd;
  bool nesterov;
  std::vector<double> p, buf{};
  bool first = true;
  void step(const std::vector<float>& g) {
    buf.resize(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      double d = g[i] + wd * p[i];
      if (mom != 0.0) {
        buf[i] = first ? d : mom * buf[i] + d;
        d = nesterov ? d + mom * buf[i] : buf[i];
      }
      p[i] -= lr * d;
    }
    first = false;
  }
};

const std::vector<float> kInit = {0.5f, -0.25f, 0.125f, 0.75f, -0.6f, 0.3f};

void check_against_reference(const optim::SgdOptions& o, bool decay) {
  ParamRef w = make_param("w", {2, 3}, kInit, decay);
  auto opt = optim::make_sgd({w}, o);
  RefSgd ref{.lr = o.lr,
             .mom = o.momentum,
             .wd = decay ? o.weight_decay : 0.0,
             .nesterov = o.nesterov,
             .p = std::vector<double>(kInit.begin(), kInit.end())};
  for (int k = 0; k < 3; ++k) {
    const auto g = grad_at(k, kInit.size());
    set_grad(w, g);
    opt->step();
    ref.step(g);
    EXPECT_LE(max_rel(values(w), ref.p, 1e-4), test::kF32RelTol) << "step " << k;
  }
  EXPECT_EQ(opt->steps(), 3);
}

TEST(Sgd, PlainMatchesDoubleReference) { check_against_reference({0.1f, 0.0f, 0.0f, false}, true); }
TEST(Sgd, MomentumMatchesDoubleReference) {
  check_against_reference({0.1f, 0.9f, 0.0f, false}, true);
}
TEST(Sgd, NesterovMatchesDoubleReference) {
  check_against_reference({0.1f, 0.9f, 0.0f, true}, true);
}
TEST(Sgd, WeightDecayMatchesDoubleReference) {
  check_against_reference({0.1f, 0.0f, 0.05f, false}, true);
  check_against_reference({0.1f, 0.9f, 0.05f, true}, true);
}
TEST(Sgd, DecayFalseExemptsParameter) {
  // decay=false must behave exactly like weight_decay = 0 for that parameter.
  check_against_reference({0.1f, 0.9f, 0.5f, false}, false);
}

TEST(Sgd, FirstMomentumStepIsPlainGradient) {
  // torch initialises the buffer to the first gradient, not (1-m)·g or m·0 + g·(something).
  ParamRef w = make_param("w", {1}, {1.0f});
  auto opt = optim::make_sgd({w}, {0.5f, 0.9f, 0.0f, false});
  set_grad(w, {2.0f});
  opt->step();
  EXPECT_FLOAT_EQ(values(w)[0], 1.0f - 0.5f * 2.0f);
  opt->step();  // buf = 0.9·2 + 2 = 3.8
  EXPECT_FLOAT_EQ(values(w)[0], 0.0f - 0.5f * 3.8f);
}

TEST(Sgd, SkipsParametersWithoutGradient) {
  ParamRef a = make_param("a", {2}, {1.0f, 2.0f});
  ParamRef b = make_param("b", {2}, {3.0f, 4.0f});
  auto opt = optim::make_sgd({a, b}, {0.1f, 0.9f, 0.0f, false});
  set_grad(a, {1.0f, 1.0f});
  opt->step();
  EXPECT_FALSE(b.var.has_grad());
  EXPECT_EQ(values(b), (std::vector<float>{3.0f, 4.0f}));
  EXPECT_EQ(opt->steps(), 1);
  auto state = opt->state_dict();
  EXPECT_EQ(state.at("a.step").data_as<std::int32_t>()[0], 1);
  EXPECT_EQ(state.at("b.step").data_as<std::int32_t>()[0], 0);
  // b's first real update starts its momentum buffer from its own gradient.
  set_grad(b, {1.0f, -1.0f});
  opt->step();
  EXPECT_FLOAT_EQ(values(b)[0], 3.0f - 0.1f);
  EXPECT_FLOAT_EQ(values(b)[1], 4.0f + 0.1f);
}

TEST(Sgd, ZeroGradAndLr) {
  ParamRef a = make_param("a", {2}, {1.0f, 2.0f});
  auto opt = optim::make_sgd({a}, {});
  EXPECT_FLOAT_EQ(opt->lr(), 1e-2f);
  set_grad(a, {5.0f, 6.0f});
  opt->zero_grad();
  EXPECT_EQ(a.var.grad().to_vector(), (std::vector<float>{0.0f, 0.0f}));
  opt->set_lr(0.5f);
  EXPECT_FLOAT_EQ(opt->lr(), 0.5f);
  set_grad(a, {1.0f, 1.0f});
  opt->step();
  EXPECT_EQ(values(a), (std::vector<float>{0.5f, 1.5f}));
  EXPECT_THROW(opt->set_lr(-1.0f), Error);
  EXPECT_THROW(opt->set_lr(NAN), Error);
  EXPECT_EQ(opt->params().size(), 1u);
  EXPECT_EQ(opt->params()[0].name, "a");
}

TEST(Sgd, BadOptionsThrow) {
  auto p = [] { return std::vector<ParamRef>{make_param("a", {1}, {1.0f})}; };
  EXPECT_THROW(optim::make_sgd(p(), {-0.1f, 0.0f, 0.0f, false}), Error);
  EXPECT_THROW(optim::make_sgd(p(), {0.1f, -0.9f, 0.0f, false}), Error);
  EXPECT_THROW(optim::make_sgd(p(), {0.1f, 0.0f, -1.0f, false}), Error);
  EXPECT_THROW(optim::make_sgd(p(), {0.1f, 0.0f, 0.0f, true}), Error);  // nesterov needs momentum
  EXPECT_THROW(optim::make_sgd(p(), {INFINITY, 0.0f, 0.0f, false}), Error);
}

TEST(Optimizer, BadParameterListsThrow) {
  ParamRef a = make_param("a", {1}, {1.0f});
  ParamRef a2 = make_param("a", {1}, {1.0f});
  ParamRef unnamed = make_param("", {1}, {1.0f});
  ParamRef alias{"alias", a.var, true};
  ParamRef undefined{"u", Variable(), true};
  ParamRef ints{"i", Variable(Tensor::zeros({2}, DType::i32), true, "i"), true};
  EXPECT_THROW(optim::make_sgd({a, a2}, {}), Error);
  EXPECT_THROW(optim::make_sgd({unnamed}, {}), Error);
  EXPECT_THROW(optim::make_sgd({a, alias}, {}), Error);
  EXPECT_THROW(optim::make_adam({undefined}, {}), Error);
  EXPECT_THROW(optim::make_adamw({ints}, {}), Error);
  try {
    optim::make_adam({a, a2}, {});
    FAIL() << "expected attn::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'a'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace attn::optim_test

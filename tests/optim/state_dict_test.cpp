// Exact resume: 5 steps in one go must equal 2 steps, state_dict into a fresh
// optimizer over fresh parameters, and 3 more steps, bit for bit. Plus the
// errors load_state_dict gives for bad state.
#include <functional>

#include "optim_test_helpers.h"
#include "test_util.h"

namespace attn::optim_test {
namespace {

using optim::Optimizer;
using optim::ParamRef;
using Factory = std::function<std::unique_ptr<Optimizer>(std::vector<ParamRef>)>;

const std::vector<float> kW = {0.5f, -0.25f, 0.125f, 0.75f, -0.6f, 0.3f};
const std::vector<float> kB = {0.01f, -0.02f, 0.03f};

std::vector<ParamRef> make_params(const std::vector<float>& w, const std::vector<float>& b) {
  // b is exempt from decay, to cover both paths.
  return {make_param("layer.weight", {2, 3}, w), make_param("layer.bias", {3}, b, false)};
}

// Runs steps [from, to) with per-step gradients and lrs.
void run_steps(Optimizer& opt, int from, int to) {
  for (int k = from; k < to; ++k) {
    for (std::size_t i = 0; i < opt.params().size(); ++i)
      set_grad(opt.params()[i],
               grad_at(k + 3 * static_cast<int>(i),
                       static_cast<std::size_t>(opt.params()[i].var.value().numel())));
    opt.set_lr(0.01f * static_cast<float>(k + 1));
    opt.step();
  }
}

void check_resume(const Factory& make) {
  auto full_params = make_params(kW, kB);
  auto full = make(full_params);
  run_steps(*full, 0, 5);

  auto first_params = make_params(kW, kB);
  auto first = make(first_params);
  run_steps(*first, 0, 2);
  const auto state = first->state_dict();
  // Fresh parameters carrying the saved values, as a checkpoint load does.
  auto resumed_params = make_params(values(first_params[0]), values(first_params[1]));
  auto resumed = make(resumed_params);
  resumed->load_state_dict(state);
  EXPECT_EQ(resumed->steps(), 2);
  run_steps(*resumed, 2, 5);

  EXPECT_EQ(resumed->steps(), full->steps());
  for (std::size_t i = 0; i < full_params.size(); ++i)
    EXPECT_TRUE(bit_equal(values(resumed_params[i]), values(full_params[i])))
        << full_params[i].name;
  // The state itself continues identically too.
  const auto s_full = full->state_dict(), s_resumed = resumed->state_dict();
  ASSERT_EQ(s_full.size(), s_resumed.size());
  for (const auto& [key, t] : s_full) {
    ASSERT_TRUE(s_resumed.count(key)) << key;
    ASSERT_EQ(t.nbytes(), s_resumed.at(key).nbytes()) << key;
    EXPECT_EQ(std::memcmp(t.raw(), s_resumed.at(key).raw(), t.nbytes()), 0) << key;
  }
}

optim::AdamOptions adam_opts() {
  optim::AdamOptions o;
  o.weight_decay = 0.05f;
  return o;
}

TEST(StateDict, SgdMomentumResumesExactly) {
  check_resume([](auto p) { return optim::make_sgd(std::move(p), {0.1f, 0.9f, 0.01f, false}); });
  check_resume([](auto p) { return optim::make_sgd(std::move(p), {0.1f, 0.9f, 0.01f, true}); });
}
TEST(StateDict, AdamResumesExactly) {
  check_resume([](auto p) { return optim::make_adam(std::move(p), adam_opts()); });
}
TEST(StateDict, AdamWResumesExactly) {
  check_resume([](auto p) { return optim::make_adamw(std::move(p), adam_opts()); });
}

TEST(StateDict, ResumeWithoutStateDiffers) {
  // Control for the tests above: dropping the state must change the result,
  // otherwise they would pass without any state being restored.
  auto full_params = make_params(kW, kB);
  auto full = optim::make_adam(full_params, adam_opts());
  run_steps(*full, 0, 5);
  auto first_params = make_params(kW, kB);
  auto first = optim::make_adam(first_params, adam_opts());
  run_steps(*first, 0, 2);
  auto fresh_params = make_params(values(first_params[0]), values(first_params[1]));
  auto fresh = optim::make_adam(fresh_params, adam_opts());
  run_steps(*fresh, 2, 5);
  EXPECT_FALSE(bit_equal(values(fresh_params[0]), values(full_params[0])));
}

TEST(StateDict, KeysAndDtypes) {
  auto params = make_params(kW, kB);
  auto adam = optim::make_adam(params, {});
  const auto s = adam->state_dict();
  EXPECT_EQ(s.size(), 7u);
  for (const char* key : {"__step", "layer.weight.step", "layer.bias.step"}) {
    ASSERT_TRUE(s.count(key)) << key;
    EXPECT_EQ(s.at(key).dtype(), DType::i32);
    EXPECT_EQ(s.at(key).numel(), 1);
  }
  EXPECT_EQ(s.at("layer.weight.exp_avg").shape(), (Shape{2, 3}));
  EXPECT_EQ(s.at("layer.bias.exp_avg_sq").shape(), (Shape{3}));

  auto sgd = optim::make_sgd(make_params(kW, kB), {0.1f, 0.0f, 0.0f, false});
  EXPECT_EQ(sgd->state_dict().size(), 3u);  // no momentum: no buffers
  auto sgdm = optim::make_sgd(make_params(kW, kB), {0.1f, 0.5f, 0.0f, false});
  EXPECT_EQ(sgdm->state_dict().at("layer.bias.momentum_buffer").shape(), (Shape{3}));
}

TEST(StateDict, IsACopy) {
  auto params = make_params(kW, kB);
  auto opt = optim::make_adam(params, {});
  run_steps(*opt, 0, 1);
  const auto before = opt->state_dict();
  const auto m0 = before.at("layer.weight.exp_avg").to_vector();
  run_steps(*opt, 1, 2);
  EXPECT_TRUE(bit_equal(before.at("layer.weight.exp_avg").to_vector(), m0));
}

TEST(StateDict, AcceptsF32Steps) {
  auto params = make_params(kW, kB);
  auto opt = optim::make_adam(params, {});
  run_steps(*opt, 0, 2);
  auto s = opt->state_dict();
  for (const char* key : {"__step", "layer.weight.step", "layer.bias.step"})
    s[key] = Tensor::full({1}, 2.0f);
  auto other = optim::make_adam(make_params(kW, kB), {});
  other->load_state_dict(s);
  EXPECT_EQ(other->steps(), 2);
}

void expect_load_error(std::map<std::string, Tensor> s, const std::string& needle) {
  auto opt = optim::make_adam(make_params(kW, kB), {});
  run_steps(*opt, 0, 1);
  const auto before = opt->state_dict();
  try {
    opt->load_state_dict(s);
    ADD_FAILURE() << "expected attn::Error mentioning " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
  // A failed load leaves the optimizer as it was.
  EXPECT_EQ(opt->steps(), 1);
  EXPECT_TRUE(bit_equal(opt->state_dict().at("layer.weight.exp_avg").to_vector(),
                        before.at("layer.weight.exp_avg").to_vector()));
}

TEST(StateDict, BadStateThrowsNamingTheEntry) {
  auto src = optim::make_adam(make_params(kW, kB), {});
  run_steps(*src, 0, 3);
  const auto good = src->state_dict();

  auto missing = good;
  missing.erase("layer.bias.exp_avg_sq");
  expect_load_error(missing, "layer.bias.exp_avg_sq");

  auto misshaped = good;
  misshaped["layer.weight.exp_avg"] = Tensor::zeros({3, 2});
  expect_load_error(misshaped, "layer.weight.exp_avg");

  auto wrong_dtype = good;
  wrong_dtype["layer.weight.exp_avg"] = Tensor::zeros({2, 3}, DType::i32);
  expect_load_error(wrong_dtype, "layer.weight.exp_avg");

  auto extra = good;
  extra["layer.weight.momentum_buffer"] = Tensor::zeros({2, 3});
  expect_load_error(extra, "layer.weight.momentum_buffer");

  auto no_step = good;
  no_step.erase("__step");
  expect_load_error(no_step, "__step");

  auto bad_step = good;
  bad_step["layer.weight.step"] = Tensor::full({1}, 1.5f);
  expect_load_error(bad_step, "layer.weight.step");

  // SGD state into Adam: missing moments.
  auto sgd = optim::make_sgd(make_params(kW, kB), {0.1f, 0.9f, 0.0f, false});
  expect_load_error(sgd->state_dict(), "exp_avg");
}

}  // namespace
}  // namespace attn::optim_test

// PyTorch conformance: replays tests/fixtures/optim_<case>.json, written by
// scripts/fixtures_optim.py from torch.optim (Adam, AdamW, SGD), and checks
// every parameter after every step within kF32RelTol.
#include <fstream>
#include <nlohmann/json.hpp>

#include "optim_test_helpers.h"
#include "test_util.h"

namespace attn::optim_test {
namespace {

using nlohmann::json;
using optim::ParamRef;

json load_fixture(const std::string& name) {
  const auto path = test::fixtures_dir() / ("optim_" + name + ".json");
  std::ifstream f(path);
  if (!f) ADD_FAILURE() << "missing fixture " << path << " (run scripts/fixtures_optim.py)";
  json j = json::parse(f);
  EXPECT_EQ(j.at("magic").get<std::string>(), "attn-optim-fixture");
  EXPECT_EQ(j.at("version").get<int>(), 1);
  return j;
}

std::unique_ptr<optim::Optimizer> make_from(const json& j, std::vector<ParamRef> params) {
  const std::string kind = j.at("optimizer");
  const json& o = j.at("options");
  if (kind == "sgd") {
    optim::SgdOptions s;
    s.lr = o.at("lr");
    s.momentum = o.at("momentum");
    s.weight_decay = o.at("weight_decay");
    s.nesterov = o.at("nesterov");
    return optim::make_sgd(std::move(params), s);
  }
  optim::AdamOptions a;
  a.lr = o.at("lr");
  a.beta1 = o.at("beta1");
  a.beta2 = o.at("beta2");
  a.eps = o.at("eps");
  a.weight_decay = o.at("weight_decay");
  if (kind == "adamw") return optim::make_adamw(std::move(params), a);
  EXPECT_EQ(kind, "adam");
  return optim::make_adam(std::move(params), a);
}

void replay(const std::string& name) {
  SCOPED_TRACE(name);
  const json j = load_fixture(name);
  std::vector<ParamRef> params;
  for (const json& p : j.at("params"))
    params.push_back(make_param(p.at("name"), p.at("shape").get<Shape>(),
                                p.at("init").get<std::vector<float>>()));
  auto opt = make_from(j, params);
  int k = 0;
  for (const json& step : j.at("steps")) {
    for (const ParamRef& p : params)
      set_grad(p, step.at("grads").at(p.name).get<std::vector<float>>());
    opt->step();
    for (const ParamRef& p : params) {
      const auto want = step.at("params").at(p.name).get<std::vector<float>>();
      const Tensor w = Tensor::from(p.var.shape(), want);
      // Floor 1e-4: parameters are ~1e-3..5e-2, so the updates are a large
      // fraction of them and a small error in the update shows.
      EXPECT_TRUE(test::all_close(p.var.value(), w, test::kF32RelTol, 1e-4f))
          << p.name << " after step " << k + 1;
    }
    ++k;
  }
  EXPECT_EQ(k, 3);
  EXPECT_EQ(opt->steps(), 3);
}

TEST(OptimConformance, AdamEps1e7) { replay("adam_eps1e7"); }
TEST(OptimConformance, AdamEps1e8) { replay("adam_eps1e8"); }
TEST(OptimConformance, AdamL2) { replay("adam_l2"); }
TEST(OptimConformance, AdamW) { replay("adamw"); }
TEST(OptimConformance, SgdMomentum) { replay("sgd_momentum"); }
TEST(OptimConformance, SgdNesterovWeightDecay) { replay("sgd_nesterov_wd"); }

}  // namespace
}  // namespace attn::optim_test

#include "attn/train/step_guard.h"

#include <cmath>

#include "attn/core/error.h"
#include "attn/optim/clip.h"
#include "attn/train/numeric_health.h"

namespace attn::train {

std::unique_ptr<optim::Optimizer> make_optimizer(const OptimizerSettings& s,
                                                 const nn::Module& model) {
  std::vector<optim::ParamRef> params;
  for (const auto& p : model.parameters()) params.push_back({p.name, p.var, p.decay});
  if (s.kind == "sgd") {
    optim::SgdOptions o;
    o.lr = s.lr;
    o.momentum = s.momentum;
    o.weight_decay = s.weight_decay;
    return optim::make_sgd(std::move(params), o);
  }
  optim::AdamOptions o;
  o.lr = s.lr;
  o.beta1 = s.beta1;
  o.beta2 = s.beta2;
  o.eps = s.eps;
  o.weight_decay = s.weight_decay;
  if (s.kind == "adamw") return optim::make_adamw(std::move(params), o);
  return optim::make_adam(std::move(params), o);
}

StepGuard::StepGuard(std::string on_nan, std::int64_t max_nan_skips, float clip_norm,
                     std::filesystem::path state_dir)
    : on_nan_(std::move(on_nan)),
      max_nan_skips_(max_nan_skips),
      clip_norm_(clip_norm),
      state_dir_(std::move(state_dir)) {
  ATTN_CHECK(on_nan_ == "stop" || on_nan_ == "skip",
             "on_nan: expected \"stop\" or \"skip\", got \"{}\"", on_nan_);
}

bool StepGuard::apply(optim::Optimizer& opt, double mean_loss, const std::string& where,
                      std::ostream& log) {
  const std::vector<optim::ParamRef>& refs = opt.params();
  const float norm =
      clip_norm_ > 0 ? optim::clip_grad_norm(refs, clip_norm_) : optim::global_grad_norm(refs);
  last_norm_ = norm;
  if (std::isfinite(mean_loss) && std::isfinite(norm)) {
    streak_ = 0;
    opt.step();
    opt.zero_grad();
    return true;
  }
  const std::string first = first_non_finite(refs).value_or("no parameter (the loss itself)");
  const std::string what =
      fmt::format("{}: non-finite {} (loss {}, gradient norm {}); first non-finite: {}", where,
                  std::isfinite(mean_loss) ? "gradient" : "loss", mean_loss, norm, first);
  if (on_nan_ == "stop")
    fail(
        "{}; training stopped. The last good state is kept in {} (try a lower learning rate or "
        "clip_norm, then --resume, or on_nan = \"skip\")",
        what, state_dir_.string());
  opt.zero_grad();
  ++skips_;
  log << fmt::format("\nwarning: {}; update skipped\n", what);
  ATTN_CHECK(++streak_ < max_nan_skips_,
             "{} consecutive non-finite steps (max_nan_skips); training stopped. The last good "
             "state is kept in {}",
             streak_, state_dir_.string());
  return false;
}

CheckpointClock::CheckpointClock(std::int64_t every_steps, double every_minutes)
    : every_steps_(every_steps),
      every_minutes_(every_minutes),
      last_save_(std::chrono::steady_clock::now()) {}

bool CheckpointClock::due(std::int64_t step) const {
  if (every_steps_ > 0 && step % every_steps_ == 0) return true;
  const double minutes =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - last_save_).count() / 60;
  return every_minutes_ > 0 && minutes >= every_minutes_;
}

void CheckpointClock::saved() { last_save_ = std::chrono::steady_clock::now(); }

}  // namespace attn::train

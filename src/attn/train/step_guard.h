#pragma once
// Pieces of the training step that every training loop (classifier, decoder LM)
// shares: building the optimizer, clipping + the non-finite check before an
// update (training.on_nan), and the periodic checkpoint decision.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "attn/nn/module.h"
#include "attn/optim/optimizer.h"

namespace attn::train {

struct OptimizerSettings {
  std::string kind = "adam";  // sgd | adam | adamw
  float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-7f, momentum = 0, weight_decay = 0;
};
// Every parameter of `model` (with its decay flag) under the chosen optimizer.
std::unique_ptr<optim::Optimizer> make_optimizer(const OptimizerSettings& s,
                                                 const nn::Module& model);

// After backward: clips the gradients (clip_norm > 0) and applies the update,
// unless the loss or the gradient norm is non-finite. Then on_nan = "stop"
// throws attn::Error naming the step and the first bad parameter; "skip" drops
// the update (zeroing the gradients) with a warning and throws after
// max_nan_skips consecutive skips. The gradients are zeroed either way.
class StepGuard {
 public:
  StepGuard(std::string on_nan, std::int64_t max_nan_skips, float clip_norm,
            std::filesystem::path state_dir);
  // `where` names the step for messages, e.g. "step 12 (epoch 1, batch 12)";
  // mean_loss is the step's loss. Returns true when the update was applied.
  bool apply(optim::Optimizer& opt, double mean_loss, const std::string& where, std::ostream& log);
  std::int64_t skips() const { return skips_; }
  float last_norm() const { return last_norm_; }

 private:
  std::string on_nan_;
  std::int64_t max_nan_skips_;
  float clip_norm_;
  std::filesystem::path state_dir_;
  std::int64_t streak_ = 0, skips_ = 0;
  float last_norm_ = 0;
};

// Whether the resumable state is due after optimizer step `step`: every
// `every_steps` steps (0 = off) or `every_minutes` after the last save (0 = off).
class CheckpointClock {
 public:
  CheckpointClock(std::int64_t every_steps, double every_minutes);
  bool due(std::int64_t step) const;
  void saved();  // restarts the minute clock

 private:
  std::int64_t every_steps_;
  double every_minutes_;
  std::chrono::steady_clock::time_point last_save_;
};

}  // namespace attn::train

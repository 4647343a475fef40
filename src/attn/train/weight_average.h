#pragma once
// Exponential moving average of the parameters (Polyak averaging):
//   avg = decay * avg + (1 - decay) * param after every optimizer step.
// Validation and the kept "best" checkpoint use the averaged weights, which
// smooths the step-to-step noise of a small data set.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "attn/io/safetensors.h"
#include "attn/nn/module.h"

namespace attn::train {

class WeightAverage {
 public:
  // Starts the average at the model's current weights.
  WeightAverage(const nn::Module& model, float decay);
  void update();
  // Exchanges the model's weights with the averaged ones (call twice to undo).
  void swap();
  TensorMap state() const;  // "<param name>" -> averaged tensor
  void load_state(const TensorMap& state, const std::string& file);  // throws naming a bad entry

 private:
  std::vector<nn::NamedParameter> params_;
  std::vector<Tensor> average_;
  float decay_;
};

// The run's average when decay > 0, else null. `restore`: a saved state is being resumed,
// so the average is read back from train_state/extra.safetensors.
std::unique_ptr<WeightAverage> open_weight_average(const nn::Module& model, float decay,
                                                   const std::filesystem::path& run, bool restore);

}  // namespace attn::train

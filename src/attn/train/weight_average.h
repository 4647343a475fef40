#pragma once
// Exponential moving average of the parameters (Polyak averaging):
//   avg = decay * avg + (1 - decay) * param after every optimizer step.
// Validation and the kept "best" checkpoint use the averaged weights, which
// smooths the step-to-step noise of a small data set.
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

}  // namespace attn::train

#include "attn/train/weight_average.h"

#include <utility>

#include "attn/train/checkpoint.h"

namespace attn::train {

WeightAverage::WeightAverage(const nn::Module& model, float decay)
    : params_(model.parameters()), decay_(decay) {
  ATTN_CHECK(decay > 0.0f && decay < 1.0f, "training.ema_decay must be in (0, 1), got {}", decay);
  for (const auto& p : params_) average_.push_back(p.var.value().clone());
}

void WeightAverage::update() {
  const float keep = decay_, take = 1.0f - decay_;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    float* a = average_[i].data();
    const float* w = params_[i].var.value().data();
    for (std::int64_t j = 0; j < average_[i].numel(); ++j) a[j] = keep * a[j] + take * w[j];
  }
}

void WeightAverage::swap() {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor current = params_[i].var.value().clone();
    const_cast<Variable&>(params_[i].var).value().copy_from(average_[i]);
    average_[i] = std::move(current);
  }
}

TensorMap WeightAverage::state() const {
  TensorMap out;
  for (std::size_t i = 0; i < params_.size(); ++i) out[params_[i].name] = average_[i];
  return out;
}

void WeightAverage::load_state(const TensorMap& state, const std::string& file) {
  ATTN_CHECK(state.size() == params_.size(), "{}: {} averaged tensors, the model has {}", file,
             state.size(), params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    auto it = state.find(params_[i].name);
    ATTN_CHECK(it != state.end() && it->second.shape() == average_[i].shape() &&
                   it->second.dtype() == DType::f32,
               "{}: averaged tensor \"{}\" is missing or has the wrong shape/dtype", file,
               params_[i].name);
    average_[i].copy_from(it->second);
  }
}

std::unique_ptr<WeightAverage> open_weight_average(const nn::Module& model, float decay,
                                                   const std::filesystem::path& run, bool restore) {
  if (decay <= 0.0f) return nullptr;
  auto average = std::make_unique<WeightAverage>(model, decay);
  if (restore) average->load_state(load_train_state_extra(run), "train_state/extra.safetensors");
  return average;
}

}  // namespace attn::train

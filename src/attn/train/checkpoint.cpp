#include "attn/train/checkpoint.h"

#include <cmath>

#include "attn/io/atomic_file.h"
#include "attn/io/json_parse.h"
#include "attn/io/json_reader.h"
#include "attn/io/safetensors.h"

namespace attn::train {

namespace fs = std::filesystem;

nlohmann::json TrainState::to_json() const {
  // RNG words are saved as strings: JSON numbers lose 64-bit precision in many readers.
  return {{"epoch", epoch},
          {"cursor", cursor},
          {"step", step},
          {"rng_seed", std::to_string(rng.seed)},
          {"rng_counter", std::to_string(rng.counter)},
          {"best_val_loss", best_val_loss},
          {"best_val_accuracy", best_val_accuracy},
          {"best_epoch", best_epoch},
          {"bad_epochs", bad_epochs},
          {"finished", finished}};
}

TrainState TrainState::from_json(const nlohmann::json& j, const std::string& file) {
  TrainState s;
  try {
    s.epoch = j.at("epoch").get<std::int64_t>();
    s.cursor = j.at("cursor").get<std::int64_t>();
    s.step = j.at("step").get<std::int64_t>();
    s.rng.seed = std::stoull(j.at("rng_seed").get<std::string>());
    s.rng.counter = std::stoull(j.at("rng_counter").get<std::string>());
    s.best_val_loss = j.at("best_val_loss").get<double>();
    s.best_val_accuracy = j.at("best_val_accuracy").get<double>();
    s.best_epoch = j.at("best_epoch").get<std::int64_t>();
    s.bad_epochs = j.at("bad_epochs").get<std::int64_t>();
    s.finished = j.at("finished").get<bool>();
  } catch (const std::exception& e) {
    fail("{}: bad training state: {}", file, e.what());
  }
  return s;
}

void save_weights(const fs::path& file, const nn::Module& model) {
  TensorMap tensors;
  for (const auto& p : model.parameters()) tensors[p.name] = p.var.value();
  save_safetensors(file, tensors, {{"format", "pt"}, {"producer", "attn"}});
}

void load_weights(const fs::path& file, const nn::Module& model) {
  SafetensorsData data = load_safetensors(file);
  std::size_t used = 0;
  for (const auto& p : model.parameters()) {
    auto it = data.tensors.find(p.name);
    ATTN_CHECK(it != data.tensors.end(), "{}: tensor \"{}\" is missing (the config expects it)",
               file.string(), p.name);
    const Tensor& t = it->second;
    ATTN_CHECK(t.dtype() == DType::f32, "{}: tensor \"{}\" has dtype {}, expected F32",
               file.string(), p.name, dtype_name(t.dtype()));
    ATTN_CHECK(t.shape() == p.var.shape(), "{}: tensor \"{}\" has shape {} but the config gives {}",
               file.string(), p.name, shape_str(t.shape()), shape_str(p.var.shape()));
    // A NaN or Inf weight would only show up later as silently wrong predictions.
    const float* v = t.data();
    for (std::int64_t i = 0; i < t.numel(); ++i)
      ATTN_CHECK(std::isfinite(v[i]), "{}: tensor \"{}\" holds a non-finite value ({}) at index {}",
                 file.string(), p.name, v[i], i);
    const_cast<Variable&>(p.var).value().copy_from(t);
    ++used;
  }
  if (used != data.tensors.size()) {
    for (const auto& [name, t] : data.tensors) {
      bool known = false;
      for (const auto& p : model.parameters()) known = known || p.name == name;
      ATTN_CHECK(known, "{}: unexpected tensor \"{}\" (not a parameter of this config)",
                 file.string(), name);
    }
  }
}

void save_train_state(const fs::path& run, const nn::Module& model, const optim::Optimizer& opt,
                      const TrainState& state, const TensorMap* extra) {
  const fs::path dir = run / "train_state";
  ensure_writable_dir(dir);
  save_weights(dir / "model.safetensors", model);
  TensorMap slots;
  for (auto& [k, v] : opt.state_dict()) slots[k] = v;
  save_safetensors(dir / "optimizer.safetensors", slots);
  if (extra) save_safetensors(dir / "extra.safetensors", *extra);
  // state.json is written last: a crash before it leaves the previous state.json,
  // whose step count then disagrees with the optimizer file and is detected.
  nlohmann::json j = state.to_json();
  j["optimizer_steps"] = opt.steps();
  write_file_atomic(dir / "state.json", j.dump(2) + "\n");
}

TensorMap load_train_state_extra(const fs::path& run) {
  const fs::path file = run / "train_state" / "extra.safetensors";
  if (!fs::exists(file)) return {};
  return load_safetensors(file).tensors;
}

TrainState load_train_state(const fs::path& run, const nn::Module& model, optim::Optimizer& opt) {
  const fs::path dir = run / "train_state";
  const fs::path state_file = dir / "state.json";
  ATTN_CHECK(fs::exists(state_file), "--resume: {} does not exist (no earlier run in {})",
             state_file.string(), run.string());
  const nlohmann::json j = read_json_file(state_file);
  TrainState s = TrainState::from_json(j, state_file.string());
  load_weights(dir / "model.safetensors", model);
  SafetensorsData slots = load_safetensors(dir / "optimizer.safetensors");
  std::map<std::string, Tensor> m(slots.tensors.begin(), slots.tensors.end());
  opt.load_state_dict(m);
  ATTN_CHECK(opt.steps() == j.value("optimizer_steps", std::int64_t{-1}),
             "{}: optimizer state has {} steps but state.json says {} (interrupted save?)",
             dir.string(), opt.steps(), j.value("optimizer_steps", std::int64_t{-1}));
  return s;
}

}  // namespace attn::train

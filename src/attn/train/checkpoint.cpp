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
          {"finished", finished},
          {"epoch_loss_sum", epoch_loss_sum},
          {"epoch_correct", epoch_correct},
          {"epoch_examples", epoch_examples},
          {"epoch_tokens", epoch_tokens},
          {"elapsed_seconds", elapsed_seconds},
          {"log_loss_sum", log_loss_sum},
          {"log_correct", log_correct},
          {"log_examples", log_examples}};
}

namespace {

// An integer field; nlohmann would convert a float such as 1e30 with static_cast (UB).
std::int64_t int_at(const nlohmann::json& j, const char* key) {
  const auto& v = j.at(key);
  ATTN_CHECK(v.is_number_integer(), "\"{}\" must be an integer", key);
  return v.get<std::int64_t>();
}

}  // namespace

TrainState TrainState::from_json(const nlohmann::json& j, const std::string& file) {
  TrainState s;
  try {
    s.epoch = int_at(j, "epoch");
    s.cursor = int_at(j, "cursor");
    s.step = int_at(j, "step");
    s.rng.seed = std::stoull(j.at("rng_seed").get<std::string>());
    s.rng.counter = std::stoull(j.at("rng_counter").get<std::string>());
    s.best_val_loss = j.at("best_val_loss").get<double>();
    s.best_val_accuracy = j.at("best_val_accuracy").get<double>();
    s.best_epoch = int_at(j, "best_epoch");
    s.bad_epochs = int_at(j, "bad_epochs");
    s.finished = j.at("finished").get<bool>();
    s.epoch_loss_sum = j.value("epoch_loss_sum", 0.0);
    if (j.contains("epoch_correct")) {  // absent in states saved before they existed
      s.epoch_correct = int_at(j, "epoch_correct");
      s.epoch_examples = int_at(j, "epoch_examples");
      s.epoch_tokens = int_at(j, "epoch_tokens");
    }
    s.elapsed_seconds = j.value("elapsed_seconds", 0.0);
    s.log_loss_sum = j.value("log_loss_sum", 0.0);
    if (j.contains("log_correct")) {
      s.log_correct = int_at(j, "log_correct");
      s.log_examples = int_at(j, "log_examples");
    }
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

namespace {

bool is_temp_file_name(const std::string& name) {
  const auto at = name.rfind(".tmp.");
  if (at == std::string::npos || at + 5 == name.size()) return false;
  return name.find_first_not_of("0123456789", at + 5) == std::string::npos;
}

}  // namespace

void recover_train_state(const fs::path& run) {
  const fs::path current = run / "train_state", fresh = run / "train_state.new",
                 old = run / "train_state.old";
  std::error_code ec;
  // Killed between the two renames: the old state is complete, the current one gone.
  if (!fs::exists(current) && fs::exists(old)) {
    fs::rename(old, current, ec);
    ATTN_CHECK(!ec, "cannot recover the training state: rename {} -> {}: {}", old.string(),
               current.string(), ec.message());
  }
  fs::remove_all(fresh, ec);
  fs::remove_all(old, ec);
  if (fs::is_directory(run, ec)) {
    for (const auto& e : fs::directory_iterator(run, ec))
      if (e.is_regular_file() && (is_temp_file_name(e.path().filename().string()) ||
                                  e.path().filename().string().starts_with(".attn_write_probe.")))
        fs::remove(e.path(), ec);
  }
}

bool has_train_state(const fs::path& run) { return fs::exists(run / "train_state" / "state.json"); }

void save_train_state(const fs::path& run, const nn::Module& model, const optim::Optimizer& opt,
                      const TrainState& state, const TensorMap* extra) {
  recover_train_state(run);
  const fs::path current = run / "train_state", fresh = run / "train_state.new",
                 old = run / "train_state.old";
  std::error_code ec;
  try {
    ensure_writable_dir(fresh);
    save_weights(fresh / "model.safetensors", model);
    TensorMap slots;
    for (auto& [k, v] : opt.state_dict()) slots[k] = v;
    save_safetensors(fresh / "optimizer.safetensors", slots);
    if (extra) save_safetensors(fresh / "extra.safetensors", *extra);
    nlohmann::json j = state.to_json();
    j["optimizer_steps"] = opt.steps();
    write_file_atomic(fresh / "state.json", j.dump(2) + "\n");
  } catch (const Error& e) {
    fs::remove_all(fresh, ec);  // give the space back; the current state is untouched
    fail("{} (while saving the training state at step {}; the previous state in {} is intact)",
         e.what(), state.step, current.string());
  }
  // Every file of the new state is durable; now swap the directories.
  if (fs::exists(current)) {
    fs::rename(current, old, ec);
    ATTN_CHECK(!ec, "cannot save the training state: rename {} -> {}: {}", current.string(),
               old.string(), ec.message());
  }
  fs::rename(fresh, current, ec);
  ATTN_CHECK(!ec, "cannot save the training state: rename {} -> {}: {}", fresh.string(),
             current.string(), ec.message());
  sync_directory(run);
  fs::remove_all(old, ec);
}

TensorMap load_train_state_extra(const fs::path& run) {
  const fs::path file = run / "train_state" / "extra.safetensors";
  if (!fs::exists(file)) return {};
  return load_safetensors(file).tensors;
}

TrainState load_train_state(const fs::path& run, const nn::Module& model, optim::Optimizer& opt) {
  recover_train_state(run);
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
  const auto saved = j.find("optimizer_steps");
  const std::int64_t saved_steps =
      saved != j.end() && saved->is_number_integer() ? saved->get<std::int64_t>() : -1;
  ATTN_CHECK(opt.steps() == saved_steps,
             "{}: optimizer state has {} steps but state.json says {} (interrupted save?)",
             dir.string(), opt.steps(), saved_steps);
  return s;
}

}  // namespace attn::train

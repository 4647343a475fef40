#include "attn/train/training_config.h"

#include <filesystem>

namespace attn::train {

void parse_shared_training(const JsonObjectReader& r, SharedTrainingConfig& t,
                           const std::vector<std::string>& optimizers,
                           const std::vector<std::string>& schedules) {
  t.optimizer = r.get_string_enum("optimizer", t.optimizer, optimizers);
  t.lr = static_cast<float>(r.get_float("lr", t.lr, 0.0, 10.0));
  t.beta1 = static_cast<float>(r.get_float("beta1", t.beta1, 0.0, 0.999999));
  t.beta2 = static_cast<float>(r.get_float("beta2", t.beta2, 0.0, 0.999999999));
  t.eps = static_cast<float>(r.get_float("eps", t.eps, 0.0, 1.0));
  t.weight_decay = static_cast<float>(r.get_float("weight_decay", t.weight_decay, 0.0, 10.0));
  t.batch_size = r.get_int("batch_size", t.batch_size, 1);
  t.schedule = r.get_string_enum("schedule", t.schedule, schedules);
  t.warmup_steps = r.get_int("warmup_steps", t.warmup_steps, 0);
  t.min_lr = static_cast<float>(r.get_float("min_lr", t.min_lr, 0.0, 10.0));
  t.clip_norm = static_cast<float>(r.get_float("clip_norm", t.clip_norm, 0.0));
  t.seed = static_cast<std::uint64_t>(r.get_int("seed", static_cast<std::int64_t>(t.seed), 0));
  t.checkpoint_every_steps = r.get_int("checkpoint_every_steps", t.checkpoint_every_steps, 0);
  t.checkpoint_every_minutes =
      r.get_float("checkpoint_every_minutes", t.checkpoint_every_minutes, 0.0, 1e6);
  t.on_nan = r.get_string_enum("on_nan", t.on_nan, {"stop", "skip"});
  t.max_nan_skips = r.get_int("max_nan_skips", t.max_nan_skips, 1);
  t.precision = r.get_string_enum("precision", t.precision, {"f32", "bf16"});
}

nlohmann::json shared_training_to_json(const SharedTrainingConfig& t) {
  return {{"optimizer", t.optimizer},
          {"lr", t.lr},
          {"beta1", t.beta1},
          {"beta2", t.beta2},
          {"eps", t.eps},
          {"weight_decay", t.weight_decay},
          {"batch_size", t.batch_size},
          {"schedule", t.schedule},
          {"warmup_steps", t.warmup_steps},
          {"min_lr", t.min_lr},
          {"clip_norm", t.clip_norm},
          {"seed", static_cast<std::int64_t>(t.seed)},
          {"checkpoint_every_steps", t.checkpoint_every_steps},
          {"checkpoint_every_minutes", t.checkpoint_every_minutes},
          {"on_nan", t.on_nan},
          {"max_nan_skips", t.max_nan_skips},
          {"precision", t.precision}};
}

optim::ScheduleOptions schedule_options(const SharedTrainingConfig& t, std::int64_t total_steps) {
  optim::ScheduleOptions s;
  s.kind = t.schedule;
  s.base_lr = t.lr;
  s.warmup_steps = t.warmup_steps;
  s.total_steps = total_steps;
  s.min_lr = t.min_lr;
  optim::validate(s);
  return s;
}

std::string resolve_config_path(const std::string& file, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return std::filesystem::absolute(std::filesystem::path(file).parent_path() / p)
      .lexically_normal()
      .string();
}

}  // namespace attn::train

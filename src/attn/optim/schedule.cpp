#include "attn/optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "attn/core/error.h"

namespace attn::optim {

namespace {

enum class Kind { constant, warmup_cosine, warmup_linear, inverse_sqrt };

Kind parse_kind(const std::string& kind) {
  if (kind == "constant") return Kind::constant;
  if (kind == "warmup_cosine") return Kind::warmup_cosine;
  if (kind == "warmup_linear") return Kind::warmup_linear;
  if (kind == "inverse_sqrt") return Kind::inverse_sqrt;
  fail(
      "schedule: unknown kind '{}' (expected constant, warmup_cosine, warmup_linear or "
      "inverse_sqrt)",
      kind);
}

// Warmup then a decay shaped by `shape(progress)`, progress in [0, 1] going
// from 1 (start of decay) to 0 (end); everything in double.
template <typename Shape>
double warmup_then_decay(const ScheduleOptions& o, std::int64_t step, Shape shape) {
  const double base = o.base_lr, floor = o.min_lr;
  if (step < o.warmup_steps)
    return base * static_cast<double>(step) / static_cast<double>(o.warmup_steps);
  const double span =
      static_cast<double>(std::max<std::int64_t>(1, o.total_steps - o.warmup_steps));
  const double progress = std::min(1.0, static_cast<double>(step - o.warmup_steps) / span);
  return floor + (base - floor) * shape(progress);
}

double noam(const ScheduleOptions& o, std::int64_t step) {
  const double s = static_cast<double>(step + 1);
  if (o.warmup_steps == 0) {
    const double scale = o.d_model > 0 ? 1.0 / std::sqrt(static_cast<double>(o.d_model)) : 1.0;
    return o.base_lr * scale / std::sqrt(s);
  }
  const double w = static_cast<double>(o.warmup_steps);
  const double f = std::min(1.0 / std::sqrt(s), s * std::pow(w, -1.5));
  const double scale =
      o.d_model > 0 ? 1.0 / std::sqrt(static_cast<double>(o.d_model)) : std::sqrt(w);
  return o.base_lr * scale * f;
}

}  // namespace

void validate(const ScheduleOptions& o) {
  const Kind kind = parse_kind(o.kind);
  ATTN_CHECK(std::isfinite(o.base_lr) && o.base_lr >= 0.0f,
             "schedule '{}': base_lr must be finite and >= 0, got {}", o.kind, o.base_lr);
  ATTN_CHECK(std::isfinite(o.min_lr) && o.min_lr >= 0.0f,
             "schedule '{}': min_lr must be finite and >= 0, got {}", o.kind, o.min_lr);
  ATTN_CHECK(o.warmup_steps >= 0, "schedule '{}': warmup_steps must be >= 0, got {}", o.kind,
             o.warmup_steps);
  ATTN_CHECK(o.total_steps >= 0, "schedule '{}': total_steps must be >= 0, got {}", o.kind,
             o.total_steps);
  ATTN_CHECK(o.d_model >= 0, "schedule '{}': d_model must be >= 0, got {}", o.kind, o.d_model);
  if (kind == Kind::warmup_cosine || kind == Kind::warmup_linear) {
    ATTN_CHECK(o.total_steps > 0, "schedule '{}': total_steps must be > 0, got {}", o.kind,
               o.total_steps);
    ATTN_CHECK(o.warmup_steps <= o.total_steps,
               "schedule '{}': warmup_steps {} exceeds total_steps {}", o.kind, o.warmup_steps,
               o.total_steps);
    ATTN_CHECK(o.min_lr <= o.base_lr, "schedule '{}': min_lr {} exceeds base_lr {}", o.kind,
               o.min_lr, o.base_lr);
  }
}

float scheduled_lr(const ScheduleOptions& o, std::int64_t step) {
  validate(o);
  ATTN_CHECK(step >= 0, "schedule '{}': step must be >= 0, got {}", o.kind, step);
  switch (parse_kind(o.kind)) {
    case Kind::constant:
      return o.base_lr;
    case Kind::warmup_cosine:
      return static_cast<float>(warmup_then_decay(
          o, step, [](double p) { return 0.5 * (1.0 + std::cos(std::numbers::pi * p)); }));
    case Kind::warmup_linear:
      return static_cast<float>(warmup_then_decay(o, step, [](double p) { return 1.0 - p; }));
    case Kind::inverse_sqrt:
      return static_cast<float>(noam(o, step));
  }
  return o.base_lr;  // unreachable: parse_kind throws on unknown kinds
}

}  // namespace attn::optim

#pragma once
// Learning-rate schedules as pure functions of the 0-based step number.
//   constant       base_lr
//   warmup_cosine  linear warmup base_lr·step/warmup, then cosine from base_lr
//                  down to min_lr at total_steps (min_lr after it)
//   warmup_linear  same warmup, then linear from base_lr down to min_lr
//   inverse_sqrt   "Noam" (Vaswani et al.), with s = step + 1:
//                  d_model > 0: base_lr · d_model^-0.5 · min(s^-0.5, s·warmup^-1.5)
//                  d_model = 0: base_lr · min(s^-0.5, s·warmup^-1.5) · sqrt(warmup),
//                  so the peak, at s = warmup, is base_lr; warmup = 0: no warmup term.
// The warmup convention is Hugging Face's get_*_schedule_with_warmup: step 0
// has lr 0 and step `warmup` reaches base_lr.
#include <cstdint>
#include <string>

namespace attn::optim {

struct ScheduleOptions {
  std::string kind = "constant";  // constant | warmup_cosine | warmup_linear | inverse_sqrt
  float base_lr = 1e-3f;
  std::int64_t warmup_steps = 0;
  std::int64_t total_steps = 0;  // required (> 0) by warmup_cosine and warmup_linear
  float min_lr = 0;              // floor of the decaying schedules
  std::int64_t d_model = 0;      // inverse_sqrt only
};

// The learning rate at `step` (0-based). Throws attn::Error for invalid
// options (see validate) or a negative step.
float scheduled_lr(const ScheduleOptions& o, std::int64_t step);

// Throws attn::Error on an unknown kind, negative or non-finite values,
// min_lr > base_lr, or (for the decaying kinds) total_steps <= 0 or
// warmup_steps > total_steps.
void validate(const ScheduleOptions& o);

}  // namespace attn::optim

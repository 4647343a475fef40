// Learning-rate schedules at hand-picked steps: warmup edges, cosine and
// linear midpoints and ends, the Noam peak; and option validation.
#include "attn/optim/schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "attn/core/error.h"

namespace attn::optim_test {
namespace {

using optim::scheduled_lr;
using optim::ScheduleOptions;

ScheduleOptions sched(const std::string& kind, float base, std::int64_t warmup, std::int64_t total,
                      float min_lr = 0.0f, std::int64_t d_model = 0) {
  ScheduleOptions o;
  o.kind = kind;
  o.base_lr = base;
  o.warmup_steps = warmup;
  o.total_steps = total;
  o.min_lr = min_lr;
  o.d_model = d_model;
  return o;
}

TEST(Schedule, Constant) {
  const auto o = sched("constant", 3e-4f, 0, 0);
  EXPECT_EQ(scheduled_lr(o, 0), 3e-4f);
  EXPECT_EQ(scheduled_lr(o, 123456), 3e-4f);
}

TEST(Schedule, WarmupEdges) {
  for (const char* kind : {"warmup_cosine", "warmup_linear"}) {
    const auto o = sched(kind, 1.0f, 10, 110, 0.1f);
    EXPECT_EQ(scheduled_lr(o, 0), 0.0f) << kind;
    EXPECT_FLOAT_EQ(scheduled_lr(o, 1), 0.1f) << kind;
    EXPECT_FLOAT_EQ(scheduled_lr(o, 5), 0.5f) << kind;
    EXPECT_FLOAT_EQ(scheduled_lr(o, 9), 0.9f) << kind;
    EXPECT_EQ(scheduled_lr(o, 10), 1.0f) << kind;  // warmup done: the peak
  }
  // No warmup: the decay starts at base_lr on step 0.
  EXPECT_EQ(scheduled_lr(sched("warmup_cosine", 2.0f, 0, 50), 0), 2.0f);
}

TEST(Schedule, CosineMidpointAndEnd) {
  const auto o = sched("warmup_cosine", 1.0f, 10, 110, 0.1f);
  EXPECT_FLOAT_EQ(scheduled_lr(o, 60), 0.55f);  // halfway: (base + min) / 2
  const double quarter = 0.1 + 0.9 * 0.5 * (1.0 + std::cos(std::numbers::pi / 4));
  EXPECT_FLOAT_EQ(scheduled_lr(o, 35), static_cast<float>(quarter));
  EXPECT_EQ(scheduled_lr(o, 110), 0.1f);  // end of cosine = min_lr
  EXPECT_EQ(scheduled_lr(o, 500), 0.1f);  // and stays there
  float prev = scheduled_lr(o, 10);
  for (std::int64_t s = 11; s <= 110; ++s) {
    const float lr = scheduled_lr(o, s);
    EXPECT_LE(lr, prev) << s;
    prev = lr;
  }
}

TEST(Schedule, LinearMidpointAndEnd) {
  const auto o = sched("warmup_linear", 2.0f, 10, 110, 0.5f);
  EXPECT_FLOAT_EQ(scheduled_lr(o, 60), 1.25f);
  EXPECT_FLOAT_EQ(scheduled_lr(o, 35), 0.5f + 1.5f * 0.75f);
  EXPECT_EQ(scheduled_lr(o, 110), 0.5f);
  EXPECT_EQ(scheduled_lr(o, 111), 0.5f);
  EXPECT_EQ(scheduled_lr(sched("warmup_linear", 1.0f, 0, 100), 100), 0.0f);
}

TEST(Schedule, NoamPeakAtWarmup) {
  // d_model = 0: the peak equals base_lr, reached at s = step + 1 = warmup.
  const auto o = sched("inverse_sqrt", 1e-3f, 4000, 0);
  EXPECT_FLOAT_EQ(scheduled_lr(o, 3999), 1e-3f);
  EXPECT_LT(scheduled_lr(o, 3998), scheduled_lr(o, 3999));
  EXPECT_LT(scheduled_lr(o, 4000), scheduled_lr(o, 3999));
  EXPECT_FLOAT_EQ(scheduled_lr(o, 0), 1e-3f / 4000.0f);   // linear warmup from 1/warmup
  EXPECT_FLOAT_EQ(scheduled_lr(o, 15999), 1e-3f * 0.5f);  // s = 4·warmup: half the peak
  // d_model > 0: the paper's formula, lr = base · d^-0.5 · min(s^-0.5, s · w^-1.5).
  const auto p = sched("inverse_sqrt", 2.0f, 4000, 0, 0.0f, 512);
  EXPECT_FLOAT_EQ(scheduled_lr(p, 3999), static_cast<float>(2.0 / std::sqrt(512.0 * 4000.0)));
  EXPECT_FLOAT_EQ(scheduled_lr(p, 99),
                  static_cast<float>(2.0 / std::sqrt(512.0) * 100.0 * std::pow(4000.0, -1.5)));
  // No warmup: pure inverse square root from base_lr.
  const auto q = sched("inverse_sqrt", 1.0f, 0, 0);
  EXPECT_EQ(scheduled_lr(q, 0), 1.0f);
  EXPECT_FLOAT_EQ(scheduled_lr(q, 3), 0.5f);
}

TEST(Schedule, BadOptionsThrow) {
  EXPECT_THROW(optim::validate(sched("cosine", 1.0f, 0, 10)), Error);
  EXPECT_THROW(optim::validate(sched("constant", -1.0f, 0, 0)), Error);
  EXPECT_THROW(optim::validate(sched("constant", NAN, 0, 0)), Error);
  EXPECT_THROW(optim::validate(sched("constant", 1.0f, -1, 0)), Error);
  EXPECT_THROW(optim::validate(sched("constant", 1.0f, 0, -5)), Error);
  EXPECT_THROW(optim::validate(sched("warmup_cosine", 1.0f, 20, 10)), Error);  // warmup > total
  EXPECT_THROW(optim::validate(sched("warmup_linear", 1.0f, 0, 0)), Error);    // no total
  EXPECT_THROW(optim::validate(sched("warmup_cosine", 1.0f, 0, 10, 2.0f)), Error);
  EXPECT_THROW(optim::validate(sched("warmup_cosine", 1.0f, 0, 10, -0.1f)), Error);
  EXPECT_THROW(optim::validate(sched("inverse_sqrt", 1.0f, 10, 0, 0.0f, -1)), Error);
  EXPECT_THROW(scheduled_lr(sched("constant", 1.0f, 0, 0), -1), Error);
  EXPECT_THROW(scheduled_lr(sched("linear", 1.0f, 0, 0), 0), Error);
  EXPECT_NO_THROW(optim::validate(sched("inverse_sqrt", 1.0f, 4000, 0)));  // no total needed
  EXPECT_NO_THROW(optim::validate(sched("warmup_cosine", 1.0f, 10, 10)));
  try {
    optim::validate(sched("warmup_cosine", 1.0f, 20, 10));
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("20"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace attn::optim_test

// The fused Adam kernel against its scalar reference: every size around the
// vector widths, misaligned pointers, all variants, and a size large enough
// to be split across threads. They must agree bit for bit.
#include <cmath>
#include <vector>

#include "attn/core/thread_pool.h"
#include "attn/kernels/adam.h"
#include "optim_test_helpers.h"

namespace attn::optim_test {
namespace {

struct Buffers {
  std::vector<float> p, g, m, v;
};

Buffers make_buffers(std::size_t n, int seed) {
  Buffers b{std::vector<float>(n), std::vector<float>(n), std::vector<float>(n),
            std::vector<float>(n)};
  for (std::size_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(i) + 0.37 * seed;
    b.p[i] = static_cast<float>(0.1 * std::sin(0.61 * x));
    b.g[i] = static_cast<float>(std::cos(1.7 * x) * std::pow(10.0, -static_cast<int>(i % 8)));
    b.m[i] = static_cast<float>(0.01 * std::sin(2.3 * x));
    b.v[i] = static_cast<float>(1e-4 * (1.0 + std::cos(0.9 * x)));
  }
  return b;
}

std::vector<kernels::AdamStep> variants(std::int64_t t) {
  kernels::AdamHyper h;
  h.lr = 3e-3f;
  std::vector<kernels::AdamStep> out;
  out.push_back(kernels::adam_step_constants(h, t));
  h.weight_decay = 0.01f;
  out.push_back(kernels::adam_step_constants(h, t));  // Adam + L2
  h.decoupled = true;
  out.push_back(kernels::adam_step_constants(h, t));  // AdamW
  h.eps = 0.0f;
  out.push_back(kernels::adam_step_constants(h, t));
  return out;
}

void compare(std::size_t n, std::size_t offset, const kernels::AdamStep& s) {
  Buffers a = make_buffers(n + offset, 1), r = a;
  kernels::adam(a.p.data() + offset, a.g.data() + offset, a.m.data() + offset, a.v.data() + offset,
                static_cast<std::int64_t>(n), s);
  kernels::adam_ref(r.p.data() + offset, r.g.data() + offset, r.m.data() + offset,
                    r.v.data() + offset, static_cast<std::int64_t>(n), s);
  ASSERT_TRUE(bit_equal(a.p, r.p)) << "p, n=" << n << " offset=" << offset;
  ASSERT_TRUE(bit_equal(a.m, r.m)) << "m, n=" << n << " offset=" << offset;
  ASSERT_TRUE(bit_equal(a.v, r.v)) << "v, n=" << n << " offset=" << offset;
}

TEST(AdamKernel, FusedMatchesReferenceSmallSizesMisaligned) {
  for (const auto& s : variants(3))
    for (std::size_t n = 0; n <= 70; ++n)
      for (std::size_t offset = 0; offset < 4; ++offset) compare(n, offset, s);
}

TEST(AdamKernel, FusedMatchesReferenceLargeParallel) {
  for (const auto& s : variants(1)) compare(100003, 1, s);
  for (const auto& s : variants(1000)) compare(70001, 0, s);
}

TEST(AdamKernel, SameResultForAnyThreadCount) {
  const auto s = variants(5)[2];
  const int before = ThreadPool::global().size();
  std::vector<Buffers> results;
  for (int threads : {1, 2, 3}) {
    ThreadPool::set_num_threads(threads);
    Buffers b = make_buffers(90001, 2);
    kernels::adam(b.p.data(), b.g.data(), b.m.data(), b.v.data(), 90001, s);
    results.push_back(std::move(b));
  }
  ThreadPool::set_num_threads(before);
  for (std::size_t i = 1; i < results.size(); ++i)
    EXPECT_TRUE(bit_equal(results[i].p, results[0].p));
}

// adam_multi over segments of mixed sizes (tiny ones, ones split across chunk
// edges, an empty one) and mixed step constants equals adam_ref per segment bit
// for bit, for 1, 2 and 3 threads.
TEST(AdamKernel, MultiTensorPassEqualsPerTensorReference) {
  const int before = ThreadPool::global().size();
  const std::vector<std::size_t> sizes = {3, 70001, 0, 17, 40000, 1, 65536};
  const auto steps = variants(4);
  for (int threads : {1, 2, 3}) {
    ThreadPool::set_num_threads(threads);
    std::vector<Buffers> fused, ref;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      fused.push_back(make_buffers(sizes[i], static_cast<int>(i) + 3));
      ref.push_back(fused.back());
    }
    std::vector<kernels::AdamSegment> segs;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      Buffers& b = fused[i];
      segs.push_back({b.p.data(), b.g.data(), b.m.data(), b.v.data(),
                      static_cast<std::int64_t>(sizes[i]), steps[i % steps.size()]});
      Buffers& r = ref[i];
      kernels::adam_ref(r.p.data(), r.g.data(), r.m.data(), r.v.data(),
                        static_cast<std::int64_t>(sizes[i]), steps[i % steps.size()]);
    }
    kernels::adam_multi(segs.data(), segs.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      EXPECT_TRUE(bit_equal(fused[i].p, ref[i].p)) << "segment " << i << " threads " << threads;
      EXPECT_TRUE(bit_equal(fused[i].m, ref[i].m)) << "segment " << i;
      EXPECT_TRUE(bit_equal(fused[i].v, ref[i].v)) << "segment " << i;
    }
  }
  ThreadPool::set_num_threads(before);
}

TEST(AdamKernel, StepConstantsFollowTorch) {
  kernels::AdamHyper h;  // lr 1e-3, betas 0.9 / 0.999
  h.weight_decay = 0.01f;
  h.decoupled = true;
  const auto s1 = kernels::adam_step_constants(h, 1);
  // Python computes 1 - 0.9 in double and torch rounds it to 0.1f (not 1 - 0.9f).
  EXPECT_EQ(s1.one_minus_beta1, static_cast<float>(1.0 - 0.9));
  EXPECT_EQ(s1.one_minus_beta2, static_cast<float>(1.0 - 0.999));
  EXPECT_EQ(s1.neg_step_size, static_cast<float>(-(0.001 / (1.0 - 0.9))));
  EXPECT_EQ(s1.bc2_sqrt, static_cast<float>(std::sqrt(1.0 - 0.999)));
  EXPECT_EQ(s1.decay, static_cast<float>(1.0 - 0.001 * 0.01));
  EXPECT_EQ(s1.l2, 0.0f);
  const auto s10 = kernels::adam_step_constants(h, 10);
  EXPECT_EQ(s10.neg_step_size, static_cast<float>(-(0.001 / (1.0 - std::pow(0.9, 10.0)))));
  h.decoupled = false;
  EXPECT_EQ(kernels::adam_step_constants(h, 1).l2, 0.01f);
  EXPECT_FALSE(kernels::adam_step_constants(h, 1).decoupled);
}

TEST(AdamKernel, ElementMatchesClosedForm) {
  // One element, step 1: m = 0.1 g, v = 0.001 g², update = lr·g/(|g| + eps).
  kernels::AdamHyper h;
  h.lr = 0.5f;
  h.eps = 0.0f;
  const auto s = kernels::adam_step_constants(h, 1);
  float p = 1.0f, g = -2.0f, m = 0.0f, v = 0.0f;
  kernels::adam_ref(&p, &g, &m, &v, 1, s);
  EXPECT_FLOAT_EQ(m, -0.2f);
  EXPECT_FLOAT_EQ(v, 0.004f);
  EXPECT_FLOAT_EQ(p, 1.5f);
}

}  // namespace
}  // namespace attn::optim_test

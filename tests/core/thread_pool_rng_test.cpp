#include <atomic>
#include <set>

#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "test_util.h"

namespace attn {
namespace {

TEST(ThreadPool, CoversRangeExactlyOnce) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(1001);
  pool.parallel_for(1001, 1, [&](std::int64_t b, std::int64_t e) {
    for (auto i = b; i < e; ++i) hits[i]++;
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ThreadPool, RethrowsWorkerExceptions) {
  ThreadPool pool(2);
  EXPECT_THROW(pool.parallel_for(100, 1,
                                 [](std::int64_t b, std::int64_t) {
                                   if (b > 0) fail("boom");
                                 }),
               Error);
}

TEST(Rng, SameSeedSameStreamAndStateRoundTrip) {
  Rng a(7), b(7), c(8);
  EXPECT_EQ(a.next_u64(), b.next_u64());
  EXPECT_NE(a.next_u64(), c.next_u64());
  Rng d(7);
  d.next_u64();
  const auto s = d.state();
  const auto v = d.uniform();
  d.set_state(s);
  EXPECT_EQ(d.uniform(), v);
}

TEST(Rng, UniformAndNormalMoments) {
  Rng r(1);
  double su = 0, sn = 0, sn2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const float u = r.uniform();
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    su += u;
    const float z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  EXPECT_NEAR(su / n, 0.5, 0.005);
  EXPECT_NEAR(sn / n, 0.0, 0.01);
  EXPECT_NEAR(sn2 / n, 1.0, 0.02);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(r.below(10));
  EXPECT_EQ(seen.size(), 10u);
}

}  // namespace
}  // namespace attn

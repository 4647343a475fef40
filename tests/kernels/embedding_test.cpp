// embedding kernels: gather values, scatter-add with repeated ids against the
// reference, bit-identical for 1 and 3 threads.
#include "attn/kernels/embedding.h"

#include <vector>

#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "test_util.h"

namespace attn::kernels {
namespace {

TEST(EmbeddingKernel, GatherAndScatterAdd) {
  // table [3,2]; ids repeat 2 and skip 1.
  const std::vector<float> table = {0, 1, 10, 11, 20, 21};
  const std::vector<std::int32_t> ids = {2, 0, 2};
  std::vector<float> out(6);
  embedding_forward(table.data(), ids.data(), 3, 2, out.data());
  EXPECT_EQ(out, (std::vector<float>{20, 21, 0, 1, 20, 21}));
  const std::vector<float> dout = {1, 2, 3, 4, 5, 6};
  std::vector<float> dt(6, 0.5f);
  embedding_backward(dout.data(), ids.data(), 3, 2, dt.data());
  EXPECT_EQ(dt, (std::vector<float>{3.5f, 4.5f, 0.5f, 0.5f, 6.5f, 8.5f}));
}

TEST(EmbeddingKernel, FastMatchesRefAcrossThreads) {
  const std::int64_t V = 13, N = 1000;
  Rng r(3);
  std::vector<std::int32_t> ids(N);
  for (auto& id : ids) id = static_cast<std::int32_t>(r.below(V));
  for (std::int64_t C : {1, 5, 64, 300}) {
    std::vector<float> table(V * C), dout(N * C);
    for (auto& v : table) v = r.uniform();
    for (auto& v : dout) v = r.uniform() - 0.5f;
    std::vector<float> o0(N * C), o1(N * C);
    embedding_forward(table.data(), ids.data(), N, C, o0.data());
    embedding_forward_ref(table.data(), ids.data(), N, C, o1.data());
    EXPECT_EQ(o0, o1);
    std::vector<float> ref(V * C, 0.0f);
    embedding_backward_ref(dout.data(), ids.data(), N, C, ref.data());
    for (int threads : {1, 3}) {
      ThreadPool::set_num_threads(threads);
      std::vector<float> got(V * C, 0.0f);
      embedding_backward(dout.data(), ids.data(), N, C, got.data());
      EXPECT_EQ(got, ref) << "C=" << C << " threads=" << threads;
    }
  }
  ThreadPool::set_num_threads(ThreadPool::default_threads());
}

}  // namespace
}  // namespace attn::kernels

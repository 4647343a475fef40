// Micro-benchmark for the naive attention kernels at the classifier's shape
// (B=32, H=2, T=256, D=32): ms per call and GFLOP/s for forward and backward,
// with and without dropout. Not a test: it checks nothing, it only times.
//   usage: attention_bench [threads] [reps]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "attn/kernels/attention.h"
#include "bench_util.h"

namespace {

using attn::bench::random_vec;

// Best-of-reps wall time of fn in milliseconds, after one warm-up call (caches, pool).
template <class Fn>
double best_ms(int reps, Fn&& fn) {
  fn();
  return 1e3 * attn::bench::best_seconds(reps, fn);
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 10;
  attn::ThreadPool::set_num_threads(threads);
  const attn::kernels::AttentionDims d{32, 2, 256, 256, 32, 32};
  const auto q = random_vec(d.batch * d.heads * d.tq * d.d, 1);
  const auto k = random_vec(d.batch * d.heads * d.tk * d.d, 2);
  const auto v = random_vec(d.batch * d.heads * d.tk * d.dv, 3);
  const auto g = random_vec(d.batch * d.heads * d.tq * d.dv, 4);
  // Key padding mask [B, Tq, Tk]: batch b may attend to its first Tk - 4b keys.
  std::vector<std::uint8_t> allow(static_cast<std::size_t>(d.batch * d.tq * d.tk));
  for (std::int64_t b = 0; b < d.batch; ++b)
    for (std::int64_t i = 0; i < d.tq; ++i)
      for (std::int64_t j = 0; j < d.tk; ++j) allow[(b * d.tq + i) * d.tk + j] = j < d.tk - 4 * b;
  const attn::kernels::AttentionMaskView mask{allow.data(), true, nullptr, false};
  std::vector<float> probs(static_cast<std::size_t>(d.batch * d.heads * d.tq * d.tk));
  std::vector<float> out(g.size()), dq(q.size()), dk(k.size()), dv(v.size());
  const float scale = 1.0f / 5.656854f;
  // Two matmuls forward (q·kᵀ, p·v), four backward, 2 flops per multiply-add.
  const double mm = 2.0 * d.batch * d.heads * d.tq * d.tk * d.d;
  std::printf("attention B=%lld H=%lld T=%lld D=%lld threads=%d reps=%d\n",
              static_cast<long long>(d.batch), static_cast<long long>(d.heads),
              static_cast<long long>(d.tq), static_cast<long long>(d.d), threads, reps);
  for (const float p : {0.0f, 0.1f}) {
    const attn::kernels::AttentionDropout drop{p, 7, 8};
    const double fwd = best_ms(reps, [&] {
      attn::kernels::attention_forward(d, q.data(), k.data(), v.data(), mask, scale, drop,
                                       probs.data(), out.data());
    });
    const double bwd = best_ms(reps, [&] {
      attn::kernels::attention_backward(d, q.data(), k.data(), v.data(), probs.data(), scale, drop,
                                        g.data(), dq.data(), dk.data(), dv.data());
    });
    std::printf("dropout=%.1f  forward %8.3f ms %6.2f GFLOP/s   backward %8.3f ms %6.2f GFLOP/s\n",
                p, fwd, 2 * mm / fwd * 1e-6, bwd, 4 * mm / bwd * 1e-6);
  }
  return 0;
}

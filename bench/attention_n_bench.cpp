// Attention at long sequence lengths, the attn half of bench/compare_torch.sh's
// attention rows: forward + backward of the flash kernels (or the naive ones, which
// keep the N×N probabilities) for B=1, H=8, D=64 at one N, causal or not, best of
// reps; and the extra peak memory of the call (ru_maxrss after it minus the resident
// size once inputs and gradients are allocated), so a materialised N×N tensor shows.
// Also the machine's sgemm GFLOP/s (OpenBLAS 2048³, same threads) for the "% of
// peak" column. Prints one JSON line.
//   usage: attention_n_bench N causal(0|1) [threads=2] [reps=3] [flash|naive]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "attn/kernels/attention.h"
#include "attn/kernels/flash_attention.h"
#include "attn/kernels/gemm.h"
#include "bench_util.h"

namespace {

using attn::bench::best_seconds;
using attn::bench::random_vec;

// Resident set size now, in MiB (/proc/self/statm: pages).
double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * 4096.0 / (1 << 20);
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // KiB on Linux
}

double sgemm_gflops(int reps) {
  const std::int64_t n = 2048;
  const auto a = random_vec(n * n, 11), b = random_vec(n * n, 12);
  std::vector<float> c(static_cast<std::size_t>(n * n));
  const double s = best_seconds(reps, [&] {
    attn::kernels::gemm(false, false, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
  });
  return 2.0 * n * n * n / s * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: attention_n_bench N causal(0|1) [threads] [reps] [flash|naive]\n");
    return 2;
  }
  const std::int64_t N = std::atoll(argv[1]);
  const bool causal = std::atoi(argv[2]) != 0;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  const int reps = argc > 4 ? std::atoi(argv[4]) : 3;
  const std::string kernel = argc > 5 ? argv[5] : "flash";
  if (N <= 0 || threads <= 0 || reps <= 0 || (kernel != "flash" && kernel != "naive")) {
    std::fprintf(stderr, "attention_n_bench: bad arguments (N, threads, reps > 0; flash|naive)\n");
    return 2;
  }
  attn::ThreadPool::set_num_threads(threads);
  const attn::kernels::AttentionDims d{1, 8, N, N, 64, 64};
  const std::int64_t qkv = d.batch * d.heads * N * d.d;
  const auto q = random_vec(qkv, 1), k = random_vec(qkv, 2), v = random_vec(qkv, 3),
             g = random_vec(qkv, 4);
  std::vector<float> out(q.size()), dq(q.size()), dk(q.size()), dv(q.size());
  std::vector<float> lse(static_cast<std::size_t>(d.heads * N));
  // The causal flag: no N×N mask buffer for either kernel.
  attn::kernels::AttentionMaskView mask;
  mask.causal = causal;
  const double base = rss_mb();
  const double seconds = best_seconds(reps, [&] {
    if (kernel == "flash") {
      attn::kernels::flash_attention_forward(d, q.data(), k.data(), v.data(), mask, 0.125f, {},
                                             out.data(), lse.data());
      attn::kernels::flash_attention_backward(d, q.data(), k.data(), v.data(), mask, 0.125f, {},
                                              out.data(), lse.data(), g.data(), dq.data(),
                                              dk.data(), dv.data());
      return;
    }
    // The naive kernels keep the probabilities for backward: they are part of the call.
    std::vector<float> probs(static_cast<std::size_t>(d.heads * N * N));
    attn::kernels::attention_forward(d, q.data(), k.data(), v.data(), mask, 0.125f, {},
                                     probs.data(), out.data());
    attn::kernels::attention_backward(d, q.data(), k.data(), v.data(), probs.data(), 0.125f, {},
                                      g.data(), dq.data(), dk.data(), dv.data());
  });
  const double extra = peak_rss_mb() - base;
  // The FLOP count: forward 2·N²·D·H for causal (4·N²·D·H without a mask),
  // forward + backward 3.5 times that.
  const double fwd_flops = (causal ? 2.0 : 4.0) * N * N * d.d * d.heads;
  const double gflops = 3.5 * fwd_flops / seconds * 1e-9;
  std::printf(
      "{\"n\": %lld, \"causal\": %s, \"kernel\": \"%s\", \"threads\": %d, \"fwd_bwd_s\": %.4f, "
      "\"gflops\": %.2f, \"extra_peak_mb\": %.1f, \"sgemm_gflops\": %.2f}\n",
      static_cast<long long>(N), causal ? "true" : "false", kernel.c_str(), threads, seconds,
      gflops, extra, sgemm_gflops(reps));
  return 0;
}

// Google Benchmark micro-benchmarks of attn's kernels on the shapes of the
// 10.8 M-parameter GPT config of bench/compare_torch.sh (examples/gpt_10m.json:
// d_model 384, 6 heads, context 256, batch 16, so 4096 rows; KJV character
// vocabulary 96): GEMM of every linear layer forward and backward, flash
// attention forward and forward+backward at N = 512 … 4096 (B = 1, H = 8, D = 64,
// causal and not), layer norm, softmax, GELU and cross-entropy.
//
// GEMM and attention rows report GFLOP/s and "pct_peak", the share of the
// OpenBLAS sgemm GFLOP/s measured first in the same run (2048³, same threads).
//   usage: micro_bench [--threads=N] [Google Benchmark flags, e.g. --benchmark_filter=Gemm]
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "attn/core/thread_pool.h"
#include "attn/kernels/elementwise.h"
#include "attn/kernels/flash_attention.h"
#include "attn/kernels/gemm.h"
#include "attn/kernels/gemm_bf16.h"
#include "attn/kernels/layer_norm.h"
#include "attn/kernels/losses.h"
#include "attn/kernels/softmax.h"
#include "bench_util.h"

namespace {

using attn::bench::best_seconds;
using attn::bench::random_vec;
namespace k = attn::kernels;

constexpr std::int64_t kRows = 16 * 256;  // batch 16 × context 256
constexpr std::int64_t kModel = 384;
constexpr std::int64_t kVocab = 96;

double g_sgemm_gflops = 0.0;

double measure_sgemm_peak() {
  const std::int64_t n = 2048;
  const auto a = random_vec(n * n, 1), b = random_vec(n * n, 2);
  std::vector<float> c(static_cast<std::size_t>(n * n));
  const double s = best_seconds(3, [&] {
    k::gemm(false, false, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
  });
  return 2.0 * n * n * n / s * 1e-9;
}

void report_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  // pct_peak is filled in from the rate after the run (see main); keep the flop count.
  state.counters["flops"] = flops_per_iteration;
}

// C [M, N] = op(A) · op(B) with the layer's transposes: forward y = x·Wᵀ, and the
// two backward products dX = dY·W and dW = dYᵀ·X.
template <auto Gemm>
void run_gemm(benchmark::State& state) {
  const std::int64_t M = state.range(0), N = state.range(1), K = state.range(2);
  const bool ta = state.range(3) != 0, tb = state.range(4) != 0;
  const auto a = random_vec(M * K, 3), b = random_vec(K * N, 4);
  std::vector<float> c(static_cast<std::size_t>(M * N));
  const std::int64_t lda = ta ? M : K, ldb = tb ? K : N;
  for (auto _ : state) {
    Gemm(ta, tb, M, N, K, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), N);
    benchmark::DoNotOptimize(c.data());
  }
  report_flops(state, 2.0 * M * N * K);
}
void BM_Gemm(benchmark::State& state) { run_gemm<k::gemm>(state); }
// The --precision bf16 product (inputs rounded to bf16, f32 sums; VDPBF16PS
// where the CPU has it). pct_peak is still against the f32 sgemm rate.
void BM_GemmBf16(benchmark::State& state) { run_gemm<k::gemm_bf16>(state); }

// The forward and both backward products of each linear layer of the GPT block
// (qkv 384→1152, out 384→384, fc 384→1536, proj 1536→384) and of the LM head.
void GemmShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "N", "K", "ta", "tb"});
  for (auto [in, out] : {std::pair<std::int64_t, std::int64_t>{kModel, 3 * kModel},
                         {kModel, kModel},
                         {kModel, 4 * kModel},
                         {4 * kModel, kModel},
                         {kModel, kVocab}}) {
    b->Args({kRows, out, in, 0, 1});  // y = x·Wᵀ
    b->Args({kRows, in, out, 0, 0});  // dX = dY·W
    b->Args({out, in, kRows, 1, 0});  // dW = dYᵀ·X
  }
}
BENCHMARK(BM_Gemm)->Apply(GemmShapes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GemmBf16)->Apply(GemmShapes)->Unit(benchmark::kMillisecond)->UseRealTime();

struct AttentionInputs {
  k::AttentionDims d;
  std::vector<float> q, kk, v, g, out, lse, dq, dk, dv;
  k::AttentionMaskView mask;
  AttentionInputs(std::int64_t n, bool causal) : d{1, 8, n, n, 64, 64} {
    const std::int64_t size = d.heads * n * d.d;
    q = random_vec(size, 5);
    kk = random_vec(size, 6);
    v = random_vec(size, 7);
    g = random_vec(size, 8);
    out.resize(q.size());
    dq.resize(q.size());
    dk.resize(q.size());
    dv.resize(q.size());
    lse.resize(static_cast<std::size_t>(d.heads * n));
    mask.causal = causal;
  }
  void forward() {
    k::flash_attention_forward(d, q.data(), kk.data(), v.data(), mask, 0.125f, {}, out.data(),
                               lse.data());
  }
  void backward() {
    k::flash_attention_backward(d, q.data(), kk.data(), v.data(), mask, 0.125f, {}, out.data(),
                                lse.data(), g.data(), dq.data(), dk.data(), dv.data());
  }
  // The count: forward 4·N²·D·H, half of it when causal.
  double forward_flops() const {
    return (mask.causal ? 2.0 : 4.0) * static_cast<double>(d.tq) * d.tk * d.d * d.heads;
  }
};

void BM_AttentionForward(benchmark::State& state) {
  AttentionInputs in(state.range(0), state.range(1) != 0);
  for (auto _ : state) in.forward();
  report_flops(state, in.forward_flops());
}

// Forward + backward: 3.5 times the forward's flops (backward has 5 products to 2).
void BM_AttentionForwardBackward(benchmark::State& state) {
  AttentionInputs in(state.range(0), state.range(1) != 0);
  for (auto _ : state) {
    in.forward();
    in.backward();
  }
  report_flops(state, 3.5 * in.forward_flops());
}

void AttentionSizes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"N", "causal"});
  for (std::int64_t n : {512, 1024, 2048, 4096})
    for (std::int64_t causal : {0, 1}) b->Args({n, causal});
}
BENCHMARK(BM_AttentionForward)->Apply(AttentionSizes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AttentionForwardBackward)
    ->Apply(AttentionSizes)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void report_bytes(benchmark::State& state, double bytes_per_iteration) {
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes_per_iteration) *
                          static_cast<std::int64_t>(state.iterations()));
}

void BM_LayerNormForward(benchmark::State& state) {
  const auto x = random_vec(kRows * kModel, 9), gamma = random_vec(kModel, 10),
             beta = random_vec(kModel, 11);
  std::vector<float> y(x.size()), mean(kRows), rstd(kRows);
  for (auto _ : state)
    k::layer_norm_forward(x.data(), gamma.data(), beta.data(), 1e-5f, kRows, kModel, y.data(),
                          mean.data(), rstd.data());
  report_bytes(state, 2.0 * sizeof(float) * kRows * kModel);
}
BENCHMARK(BM_LayerNormForward)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_LayerNormBackward(benchmark::State& state) {
  const auto x = random_vec(kRows * kModel, 12), gamma = random_vec(kModel, 13),
             dy = random_vec(kRows * kModel, 14);
  std::vector<float> y(x.size()), mean(kRows), rstd(kRows), dx(x.size()), dgamma(kModel),
      dbeta(kModel);
  k::layer_norm_forward(x.data(), gamma.data(), nullptr, 1e-5f, kRows, kModel, y.data(),
                        mean.data(), rstd.data());
  for (auto _ : state)
    k::layer_norm_backward(dy.data(), x.data(), gamma.data(), mean.data(), rstd.data(), kRows,
                           kModel, dx.data(), dgamma.data(), dbeta.data());
  report_bytes(state, 3.0 * sizeof(float) * kRows * kModel);
}
BENCHMARK(BM_LayerNormBackward)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Residual add + layer norm (forward and backward) of a pre-norm block, fused
// (state.range(0) = 1: ops::add_layer_norm's kernels) or as add, norm, and the
// add's backward (0). Same bytes counted for both: the time is the comparison.
void BM_AddLayerNorm(benchmark::State& state) {
  const bool fused = state.range(0) == 1;
  const std::int64_t n = kRows * kModel;
  const auto a = random_vec(n, 19), b = random_vec(n, 20), gamma = random_vec(kModel, 21),
             beta = random_vec(kModel, 22), dy = random_vec(n, 23);
  std::vector<float> s(n), y(n), mean(kRows), rstd(kRows), ds(n), da(n), db(n), dgamma(kModel),
      dbeta(kModel);
  for (auto _ : state) {
    if (fused) {
      k::add_layer_norm_forward(a.data(), b.data(), gamma.data(), beta.data(), 1e-5f, kRows, kModel,
                                s.data(), y.data(), mean.data(), rstd.data());
      k::add_layer_norm_backward(dy.data(), s.data(), gamma.data(), mean.data(), rstd.data(), kRows,
                                 kModel, ds.data(), da.data(), db.data(), dgamma.data(),
                                 dbeta.data());
    } else {
      k::add(a.data(), b.data(), s.data(), n);
      k::layer_norm_forward(s.data(), gamma.data(), beta.data(), 1e-5f, kRows, kModel, y.data(),
                            mean.data(), rstd.data());
      k::layer_norm_backward(dy.data(), s.data(), gamma.data(), mean.data(), rstd.data(), kRows,
                             kModel, ds.data(), dgamma.data(), dbeta.data());
      k::axpy(n, 1.0f, ds.data(), da.data());
      k::axpy(n, 1.0f, ds.data(), db.data());
    }
  }
  report_bytes(state, 10.0 * sizeof(float) * n);
}
BENCHMARK(BM_AddLayerNorm)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Rows of 256 scores: one head's causal attention row length in the GPT config.
void BM_Softmax(benchmark::State& state) {
  const std::int64_t rows = kRows * 6, cols = 256;
  const auto x = random_vec(rows * cols, 15);
  std::vector<float> y(x.size());
  for (auto _ : state) k::softmax_forward(x.data(), y.data(), rows, cols);
  report_bytes(state, 2.0 * sizeof(float) * rows * cols);
}
BENCHMARK(BM_Softmax)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The feed-forward activation: 4096 rows × 1536.
void BM_GeluForward(benchmark::State& state) {
  const std::int64_t n = kRows * 4 * kModel;
  const auto x = random_vec(n, 16);
  std::vector<float> y(x.size());
  for (auto _ : state) k::gelu_forward(k::GeluForm::erf, x.data(), y.data(), n);
  report_bytes(state, 2.0 * sizeof(float) * n);
}
BENCHMARK(BM_GeluForward)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_GeluBackward(benchmark::State& state) {
  const std::int64_t n = kRows * 4 * kModel;
  const auto x = random_vec(n, 17), dy = random_vec(n, 18);
  std::vector<float> dx(x.size());
  for (auto _ : state) k::gelu_backward(k::GeluForm::erf, x.data(), dy.data(), dx.data(), n);
  report_bytes(state, 3.0 * sizeof(float) * n);
}
BENCHMARK(BM_GeluBackward)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Softmax cross-entropy over the vocabulary, forward + backward: the character
// vocabulary (96) and a subword one (8002, the en→es model's).
void BM_CrossEntropy(benchmark::State& state) {
  const std::int64_t vocab = state.range(0);
  const auto logits = random_vec(kRows * vocab, 19);
  std::vector<std::int32_t> targets(kRows);
  for (std::int64_t i = 0; i < kRows; ++i) targets[i] = static_cast<std::int32_t>((i * 7) % vocab);
  std::vector<float> lse(kRows), dlogits(logits.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(k::cross_entropy_forward(logits.data(), targets.data(), kRows, vocab,
                                                      0.1f, -100, lse.data()));
    k::cross_entropy_backward(logits.data(), targets.data(), kRows, vocab, 0.1f, -100, lse.data(),
                              1.0f, dlogits.data());
  }
  report_bytes(state, 3.0 * sizeof(float) * kRows * vocab);
}
BENCHMARK(BM_CrossEntropy)->Arg(kVocab)->Arg(8002)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Adds pct_peak (the row's GFLOP/s as % of the sgemm peak) to every row that counts flops.
class PeakShareReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> copy = runs;
    for (auto& run : copy) add_share(run);
    ConsoleReporter::ReportRuns(copy);
  }
  static void add_share(Run& run) {
    auto it = run.counters.find("GFLOP/s");
    if (it == run.counters.end() || g_sgemm_gflops <= 0.0) return;
    const double seconds =
        run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
    const double gflops = run.counters.at("flops").value * 1e-9 / seconds;
    run.counters["pct_peak"] = benchmark::Counter(100.0 * gflops / g_sgemm_gflops);
  }
};

class PeakShareJsonReporter : public benchmark::JSONReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> copy = runs;
    for (auto& run : copy) PeakShareReporter::add_share(run);
    JSONReporter::ReportRuns(copy);
  }
};

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  bool json = false;  // read before Initialize, which consumes the flags it knows
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    json = json || std::strcmp(argv[i], "--benchmark_format=json") == 0;
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      threads = std::atoi(argv[i] + 10);
      if (threads <= 0) {
        std::fprintf(stderr, "micro_bench: --threads must be a positive integer\n");
        return 2;
      }
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 2;
  attn::ThreadPool::set_num_threads(threads);
  g_sgemm_gflops = measure_sgemm_peak();
  // In the header of the console table and in the JSON "context".
  benchmark::AddCustomContext("threads", std::to_string(threads));
  benchmark::AddCustomContext("sgemm_2048_gflops", std::to_string(g_sgemm_gflops));
  if (json) {
    PeakShareJsonReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
  } else {
    PeakShareReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
  }
  benchmark::Shutdown();
  return 0;
}

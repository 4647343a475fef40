// Generation speed at examples/gpt_10m.json's model shape (random weights): tokens per
// second for batch 1 and 8, greedy, with and without the KV cache. Not a test: it only
// times (best of reps, as the machine is shared).
//   usage: generate_bench [threads] [prompt_len] [new_tokens] [reps]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "attn/core/thread_pool.h"
#include "attn/generate/generator.h"

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int prompt_len = argc > 2 ? std::atoi(argv[2]) : 16;
  const int new_tokens = argc > 3 ? std::atoi(argv[3]) : 64;
  const int reps = argc > 4 ? std::atoi(argv[4]) : 2;
  attn::ThreadPool::set_num_threads(threads);
  // examples/gpt_10m.json's "model" block (the benchmark GPT; dropout is off at inference).
  attn::models::DecoderLMConfig cfg;
  cfg.vocab_size = 96;
  cfg.block_size = 256;
  cfg.d_model = 384;
  cfg.num_layers = 6;
  cfg.num_heads = 6;
  cfg.d_ff = 1536;
  const attn::models::DecoderLM model(cfg, 1337);
  std::printf("gpt_10m shape, %d threads, prompt %d tokens, %d new tokens, greedy\n", threads,
              prompt_len, new_tokens);
  std::printf("%-6s %-9s %12s %14s\n", "batch", "kv_cache", "seconds", "tokens/s");
  for (int batch : {1, 8}) {
    std::vector<std::vector<std::int32_t>> prompts(static_cast<std::size_t>(batch));
    for (int b = 0; b < batch; ++b)
      for (int i = 0; i < prompt_len; ++i) prompts[b].push_back((7 * i + 3 * b) % 96);
    for (bool cache : {true, false}) {
      attn::generate::GenerateOptions o;
      o.max_new_tokens = new_tokens;
      o.sampling.temperature = 0.0f;
      o.use_kv_cache = cache;
      double best = 1e30;
      for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        attn::generate::generate(model, prompts, o);
        const auto t1 = std::chrono::steady_clock::now();
        best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
      }
      std::printf("%-6d %-9s %12.3f %14.1f\n", batch, cache ? "yes" : "no", best,
                  static_cast<double>(batch) * new_tokens / best);
    }
  }
  return 0;
}

// Generation speed: tokens per second for batch 1 and 8, greedy, with and without the
// KV cache. With a run directory, the trained model and a KJV prompt; without one,
// examples/gpt_10m.json's model shape with random weights. Not a test: it only times
// (best of reps, as the machine is shared). The last line is JSON for
// bench/compare_generate.sh: tokens/s per batch with the cache, and the greedy ids of
// row 0 (so PyTorch's output on the same weights can be checked against them).
//   usage: generate_bench [threads] [prompt_len] [new_tokens] [reps] [RUN]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "attn/core/thread_pool.h"
#include "attn/generate/generator.h"
#include "attn/train/lm_run.h"

int main(int argc, char** argv) try {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int prompt_len = argc > 2 ? std::atoi(argv[2]) : 16;
  const int new_tokens = argc > 3 ? std::atoi(argv[3]) : 64;
  const int reps = argc > 4 ? std::atoi(argv[4]) : 2;
  const std::string run = argc > 5 ? argv[5] : "";
  attn::ThreadPool::set_num_threads(threads);

  std::unique_ptr<attn::train::LoadedLm> lm;
  std::unique_ptr<attn::models::DecoderLM> random_model;
  std::vector<std::int32_t> prompt;
  if (!run.empty()) {
    lm = std::make_unique<attn::train::LoadedLm>(attn::train::open_lm_run(run));
    const std::string text =
        "In the beginning God created the heaven and the earth. And the earth was without "
        "form, and void; and darkness was upon the face of the deep.";
    prompt = lm->tokenizer->encode(text);
    prompt.resize(std::min<std::size_t>(prompt.size(), static_cast<std::size_t>(prompt_len)));
  } else {
    // examples/gpt_10m.json's "model" block (the benchmark GPT; dropout is off at inference).
    attn::models::DecoderLMConfig cfg;
    cfg.vocab_size = 96;
    cfg.block_size = 256;
    cfg.d_model = 384;
    cfg.num_layers = 6;
    cfg.num_heads = 6;
    cfg.d_ff = 1536;
    random_model = std::make_unique<attn::models::DecoderLM>(cfg, 1337);
    for (int i = 0; i < prompt_len; ++i) prompt.push_back((7 * i + 3) % 96);
  }
  const attn::models::DecoderLM& model = lm ? *lm->model : *random_model;
  std::printf("%s, %d threads, prompt %zu tokens, %d new tokens, greedy\n",
              run.empty() ? "gpt_10m shape (random weights)" : run.c_str(), threads, prompt.size(),
              new_tokens);
  std::printf("%-6s %-9s %12s %14s\n", "batch", "kv_cache", "seconds", "tokens/s");
  std::string json = "{";
  std::vector<std::int32_t> row0;
  for (int batch : {1, 8}) {
    const std::vector<std::vector<std::int32_t>> prompts(static_cast<std::size_t>(batch), prompt);
    for (bool cache : {true, false}) {
      attn::generate::GenerateOptions o;
      o.max_new_tokens = new_tokens;
      o.sampling.temperature = 0.0f;
      o.use_kv_cache = cache;
      double best = 1e30;
      for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto out = attn::generate::generate(model, prompts, o);
        const auto t1 = std::chrono::steady_clock::now();
        best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
        if (batch == 1 && cache) row0 = out[0];
      }
      const double tps = static_cast<double>(batch) * new_tokens / best;
      std::printf("%-6d %-9s %12.3f %14.1f\n", batch, cache ? "yes" : "no", best, tps);
      if (cache) json += "\"b" + std::to_string(batch) + "\": " + std::to_string(tps) + ", ";
    }
  }
  json += "\"ids\": [";
  for (std::size_t i = 0; i < row0.size(); ++i) json += (i ? ", " : "") + std::to_string(row0[i]);
  std::printf("%s]}\n", json.c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "generate_bench: %s\n", e.what());
  return 2;
}

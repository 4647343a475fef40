#include "attn/train/memory_plan.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "attn/core/error.h"

namespace attn::train {
namespace {

constexpr std::int64_t kMiB = 1 << 20;
constexpr std::int64_t kFloat = 4;
// Program text, libstdc++/OpenBLAS/OpenSSL, OpenBLAS's work buffers and thread
// stacks: a tiny run peaks near 25 MiB (/usr/bin/time), rounded up.
constexpr std::int64_t kRuntimeBytes = 32 * kMiB;

std::string mib(std::int64_t bytes) { return fmt::format("{} MiB", (bytes + kMiB - 1) / kMiB); }

std::int64_t read_cgroup_value(const char* file) {
  std::ifstream in(file);
  std::string s;
  if (!(in >> s) || s == "max") return -1;
  try {
    return std::stoll(s);
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

std::string MemoryEstimate::describe() const {
  return fmt::format(
      "~{} (activations {} for a batch of {} × {} tokens, weights + gradients {}, optimizer {}, "
      "checkpoint saving {}, data {}, runtime {})",
      mib(total()), mib(activations), batch, tokens, mib(weights), mib(optimizer), mib(checkpoint),
      mib(data), mib(runtime));
}

MemoryEstimate estimate_training_memory(const RunConfig& cfg, std::int64_t parameters,
                                        std::int64_t examples, std::int64_t text_bytes) {
  const auto& m = cfg.model;
  const auto& t = cfg.training;
  MemoryEstimate e;
  e.parameters = parameters;
  e.batch = t.batch_size;
  e.tokens = std::min(cfg.data.max_len, m.max_len) + (m.pooling == nn::Pooling::cls ? 1 : 0);
  const std::int64_t P = parameters;
  e.weights = 2 * P * kFloat;
  const std::int64_t slots = t.optimizer == "sgd" ? (t.momentum > 0 ? 1 : 0) : 2;
  e.optimizer = (slots + (t.ema_decay > 0 ? 1 : 0)) * P * kFloat;
  // save_train_state copies the optimizer state and encodes both files in memory.
  e.checkpoint = (2 * slots + 2) * P * kFloat;
  // The tape keeps every layer's outputs until backward. Per layer (floats): Q, K,
  // V and their head-split copies, attention output, projections, residuals,
  // norms and dropout masks (about 16 × N·d), the feed-forward hidden layer
  // (3 × N·d_ff) and the attention scores and probabilities (2 × B·H·T²).
  // Backward frees each output's gradient once consumed and the arena reuses
  // buffers, so the peak is the forward set plus ~10 % (measured with
  // /usr/bin/time on 8 configs from 16 × 128 to 64 × 512 tokens, 1-2 layers:
  // this estimate is 1.0-1.3 × the measured peak RSS).
  const std::int64_t N = e.batch * e.tokens, d = m.d_model, T = e.tokens;
  const std::int64_t scores = 2 * e.batch * m.num_heads * T * T;
  const std::int64_t per_layer =
      m.bare_attention ? 8 * N * d + scores : 16 * N * d + 3 * N * m.d_ff + scores;
  const std::int64_t layers = m.bare_attention ? 1 : m.num_layers;
  const std::int64_t forward = 4 * N * d + layers * per_layer;
  e.activations = forward * kFloat * 11 / 10;
  // Raw text, its standardised copy, the word counts behind the vocabulary and
  // the token ids (6 × the text: fitted on the SpamAssassin configs).
  e.data = 6 * text_bytes + examples * e.tokens * 4;
  e.runtime = kRuntimeBytes;
  // bf16 products pack both operands and a transpose scratch as bf16 pairs in
  // buffers kept between calls (kernels/gemm_bf16.cpp): 2 bytes per element of
  // each, sized by the largest operand, the feed-forward's [N, d_ff] input (or
  // its [d, d_ff] weight when a batch has fewer tokens than d).
  if (t.precision == "bf16") {
    const std::int64_t widest = std::max(d, m.bare_attention ? d : m.d_ff);
    e.runtime += 3 * 2 * std::max(N, d) * widest;
  }
  return e;
}

std::int64_t available_memory_bytes() {
  std::int64_t available = -1;
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  std::int64_t value = 0;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemAvailable:") available = value * 1024;
  }
  const std::int64_t limit = read_cgroup_value("/sys/fs/cgroup/memory.max");
  const std::int64_t used = read_cgroup_value("/sys/fs/cgroup/memory.current");
  if (limit > 0 && used >= 0) {
    const std::int64_t room = std::max<std::int64_t>(0, limit - used);
    available = available < 0 ? room : std::min(available, room);
  }
  return available;
}

void check_memory_budget(const MemoryEstimate& estimate, std::int64_t budget_bytes,
                         const std::string& budget_source) {
  if (budget_bytes <= 0) return;
  ATTN_CHECK(estimate.total() <= budget_bytes,
             "training would need {} of memory, but only {} is available ({}). Lower "
             "training.batch_size or data.max_len, or pass --max-memory MIB to set the budget "
             "yourself (--max-memory 0 skips this check)",
             estimate.describe(), mib(budget_bytes), budget_source);
}

}  // namespace attn::train

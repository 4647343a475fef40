#include "attn/train/memory_plan.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <ostream>
#include <sstream>

#include "attn/core/arena.h"
#include "attn/core/error.h"

namespace attn::train {
namespace {

constexpr std::int64_t kMiB = 1 << 20;
constexpr std::int64_t kFloat = 4;
// Program text, libstdc++/OpenBLAS/OpenSSL, OpenBLAS's work buffers and thread
// stacks: a tiny run peaks near 25 MiB (/usr/bin/time), rounded up.
constexpr std::int64_t kRuntimeBytes = 32 * kMiB;

std::string lowercase_first(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

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
      "~{} (activations {} for {}, weights + gradients {}, optimizer {}, "
      "checkpoint saving {}, data {}, runtime {})",
      mib(total()), mib(activations), step, mib(weights), mib(optimizer), mib(checkpoint),
      mib(data), mib(runtime));
}

namespace {

// Values + gradients, optimizer slots (+ an EMA copy) and the transient copies of a
// checkpoint save, for P parameters.
void add_parameter_terms(MemoryEstimate& e, const SharedTrainingConfig& t, std::int64_t P,
                         std::int64_t momentum_slots, bool ema) {
  e.parameters = P;
  e.weights = 2 * P * kFloat;
  const std::int64_t slots = t.optimizer == "sgd" ? momentum_slots : 2;
  e.optimizer = (slots + (ema ? 1 : 0)) * P * kFloat;
  // save_train_state copies the optimizer state and encodes both files in memory: a
  // 100 M-parameter LM with Adam peaked 16 bytes a parameter above its weights,
  // gradients and moments (/usr/bin/time).
  e.checkpoint = (slots + 2) * P * kFloat;
}

// The tape keeps every layer's outputs until backward. The classifier's encoder block
// (floats): Q, K, V and their head-split copies, attention output, projections,
// residuals, norms and dropout masks (about 16 × N·d) and the feed-forward hidden layer
// (3 × N·d_ff). Flash attention keeps no [T, T] scores, only a log-sum-exp row per query.
double classifier_block_floats(double N, double d, double d_ff) {
  return 16 * N * d + 3 * N * d_ff;
}

// A pre- or post-norm block of the decoder LM and the encoder-decoder, fitted to the
// peak RSS of LM runs of 2-8 layers from 8 × 256 to 64 × 512 tokens (/usr/bin/time;
// d_model 192-512, vocabularies 96 and 8000): 26 × N·d + 5 × N·d_ff floats, and
// 3 × N·d + 3 × N·d_ff more with dropout (its outputs and masks).
double block_floats(double N, double d, double d_ff, bool dropout) {
  return 26 * N * d + 5 * N * d_ff + (dropout ? 3 * N * d + 3 * N * d_ff : 0);
}

// Cross-attention in a decoder block: its query side as half a self-attention block on
// the N target tokens, and the keys and values of the M encoder outputs with their
// head-split copies.
double cross_attention_floats(double N, double M, double d, bool dropout) {
  return 13 * N * d + 4 * M * d + (dropout ? N * d : 0);
}

// Sizes are multiplied in double and saturate here, so an absurd config (a typo with
// extra zeros) is refused instead of wrapping around int64.
std::int64_t saturated(double bytes) {
  constexpr double kMax = 9.0e18;
  return bytes >= kMax ? static_cast<std::int64_t>(kMax) : static_cast<std::int64_t>(bytes);
}

// Backward frees each output's gradient once consumed and the arena reuses buffers, so
// the peak is the forward set plus ~10 % (classifier: 1.0-1.3 × the measured peak RSS on
// 8 configs from 16 × 128 to 64 × 512 tokens, 1-2 layers).
std::int64_t activation_bytes(double forward_floats) {
  return saturated(forward_floats * kFloat * 1.1);
}

// bf16 products pack both operands and a transpose scratch as bf16 pairs in buffers kept
// between calls (kernels/gemm_bf16.cpp): 2 bytes per element of each, sized by the
// largest operand: the widest layer's [N, width] input, or its [d, width] weight when a
// batch has fewer tokens than d.
std::int64_t bf16_packing_bytes(const std::string& precision, double N, double d, double width) {
  return precision == "bf16" ? saturated(3.0 * 2 * std::max(N, d) * std::max(d, width)) : 0;
}

}  // namespace

MemoryEstimate estimate_training_memory(const RunConfig& cfg, std::int64_t parameters,
                                        std::int64_t examples, std::int64_t text_bytes) {
  const auto& m = cfg.model;
  const auto& t = cfg.training;
  MemoryEstimate e;
  add_parameter_terms(e, t, parameters, t.momentum > 0 ? 1 : 0, t.ema_decay > 0);
  const std::int64_t batch = t.batch_size;
  const std::int64_t length =
      std::min(cfg.data.max_len, m.max_len) + (m.pooling == nn::Pooling::cls ? 1 : 0);
  e.step = fmt::format("a batch of {} × {} tokens", batch, length);
  // The classifier's estimate also counts 2 × B·H·T² of attention scores: it was
  // fitted when attention kept them, and stays on the safe side.
  const double B = static_cast<double>(batch), T = static_cast<double>(length);
  const double N = B * T, d = static_cast<double>(m.d_model);
  const double scores = 2 * B * static_cast<double>(m.num_heads) * T * T;
  const double per_layer =
      (m.bare_attention ? 8 * N * d : classifier_block_floats(N, d, static_cast<double>(m.d_ff))) +
      scores;
  const double layers = m.bare_attention ? 1.0 : static_cast<double>(m.num_layers);
  e.activations = activation_bytes(4 * N * d + layers * per_layer);
  // Raw text, its standardised copy, the word counts behind the vocabulary and
  // the token ids (6 × the text: fitted on the SpamAssassin configs).
  e.data = saturated(6.0 * static_cast<double>(text_bytes) + static_cast<double>(examples) * T * 4);
  e.runtime =
      kRuntimeBytes +
      bf16_packing_bytes(t.precision, N, d, m.bare_attention ? d : static_cast<double>(m.d_ff));
  e.remedy = "Lower training.batch_size or data.max_len";
  return e;
}

MemoryEstimate estimate_lm_training_memory(const LmRunConfig& cfg, std::int64_t parameters,
                                           std::int64_t token_ids, std::int64_t text_bytes) {
  const auto& m = cfg.model;
  const auto& t = cfg.training;
  MemoryEstimate e;
  add_parameter_terms(e, t, parameters, 0, false);
  const double N = static_cast<double>(t.batch_size) * static_cast<double>(m.block_size);
  const double d = static_cast<double>(m.d_model), V = static_cast<double>(m.vocab_size);
  const double d_ff = static_cast<double>(m.ff_size());
  e.step = fmt::format("a batch of {} × {} tokens", t.batch_size, m.block_size);
  // Embeddings and the final norm (4 × N·d), the blocks, the logits, their softmax for
  // the loss and the logits' gradient (3 × N·V).
  const double block = block_floats(N, d, d_ff, m.dropout > 0);
  e.activations =
      activation_bytes(4 * N * d + static_cast<double>(m.num_layers) * block + 3 * N * V);
  // The text (train + valid) and its ids (4 bytes each); encoding holds both at once.
  e.data = text_bytes + token_ids * 4;
  e.runtime = kRuntimeBytes + bf16_packing_bytes(t.precision, N, d, std::max(d_ff, V));
  e.remedy =
      "Lower training.batch_size (raise training.grad_accum_steps to keep the tokens per "
      "step) or model.block_size";
  return e;
}

MemoryEstimate estimate_seq2seq_training_memory(const Seq2SeqRunConfig& cfg,
                                                std::int64_t parameters, std::int64_t token_ids,
                                                std::int64_t text_bytes) {
  const auto& m = cfg.model;
  const auto& t = cfg.training;
  MemoryEstimate e;
  add_parameter_terms(e, t, parameters, 0, false);
  // A batch fills max_tokens padded tokens a side; one pair longer than that is a batch
  // of its own, up to max_len.
  const std::int64_t tokens = std::max(t.max_tokens, m.max_len);
  e.step = fmt::format("batches of up to {} tokens a side", tokens);
  const double N = static_cast<double>(tokens), d = static_cast<double>(m.d_model);
  const double d_ff = static_cast<double>(m.ff_size());
  const double V = static_cast<double>(std::max(m.source_vocab_size, m.target_vocab_size));
  const bool dropout = m.dropout > 0;
  const double forward =
      8 * N * d + static_cast<double>(m.encoder_layers) * block_floats(N, d, d_ff, dropout) +
      static_cast<double>(m.decoder_layers) *
          (block_floats(N, d, d_ff, dropout) + cross_attention_floats(N, N, d, dropout)) +
      3 * N * static_cast<double>(m.target_vocab_size);
  // Batch shapes vary from step to step, so buffers of the last steps' sizes stay parked
  // in the arena (up to about one step's working set, core/arena.h) beside the current
  // step's: g2p's peak RSS grew over the first ~60 steps to about twice the one-step
  // activations, then held (200 steps).
  const std::int64_t step = activation_bytes(forward);
  e.activations = 2 * step;
  // Pairs as text, both sides' ids, the batcher's index.
  e.data = 2 * text_bytes + token_ids * 4;
  e.runtime = kRuntimeBytes + bf16_packing_bytes(t.precision, N, d, std::max(d_ff, V));
  e.remedy = "Lower training.max_tokens (or model.max_len, which bounds a batch of one long pair)";
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
             "training would need {} of memory, but only {} is available ({}). {}, or pass "
             "--max-memory MIB to set the budget yourself (--max-memory 0 skips this check)",
             estimate.describe(), mib(budget_bytes), budget_source,
             estimate.weights + estimate.optimizer + estimate.checkpoint > estimate.activations
                 ? "Use a smaller model (most of it grows with the parameter count), or " +
                       lowercase_first(estimate.remedy)
                 : estimate.remedy);
}

void enforce_memory_budget(const MemoryEstimate& estimate, std::int64_t max_memory_mb,
                           std::ostream& log) {
  // The data is loaded before this check, so it is already missing from MemAvailable:
  // the system's budget is what is available plus what the run already holds of it.
  const std::int64_t available = max_memory_mb < 0 ? available_memory_bytes() : -1;
  const std::int64_t budget =
      max_memory_mb < 0 ? (available > 0 ? available + estimate.data : available)
                        : std::min<std::int64_t>(max_memory_mb, std::int64_t{1} << 40) << 20;
  const std::string source =
      max_memory_mb < 0 ? "MemAvailable and the cgroup limit" : "--max-memory";
  log << fmt::format("memory: {} estimated peak; budget {} MiB ({})\n", estimate.describe(),
                     budget > 0 ? budget >> 20 : 0, max_memory_mb == 0 ? "no check" : source);
  check_memory_budget(estimate, budget, source);
}

}  // namespace attn::train

#pragma once
// Memory planning: before training starts, estimate the peak resident memory
// of the run from the config, the batch and the data, and refuse with a clear
// message when it exceeds what the machine (or its cgroup) has available,
// instead of being killed by the OOM killer hours later.
#include <cstdint>
#include <iosfwd>
#include <string>

#include "attn/train/lm_config.h"
#include "attn/train/run_config.h"
#include "attn/train/seq2seq_config.h"

namespace attn::train {

struct MemoryEstimate {
  std::int64_t parameters = 0;
  // bytes
  std::int64_t weights = 0;      // values + gradients
  std::int64_t optimizer = 0;    // Adam moments / momentum, EMA copy
  std::int64_t checkpoint = 0;   // transient copies while a state is saved
  std::int64_t activations = 0;  // one training step (forward values + their gradients)
  std::int64_t data = 0;         // examples in memory (text + token ids)
  std::int64_t runtime = 0;      // program, libraries, BLAS buffers, thread stacks
  std::int64_t total() const {
    return weights + optimizer + checkpoint + activations + data + runtime;
  }
  std::string describe()
      const;           // "~812 MiB (activations 640 MiB for a batch of 32 × 512 tokens, ...)"
  std::string step;    // what one step holds: "a batch of 32 × 512 tokens"
  std::string remedy;  // the config keys that shrink the run, for the refusal message
};

// `parameters`: the model's parameter count; `text_bytes` and `examples`: the
// training + validation data held in memory.
MemoryEstimate estimate_training_memory(const RunConfig& cfg, std::int64_t parameters,
                                        std::int64_t examples, std::int64_t text_bytes);

// A decoder LM: `parameters` from the model, `text_bytes` the training + validation text
// and `token_ids` the ids kept of both. One step holds a micro-batch of batch_size ×
// block_size tokens (gradient accumulation adds no activations).
MemoryEstimate estimate_lm_training_memory(const LmRunConfig& cfg, std::int64_t parameters,
                                           std::int64_t token_ids, std::int64_t text_bytes);

// An encoder-decoder: a batch holds up to training.max_tokens padded tokens a side (a
// single longer pair, up to model.max_len, makes a batch of its own).
MemoryEstimate estimate_seq2seq_training_memory(const Seq2SeqRunConfig& cfg,
                                                std::int64_t parameters, std::int64_t token_ids,
                                                std::int64_t text_bytes);

// Bytes this process may still use: MemAvailable from /proc/meminfo, lowered to
// the cgroup v2 limit (memory.max - memory.current) when one is set; -1 if unknown.
std::int64_t available_memory_bytes();

// Throws attn::Error when the estimate exceeds `budget_bytes` (the available
// memory, or the user's --max-memory); budget <= 0 means unknown: no check.
void check_memory_budget(const MemoryEstimate& estimate, std::int64_t budget_bytes,
                         const std::string& budget_source);

// The pre-flight check of every training loop: logs the estimate and the budget
// (max_memory_mb < 0: what is available, 0: no check, > 0: --max-memory MiB) to `log`,
// then check_memory_budget.
void enforce_memory_budget(const MemoryEstimate& estimate, std::int64_t max_memory_mb,
                           std::ostream& log);

}  // namespace attn::train

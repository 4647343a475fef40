#pragma once
// Memory planning: before training starts, estimate the peak resident memory
// of the run from the config, the batch and the data, and refuse with a clear
// message when it exceeds what the machine (or its cgroup) has available,
// instead of being killed by the OOM killer hours later.
#include <cstdint>
#include <string>

#include "attn/train/run_config.h"

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
  std::string describe() const;  // "~812 MiB (activations 640 MiB for 32 × 512 tokens, ...)"
  std::int64_t batch = 0, tokens = 0;
};

// `parameters`: the model's parameter count; `text_bytes` and `examples`: the
// training + validation data held in memory.
MemoryEstimate estimate_training_memory(const RunConfig& cfg, std::int64_t parameters,
                                        std::int64_t examples, std::int64_t text_bytes);

// Bytes this process may still use: MemAvailable from /proc/meminfo, lowered to
// the cgroup v2 limit (memory.max - memory.current) when one is set; -1 if unknown.
std::int64_t available_memory_bytes();

// Throws attn::Error when the estimate exceeds `budget_bytes` (the available
// memory, or the user's --max-memory); budget <= 0 means unknown: no check.
void check_memory_budget(const MemoryEstimate& estimate, std::int64_t budget_bytes,
                         const std::string& budget_source);

}  // namespace attn::train

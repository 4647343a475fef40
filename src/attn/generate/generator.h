#pragma once
// Batched autoregressive generation from a DecoderLM, with or without a KV cache.
//
// Prompts of different lengths share one batch: the KV cache keeps a length per row and
// the prefill is right-padded (DecoderLM::forward_step), so every row's positions start
// at 0, exactly as when it is decoded alone. Greedy output therefore does not depend on
// the cache or on the batch's other rows (up to float rounding in the matrix products).
#include <cstdint>
#include <functional>
#include <vector>

#include "attn/generate/sampling.h"
#include "attn/models/decoder_lm.h"

namespace attn::generate {

// What happens when a row's context (prompt + generated tokens) would exceed the model's
// block_size.
enum class ContextOverflow {
  error,  // refuse before generating: attn::Error naming the prompt and the numbers
  slide,  // condition on the last block_size tokens only; once a row's cache is full,
          // every step recomputes over that window (same logits as without the cache)
};

struct GenerateOptions {
  std::int64_t max_new_tokens = 64;  // >= 0
  SamplingOptions sampling;
  // A row stops once its generated ids end with one of these (a single stop id is a
  // one-token sequence). The stop tokens are part of the returned ids.
  std::vector<std::vector<std::int32_t>> stop_sequences;
  bool use_kv_cache = true;  // false: a full forward over the context at every step
  std::int32_t bos_id = 0;   // an empty prompt starts from this token (e.g. "\n")
  // > 0: only ids below this are sampled. A model's vocab_size may exceed its
  // tokenizer's (spare rows never trained); those ids could not be decoded.
  std::int64_t sample_vocab = 0;
  ContextOverflow overflow = ContextOverflow::error;
  // Called with (prompt index, token) as each token is chosen, rows in order per step.
  std::function<void(std::size_t, std::int32_t)> on_token;
  // Optional: asked after on_token; true ends that row (e.g. a stop string in its text).
  std::function<bool(std::size_t)> should_stop;
};

// Throws attn::Error for a bad option (sampling fields, max_new_tokens < 0, empty stop
// sequence).
void validate(const GenerateOptions& opt);

// prompts: token ids per row -> the generated ids per row (without the prompt). Row r
// samples with stream r (see sample_next), so the same seed gives the same text.
std::vector<std::vector<std::int32_t>> generate(
    const models::DecoderLM& model, const std::vector<std::vector<std::int32_t>>& prompts,
    const GenerateOptions& opt);

}  // namespace attn::generate

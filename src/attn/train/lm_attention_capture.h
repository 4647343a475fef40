#pragma once
// What a decoder LM attended to while it continued a text, for `attn viz` and
// the training report: the prompt is continued greedily, then prompt and
// continuation go through the model once more and every layer's causal
// self-attention [H, T, T] is recorded.
#include <cstdint>
#include <filesystem>
#include <string>

#include "attn/models/attention_capture.h"
#include "attn/train/lm_run.h"

namespace attn::train {

// prompt: any text ("" starts from lm_start_token, as `attn generate` does).
// The continuation has at most max_new_tokens tokens and stops early so that the
// view fits the model's context and kMaxViewTokens; a longer prompt keeps its
// last tokens (cap.note says so). Throws attn::Error for max_new_tokens < 0.
models::AttentionCapture capture_lm_attention(const LoadedLm& lm, const std::string& title,
                                              const std::string& prompt,
                                              std::int64_t max_new_tokens);

// The same for a run directory (`attn viz`); throws attn::Error for a missing run.
models::AttentionCapture capture_lm_attention(const std::filesystem::path& run,
                                              const std::string& prompt,
                                              std::int64_t max_new_tokens, int threads = 0);

}  // namespace attn::train

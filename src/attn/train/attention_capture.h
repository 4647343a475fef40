#pragma once
// Runs a trained classifier on one text and records what every layer's heads
// attended to, for `attn viz`. Lives in train/ because it opens a run directory;
// the viewers in viz/ only see the resulting models::AttentionCapture.
#include <filesystem>
#include <optional>
#include <string>

#include "attn/models/attention_capture.h"

namespace attn::train {

// At most this many tokens are shown (and run through the model), [CLS] included.
inline constexpr std::int64_t kMaxViewTokens = 512;

// One sequence "input" (the tokenizer's token strings, "[CLS]" first with cls
// pooling, no padding) and one self-attention map [H, T, T] per layer, plus the
// class probabilities. Throws attn::Error for a missing/invalid run, an empty
// text, a text with no tokens, a model without attention layers, or a text_pair
// (classifiers read one input).
models::AttentionCapture capture_classifier_attention(
    const std::filesystem::path& run, const std::string& text,
    const std::optional<std::string>& text_pair = std::nullopt, int threads = 0);

}  // namespace attn::train

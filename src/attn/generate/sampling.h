#pragma once
// Choosing the next token from a row of logits: repetition penalty, temperature, top-k,
// top-p (nucleus), then one draw. Each draw is a pure function of (seed, stream, step)
// through the counter-based RNG, so a row's tokens do not depend on which other rows
// share its batch, on the thread count, or on whether the KV cache is used.
#include <cstdint>
#include <span>
#include <vector>

namespace attn::generate {

struct SamplingOptions {
  float temperature = 1.0f;         // 0 = greedy (argmax, ties to the lowest id); must be >= 0
  int top_k = 0;                    // keep the k most likely tokens; 0 = all
  float top_p = 1.0f;               // keep the smallest set with probability >= top_p; in (0, 1]
  float repetition_penalty = 1.0f;  // CTRL: > 1 discourages tokens already seen; > 0
  std::uint64_t seed = 0;
};

// Throws attn::Error naming the first out-of-range field.
void validate(const SamplingOptions& opt);

// logits [V] -> the chosen id in [0, V). history: the tokens seen so far (prompt and
// generated), used only by the repetition penalty. stream (the prompt's index) and step
// (the generated token's index) select the random number.
//   penalty (CTRL, Keskar et al. 2019, as Hugging Face): for each distinct token in
//     history, a positive logit is divided by the penalty, a negative one multiplied.
//   temperature 0: argmax of the penalised logits. Otherwise softmax(logits / T),
//   restricted to the top_k largest, then to the shortest prefix (by decreasing
//   probability, ties by id) whose renormalised mass reaches top_p - 1e-6 (the slack
//   keeps p = 0.8 over 0.5 + 0.3 from flipping on rounding); at least one token survives.
std::int32_t sample_next(std::span<const float> logits, const SamplingOptions& opt,
                         const std::vector<std::int32_t>& history, std::uint64_t stream,
                         std::uint64_t step);

}  // namespace attn::generate

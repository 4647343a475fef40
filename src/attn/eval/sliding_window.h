#pragma once
// Sliding-window scoring of a long token stream by a model with a bounded
// context, so that every token is predicted exactly once with as much context
// as the window allows.
//
// The stream is s[0..n], where s[0] is a start token (the evaluator's choice)
// and s[1..n] are the n tokens to score; target t (1 <= t <= n) is predicted
// from s[a..t-1] of the window holding it. Windows have `window` inputs; the
// first scores all its targets, each later one moves `stride` tokens on and
// scores only its last `stride` targets (the last window ends at n and scores
// what is left), so later targets see at least window - stride tokens of context.
#include <cstdint>
#include <vector>

namespace attn {

struct ScoreWindow {
  std::int64_t begin = 0;         // first input position a (inputs s[a .. end-1])
  std::int64_t end = 0;           // one past the last input; targets s[a+1 .. end]
  std::int64_t first_scored = 0;  // first target position scored (targets first_scored..end)
  std::int64_t length() const { return end - begin; }
};

// n tokens to score, window >= 1, 1 <= stride <= window. Throws attn::Error otherwise.
std::vector<ScoreWindow> sliding_windows(std::int64_t n, std::int64_t window, std::int64_t stride);

}  // namespace attn

#include "attn/eval/sliding_window.h"

#include <algorithm>

#include "attn/core/error.h"

namespace attn {

std::vector<ScoreWindow> sliding_windows(std::int64_t n, std::int64_t window, std::int64_t stride) {
  ATTN_CHECK(n >= 0, "sliding window: negative token count {}", n);
  ATTN_CHECK(window >= 1 && stride >= 1 && stride <= window,
             "sliding window: need window >= 1 and 1 <= stride <= window, got window {} stride {}",
             window, stride);
  std::vector<ScoreWindow> out;
  std::int64_t done = 0;  // targets 1..done are scored
  while (done < n) {
    const std::int64_t end = std::min(n, out.empty() ? window : done + stride);
    ScoreWindow w;
    w.end = end;
    w.begin = std::max<std::int64_t>(0, end - window);
    w.first_scored = done + 1;
    out.push_back(w);
    done = end;
  }
  return out;
}

}  // namespace attn

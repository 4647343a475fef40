#include "attn/eval/error_rate.h"

#include <algorithm>
#include <numeric>

#include "attn/core/error.h"
#include "attn/eval/text_split.h"

namespace attn {
namespace {

using Tokens = std::vector<std::string_view>;

void check_streams(const char* fn, std::size_t n_hyps,
                   const std::vector<std::vector<std::string>>& refs) {
  ATTN_CHECK(!refs.empty(), "{}: no reference stream given", fn);
  for (std::size_t r = 0; r < refs.size(); ++r) {
    ATTN_CHECK(refs[r].size() == n_hyps,
               "{}: reference stream {} has {} lines, expected {} (one per hypothesis)", fn, r + 1,
               refs[r].size(), n_hyps);
  }
}

// The non-empty references of line i, tokenized; throws when there are none.
std::vector<Tokens> line_refs(const char* fn, const std::vector<std::vector<std::string>>& refs,
                              std::size_t i) {
  std::vector<Tokens> out;
  for (const auto& stream : refs) {
    Tokens t = split_whitespace(stream[i]);
    if (!t.empty()) out.push_back(std::move(t));
  }
  ATTN_CHECK(!out.empty(), "{}: line {} has no reference (it is empty in every reference file)", fn,
             i + 1);
  return out;
}

double percent(std::int64_t num, std::int64_t den) {
  return den == 0 ? 0.0 : 100.0 * static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace

std::int64_t token_edit_distance(const Tokens& a, const Tokens& b) {
  // One row of the DP table: row[j] = distance(a[:i], b[:j]).
  std::vector<std::int64_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::int64_t diag = row[0];  // distance(a[:i-1], b[:j-1])
    row[0] = static_cast<std::int64_t>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::int64_t up = row[j];
      const std::int64_t sub = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({sub, up + 1, row[j - 1] + 1});
      diag = up;
    }
  }
  return row[b.size()];
}

ErrorRate sequence_error_rate(const std::vector<std::string>& hyps,
                              const std::vector<std::vector<std::string>>& refs) {
  const char* fn = "sequence_error_rate";
  check_streams(fn, hyps.size(), refs);
  ErrorRate e;
  for (std::size_t i = 0; i < hyps.size(); ++i) {
    const std::vector<Tokens> rs = line_refs(fn, refs, i);
    const Tokens h = split_whitespace(hyps[i]);
    if (std::find(rs.begin(), rs.end(), h) == rs.end()) ++e.errors;
  }
  e.sequences = e.total = static_cast<std::int64_t>(hyps.size());
  e.score = percent(e.errors, e.total);
  return e;
}

ErrorRate token_error_rate(const std::vector<std::string>& hyps,
                           const std::vector<std::vector<std::string>>& refs) {
  const char* fn = "token_error_rate";
  check_streams(fn, hyps.size(), refs);
  ErrorRate e;
  for (std::size_t i = 0; i < hyps.size(); ++i) {
    const std::vector<Tokens> rs = line_refs(fn, refs, i);
    const Tokens h = split_whitespace(hyps[i]);
    std::int64_t best_dist = -1, best_len = 0;
    for (const Tokens& r : rs) {
      const std::int64_t d = token_edit_distance(h, r);
      const auto len = static_cast<std::int64_t>(r.size());
      if (best_dist < 0 || d < best_dist || (d == best_dist && len < best_len)) {
        best_dist = d;
        best_len = len;
      }
    }
    e.errors += best_dist;
    e.total += best_len;
  }
  e.sequences = static_cast<std::int64_t>(hyps.size());
  e.score = percent(e.errors, e.total);
  return e;
}

}  // namespace attn

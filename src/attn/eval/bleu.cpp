#include "attn/eval/bleu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "attn/core/error.h"
#include "attn/eval/text_split.h"
#include "attn/eval/tokenize_13a.h"

namespace attn {
namespace {

// An n-gram is its tokens joined by single spaces: tokens never contain
// whitespace, so the key is unambiguous and its order is (spaces + 1).
using NgramCounts = std::unordered_map<std::string, int>;

struct SegmentNgrams {
  NgramCounts counts;  // all orders 1..max_order together
  std::int64_t length = 0;
};

std::string preprocess(const std::string& sent, const BleuOptions& opt) {
  // sacreBLEU right-strips every segment before tokenizing.
  const std::string_view s = rstrip_whitespace(sent);
  return opt.tokenize_13a ? tokenize_13a(s) : std::string(s);
}

SegmentNgrams extract_ngrams(const std::string& sent, int max_order) {
  const std::vector<std::string_view> tokens = split_whitespace(sent);
  SegmentNgrams out;
  out.length = static_cast<std::int64_t>(tokens.size());
  std::string key;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    key.clear();
    for (std::size_t n = 1; n <= static_cast<std::size_t>(max_order) && i + n <= tokens.size();
         ++n) {
      if (n > 1) key.push_back(' ');
      key.append(tokens[i + n - 1]);
      ++out.counts[key];
    }
  }
  return out;
}

int order_of(const std::string& ngram) {
  return 1 + static_cast<int>(std::count(ngram.begin(), ngram.end(), ' '));
}

// Closest reference length to hyp_len; on a tie the shorter one.
std::int64_t closest_ref_len(std::int64_t hyp_len, const std::vector<std::int64_t>& ref_lens) {
  std::int64_t best_diff = -1, best_len = -1;
  for (std::int64_t len : ref_lens) {
    const std::int64_t diff = std::llabs(hyp_len - len);
    if (best_diff < 0 || diff < best_diff || (diff == best_diff && len < best_len)) {
      best_diff = diff;
      best_len = len;
    }
  }
  return best_len;
}

// Adds one segment's statistics: sys_len, ref_len, matches and totals per order.
void add_segment(const std::string& hyp, const std::vector<const std::string*>& refs,
                 const BleuOptions& opt, BleuScore& acc) {
  NgramCounts max_ref;  // per n-gram, the largest count in any single reference
  std::vector<std::int64_t> ref_lens;
  for (const std::string* ref : refs) {
    SegmentNgrams r = extract_ngrams(preprocess(*ref, opt), opt.max_order);
    ref_lens.push_back(r.length);
    for (const auto& [ngram, count] : r.counts) {
      int& m = max_ref[ngram];
      m = std::max(m, count);
    }
  }
  const SegmentNgrams h = extract_ngrams(preprocess(hyp, opt), opt.max_order);
  acc.sys_len += h.length;
  acc.ref_len += closest_ref_len(h.length, ref_lens);
  for (const auto& [ngram, count] : h.counts) {
    const int n = order_of(ngram) - 1;
    acc.totals[n] += count;
    const auto it = max_ref.find(ngram);
    if (it != max_ref.end()) acc.counts[n] += std::min(count, it->second);
  }
}

void check_options(const BleuOptions& opt) {
  ATTN_CHECK(opt.max_order >= 1, "BLEU: max_order must be >= 1, got {}", opt.max_order);
}

// sacreBLEU's my_log: log, floored at a huge negative value instead of -inf,
// so a zero precision gives a score of exactly 0.
double floored_log(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }

}  // namespace

double BleuScore::ratio() const {
  return ref_len != 0 ? static_cast<double>(sys_len) / static_cast<double>(ref_len) : 0.0;
}

std::string BleuScore::format() const {
  std::string prec;
  for (std::size_t i = 0; i < precisions.size(); ++i) {
    prec += fmt::format("{}{:.1f}", i > 0 ? "/" : "", precisions[i]);
  }
  return fmt::format("BLEU = {:.2f} {} (BP = {:.3f} ratio = {:.3f} hyp_len = {} ref_len = {})",
                     score, prec, bp, ratio(), sys_len, ref_len);
}

BleuScore compute_bleu(std::vector<double> counts, std::vector<double> totals, std::int64_t sys_len,
                       std::int64_t ref_len, const BleuOptions& opt) {
  check_options(opt);
  const auto order = static_cast<std::size_t>(opt.max_order);
  ATTN_CHECK(counts.size() == order && totals.size() == order,
             "BLEU: {} counts and {} totals, expected {} each (max_order)", counts.size(),
             totals.size(), order);
  BleuScore s;
  s.sys_len = sys_len;
  s.ref_len = ref_len;
  s.bp = 1.0;
  if (sys_len < ref_len) {
    s.bp = sys_len > 0 ? std::exp(1.0 - static_cast<double>(ref_len) / static_cast<double>(sys_len))
                       : 0.0;
  }
  s.precisions.assign(order, 0.0);
  const bool any_match = std::any_of(counts.begin(), counts.end(), [](double c) { return c != 0; });
  if (!any_match) {  // sacreBLEU returns 0 here whatever the smoothing (its issue #141)
    s.counts = std::move(counts);
    s.totals = std::move(totals);
    return s;
  }
  double value = opt.smooth_value;
  if (value < 0) value = opt.smooth == BleuSmooth::kAddK ? 1.0 : 0.1;
  double exp_divisor = 1.0;  // mteval's smoothing: halve each successive zero precision
  std::size_t eff_order = order;
  for (std::size_t n = 0; n < order; ++n) {
    if (opt.smooth == BleuSmooth::kAddK && n > 0) {
      counts[n] += value;
      totals[n] += value;
    }
    if (totals[n] == 0) break;
    if (opt.effective_order) eff_order = n + 1;
    if (counts[n] == 0) {
      if (opt.smooth == BleuSmooth::kExp) {
        exp_divisor *= 2;
        s.precisions[n] = 100.0 / (exp_divisor * totals[n]);
      } else if (opt.smooth == BleuSmooth::kFloor) {
        s.precisions[n] = 100.0 * value / totals[n];
      }
    } else {
      s.precisions[n] = 100.0 * counts[n] / totals[n];
    }
  }
  double log_sum = 0;
  for (std::size_t n = 0; n < eff_order; ++n) log_sum += floored_log(s.precisions[n]);
  s.score = s.bp * std::exp(log_sum / static_cast<double>(eff_order));
  s.counts = std::move(counts);
  s.totals = std::move(totals);
  return s;
}

BleuScore corpus_bleu(const std::vector<std::string>& hyps,
                      const std::vector<std::vector<std::string>>& refs, const BleuOptions& opt) {
  check_options(opt);
  ATTN_CHECK(!refs.empty(), "BLEU: no reference stream given");
  for (std::size_t r = 0; r < refs.size(); ++r) {
    ATTN_CHECK(refs[r].size() == hyps.size(),
               "BLEU: reference stream {} has {} segments, expected {} (one per hypothesis)", r + 1,
               refs[r].size(), hyps.size());
  }
  BleuScore acc;
  acc.counts.assign(static_cast<std::size_t>(opt.max_order), 0.0);
  acc.totals = acc.counts;
  std::vector<const std::string*> seg_refs(refs.size());
  for (std::size_t i = 0; i < hyps.size(); ++i) {
    for (std::size_t r = 0; r < refs.size(); ++r) seg_refs[r] = &refs[r][i];
    add_segment(hyps[i], seg_refs, opt, acc);
  }
  return compute_bleu(std::move(acc.counts), std::move(acc.totals), acc.sys_len, acc.ref_len, opt);
}

BleuScore sentence_bleu(const std::string& hyp, const std::vector<std::string>& refs,
                        const BleuOptions& opt) {
  std::vector<std::vector<std::string>> streams;
  for (const std::string& r : refs) streams.push_back({r});
  return corpus_bleu({hyp}, streams, opt);
}

}  // namespace attn

#include "attn/eval/chrf.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "attn/core/error.h"
#include "attn/eval/text_split.h"

namespace attn {
namespace {

using CharNgrams = std::vector<std::unordered_map<std::u32string, int>>;  // [order]

// Per order o: counts of the code-point n-grams of length o + 1.
CharNgrams extract_char_ngrams(const std::string& sent, const ChrfOptions& opt) {
  std::u32string cps = decode_utf8(sent);
  if (!opt.keep_whitespace) {
    cps.erase(std::remove_if(cps.begin(), cps.end(), is_unicode_space), cps.end());
  }
  CharNgrams out(static_cast<std::size_t>(opt.char_order));
  for (std::size_t o = 0; o < out.size(); ++o) {
    const std::size_t n = o + 1;
    for (std::size_t i = 0; i + n <= cps.size(); ++i) ++out[o][cps.substr(i, n)];
  }
  return out;
}

// [order * 3]: hyp count, ref count, matches of one hypothesis vs one reference.
std::vector<std::int64_t> match_stats(const CharNgrams& hyp, const CharNgrams& ref) {
  std::vector<std::int64_t> st(hyp.size() * 3, 0);
  for (std::size_t o = 0; o < hyp.size(); ++o) {
    std::int64_t n_hyp = 0, n_match = 0, n_ref = 0;
    for (const auto& [ng, count] : hyp[o]) {
      n_hyp += count;
      const auto it = ref[o].find(ng);
      if (it != ref[o].end()) n_match += std::min(count, it->second);
    }
    for (const auto& [ng, count] : ref[o]) n_ref += count;
    // sacreBLEU counts no hypothesis n-grams for an order the reference lacks.
    st[3 * o] = ref[o].empty() ? 0 : n_hyp;
    st[3 * o + 1] = n_ref;
    st[3 * o + 2] = n_match;
  }
  return st;
}

double f_score(const std::vector<std::int64_t>& st, const ChrfOptions& opt) {
  constexpr double kEps = 1e-16;
  const double factor = opt.beta * opt.beta;
  const std::size_t orders = st.size() / 3;
  double eps_sum = 0, avg_prec = 0, avg_rec = 0;
  int effective = 0;
  for (std::size_t o = 0; o < orders; ++o) {
    const auto n_hyp = static_cast<double>(st[3 * o]);
    const auto n_ref = static_cast<double>(st[3 * o + 1]);
    const auto n_match = static_cast<double>(st[3 * o + 2]);
    const double prec = n_hyp > 0 ? n_match / n_hyp : kEps;
    const double rec = n_ref > 0 ? n_match / n_ref : kEps;
    const double denom = factor * prec + rec;
    eps_sum += denom > 0 ? (1 + factor) * prec * rec / denom : kEps;
    if (n_hyp > 0 && n_ref > 0) {
      avg_prec += prec;
      avg_rec += rec;
      ++effective;
    }
  }
  if (opt.eps_smoothing) return 100 * eps_sum / static_cast<double>(orders);
  if (effective == 0) return 0.0;
  avg_prec /= effective;
  avg_rec /= effective;
  if (avg_prec + avg_rec == 0) return 0.0;
  return 100 * (1 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec);
}

}  // namespace

std::string ChrfScore::format() const { return fmt::format("chrF{:g} = {:.2f}", beta, score); }

ChrfScore corpus_chrf(const std::vector<std::string>& hyps,
                      const std::vector<std::vector<std::string>>& refs, const ChrfOptions& opt) {
  ATTN_CHECK(opt.char_order >= 1, "chrF: char_order must be >= 1, got {}", opt.char_order);
  ATTN_CHECK(!refs.empty(), "chrF: no reference stream given");
  for (std::size_t r = 0; r < refs.size(); ++r) {
    ATTN_CHECK(refs[r].size() == hyps.size(),
               "chrF: reference stream {} has {} segments, expected {} (one per hypothesis)", r + 1,
               refs[r].size(), hyps.size());
  }
  const auto orders = static_cast<std::size_t>(opt.char_order);
  std::vector<std::int64_t> total(orders * 3, 0);
  for (std::size_t i = 0; i < hyps.size(); ++i) {
    const CharNgrams h = extract_char_ngrams(hyps[i], opt);
    std::vector<std::int64_t> best;
    double best_f = -1.0;
    for (const auto& stream : refs) {
      std::vector<std::int64_t> st = match_stats(h, extract_char_ngrams(stream[i], opt));
      const double f = f_score(st, opt);
      if (f > best_f) {
        best_f = f;
        best = std::move(st);
      }
    }
    for (std::size_t k = 0; k < total.size(); ++k) total[k] += best[k];
  }
  ChrfScore s;
  s.score = f_score(total, opt);
  s.beta = opt.beta;
  for (std::size_t o = 0; o < orders; ++o) {
    s.hyp_ngrams.push_back(total[3 * o]);
    s.ref_ngrams.push_back(total[3 * o + 1]);
    s.matches.push_back(total[3 * o + 2]);
  }
  return s;
}

ChrfScore sentence_chrf(const std::string& hyp, const std::vector<std::string>& refs,
                        const ChrfOptions& opt) {
  std::vector<std::vector<std::string>> streams;
  for (const std::string& r : refs) streams.push_back({r});
  return corpus_chrf({hyp}, streams, opt);
}

}  // namespace attn

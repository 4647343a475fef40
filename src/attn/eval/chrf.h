#pragma once
// Corpus chrF (Popović, 2015) computed exactly as sacreBLEU 2.x's CHRF():
// character n-grams of orders 1..6 over code points with whitespace removed,
// beta = 2, no word n-grams (signature nc:6|nw:0|space:no|eff:yes).
//
// Per segment and order: hypothesis n-grams, reference n-grams and clipped
// matches (the hypothesis count is taken as 0 when the reference has no n-gram
// of that order). With several references the statistics of the reference with
// the best sentence-level chrF are used (the first one on ties). Statistics are
// summed over the corpus; then precision and recall are averaged over the
// orders where both the hypothesis and the reference side have n-grams, and
// chrF = 100 * (1 + b^2) P R / (b^2 P + R). With eps_smoothing the F-scores of
// all orders are averaged instead, with 1e-16 for undefined ones (chrF++.py).
#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct ChrfOptions {
  int char_order = 6;
  double beta = 2;
  bool eps_smoothing = false;
  bool keep_whitespace = false;  // sacreBLEU's whitespace=True
};

struct ChrfScore {
  double score = 0;  // 0..100
  double beta = 2;
  // [char_order] summed over the corpus: hypothesis n-grams, reference
  // n-grams, matches.
  std::vector<std::int64_t> hyp_ngrams, ref_ngrams, matches;

  // sacreBLEU's line: "chrF2 = 59.73".
  std::string format() const;
};

// hyps [N]; refs [R][N] as in corpus_bleu. Throws attn::Error when R == 0 or a
// stream's length differs from N.
ChrfScore corpus_chrf(const std::vector<std::string>& hyps,
                      const std::vector<std::vector<std::string>>& refs,
                      const ChrfOptions& opt = {});

// One hypothesis against its references (sacreBLEU's sentence_score).
ChrfScore sentence_chrf(const std::string& hyp, const std::vector<std::string>& refs,
                        const ChrfOptions& opt = {});

}  // namespace attn

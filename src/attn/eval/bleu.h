#pragma once
// Corpus BLEU (Papineni et al., 2002) computed exactly as sacreBLEU 2.x does,
// so scores can be quoted next to published ones. Defaults are sacreBLEU's
// BLEU(): max order 4, "exp" smoothing, 13a tokenizer, case kept, no effective
// order (signature nrefs:N|case:mixed|eff:no|tok:13a|smooth:exp).
//
// Per segment: the hypothesis and each reference are right-stripped and
// tokenized; n-gram matches are clipped by the largest count of that n-gram in
// any one reference; the reference length is the one closest to the hypothesis
// length (ties -> the shorter). Counts and lengths are summed over the corpus,
// then BLEU = BP * exp(mean log p_n) with BP = exp(1 - ref_len / hyp_len) when
// hyp_len < ref_len.
#include <cstdint>
#include <string>
#include <vector>

namespace attn {

enum class BleuSmooth { kNone, kFloor, kAddK, kExp };

struct BleuOptions {
  int max_order = 4;
  BleuSmooth smooth = BleuSmooth::kExp;
  // floor: precision of an order with no match is 100 * value / total (default 0.1);
  // add-k: value added to matches and totals of orders >= 2 (default 1).
  // Negative means the method's default.
  double smooth_value = -1;
  // Average only over orders up to the last one the hypotheses have n-grams
  // of (meant for sentence-level BLEU).
  bool effective_order = false;
  // false: split on whitespace only (sacreBLEU's tokenize="none").
  bool tokenize_13a = true;
};

struct BleuScore {
  double score = 0;                // 0..100
  std::vector<double> precisions;  // [max_order], percent, after smoothing
  // [max_order]: clipped matches and hypothesis n-grams per order (add-k
  // smoothing adds its value to these for orders >= 2, as sacreBLEU reports).
  std::vector<double> counts, totals;
  double bp = 0;
  std::int64_t sys_len = 0, ref_len = 0;

  double ratio() const;
  // sacreBLEU's line: "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio =
  // 0.944 hyp_len = 17 ref_len = 18)".
  std::string format() const;
};

// hyps [N]; refs [R][N]: R reference streams (files), each with one line per
// hypothesis, as sacreBLEU's corpus_score(hyps, refs). An empty reference
// string is a reference of length 0, as in sacreBLEU. Throws attn::Error when
// R == 0 or a stream's length differs from N.
BleuScore corpus_bleu(const std::vector<std::string>& hyps,
                      const std::vector<std::vector<std::string>>& refs,
                      const BleuOptions& opt = {});

// One hypothesis against its references (sacreBLEU's sentence_score).
BleuScore sentence_bleu(const std::string& hyp, const std::vector<std::string>& refs,
                        const BleuOptions& opt = {});

// BLEU from summed statistics (sacreBLEU's BLEU.compute_bleu): counts and
// totals [max_order] as integers before smoothing.
BleuScore compute_bleu(std::vector<double> counts, std::vector<double> totals, std::int64_t sys_len,
                       std::int64_t ref_len, const BleuOptions& opt = {});

}  // namespace attn

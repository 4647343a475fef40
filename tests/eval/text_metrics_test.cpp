// Sequence metrics against sacreBLEU's own published numbers. The expected
// values (only the numbers and the test strings) come from the sacreBLEU
// repository (github.com/mjpost/sacrebleu): test/test_bleu.py,
// test/test_sentence_bleu.py, test/test_chrf.py and README.md; each test names
// its source. Tokenizer and error-rate cases are worked out by hand from the
// rules in the headers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/eval/bleu.h"
#include "attn/eval/chrf.h"
#include "attn/eval/error_rate.h"
#include "attn/eval/text_split.h"
#include "attn/eval/tokenize_13a.h"
#include "test_util.h"

namespace attn {
namespace {

using Streams = std::vector<std::vector<std::string>>;

// The README example (README.md "Using SacreBLEU from Python", also
// test/test_bleu.py `_hyps`/`_refs`): 3 hypotheses, 2 reference streams.
const std::vector<std::string> kHyps = {"The dog bit the man.", "It wasn't surprising.",
                                        "The man had just bitten him."};
const Streams kRefs = {
    {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
    {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};

// sacreBLEU's compat raw_corpus_bleu: no tokenization, floor smoothing, effective order.
BleuOptions raw_options(double floor_value) {
  BleuOptions o;
  o.tokenize_13a = false;
  o.smooth = BleuSmooth::kFloor;
  o.smooth_value = floor_value;
  o.effective_order = true;
  return o;
}

// ---- 13a tokenizer (hand-derived from the rules in tokenize_13a.h) ----

TEST(Tokeniz13a, PunctuationIsPaddedButApostropheAndDecimalsStay) {
  EXPECT_EQ(tokenize_13a("Hello, world!"), "Hello , world !");
  // '$' and '?' are padded; "3.50" keeps its period (digits on both sides); the
  // comma after a digit is split by the "followed by a non-digit" rule.
  EXPECT_EQ(tokenize_13a("It costs $3.50, isn't it?"), "It costs $ 3.50 , isn't it ?");
  EXPECT_EQ(tokenize_13a("(hi)[x]{y}"), "( hi ) [ x ] { y }");
  EXPECT_EQ(tokenize_13a("a/b:c;d=e@f"), "a / b : c ; d = e @ f");
  EXPECT_EQ(tokenize_13a("1,000,000 and 2.5"), "1,000,000 and 2.5");
}

TEST(Tokeniz13a, PeriodAndCommaNextToDigits) {
  // "5.a": no split before (5 is a digit), split after (a is not);
  // "a.5": split before, the period then stays attached to nothing.
  EXPECT_EQ(tokenize_13a("3.5 5.a a.5"), "3.5 5 . a a . 5");
  EXPECT_EQ(tokenize_13a("U.S.A."), "U . S . A .");
  EXPECT_EQ(tokenize_13a("Mr.Smith a,b"), "Mr . Smith a , b");
  EXPECT_EQ(tokenize_13a("..."), ". . .");
}

TEST(Tokeniz13a, DashSplitOnlyAfterDigit) {
  EXPECT_EQ(tokenize_13a("1990-2000 well-known a-3 x--y"), "1990 - 2000 well-known a-3 x--y");
}

TEST(Tokeniz13a, EntitiesSkippedTagsAndNewlines) {
  EXPECT_EQ(tokenize_13a("&quot;Hi&quot; &amp; &lt;b&gt;"), "\" Hi \" & < b >");
  // One pass per entity in the order quot, amp, lt, gt: "&amp;lt;" becomes
  // "&lt;" and then "<".
  EXPECT_EQ(tokenize_13a("a&amp;lt;b"), "a < b");
  EXPECT_EQ(tokenize_13a("<skipped>Yes"), "Yes");
  EXPECT_EQ(tokenize_13a("foo-\nbar a\nb"), "foobar a b");
  EXPECT_EQ(tokenize_13a(""), "");
  EXPECT_EQ(tokenize_13a("   "), "");
}

TEST(Tokeniz13a, Utf8PassesThrough) {
  EXPECT_EQ(tokenize_13a("¿Qué tal, señor Muñoz? ¡Olé!"), "¿Qué tal , señor Muñoz ? ¡Olé !");
  EXPECT_EQ(tokenize_13a("Café. Niño,"), "Café . Niño ,");
  // U+00A0 is whitespace to Python's str.split; U+200B (zero-width space) is not.
  EXPECT_EQ(tokenize_13a("a\u00a0b"), "a b");
  EXPECT_EQ(tokenize_13a("a\u200bb"), "a\u200bb");
}

TEST(Tokeniz13a, SplitAndStripFollowPython) {
  const auto parts = split_whitespace(" a\u3000b\t\u2028c ");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "a");
  EXPECT_EQ(parts[1], "b");
  EXPECT_EQ(parts[2], "c");
  EXPECT_EQ(rstrip_whitespace("x y \u00a0\r"), "x y");
  EXPECT_EQ(first_invalid_utf8("ok é"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("ab\xC3"), 2u);        // truncated sequence
  EXPECT_EQ(first_invalid_utf8("\xC0\xAF"), 0u);      // overlong "/"
  EXPECT_EQ(first_invalid_utf8("\xED\xA0\x80"), 0u);  // surrogate
}

// ---- BLEU ----

TEST(Bleu, ReadmeCorpusDefault) {
  // README.md: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len =
  // 18); test_bleu.py test_corpus_bleu_cases: 48.530827 (default and tokenize='13a').
  const BleuScore b = corpus_bleu(kHyps, kRefs);
  EXPECT_NEAR(b.score, 48.530827, 1e-6);
  EXPECT_EQ(
      b.format(),
      "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)");
  EXPECT_EQ(b.counts, (std::vector<double>{14, 7, 5, 3}));
  EXPECT_EQ(b.totals, (std::vector<double>{17, 14, 11, 8}));
  // smooth_method='none' gives the same score (no zero precision).
  BleuOptions none;
  none.smooth = BleuSmooth::kNone;
  EXPECT_NEAR(corpus_bleu(kHyps, kRefs, none).score, 48.530827, 1e-6);
}

TEST(Bleu, ReadmeCorpusNoTokenizerAndEmptyHypotheses) {
  // test_bleu.py: tokenize='none' -> 49.1919566; empty hypotheses -> 0.0.
  BleuOptions none;
  none.tokenize_13a = false;
  EXPECT_NEAR(corpus_bleu(kHyps, kRefs, none).score, 49.1919566, 1e-6);
  EXPECT_EQ(corpus_bleu({"", "", ""}, kRefs).score, 0.0);
}

TEST(Bleu, ReadmeCorpusMaxOrder) {
  // test_bleu.py test_bleu_max_order: orders 1..6 as "%.2f".
  const std::vector<std::string> want = {"77.65", "60.50", "53.93", "48.53", "46.14", "43.28"};
  for (int order = 1; order <= 6; ++order) {
    BleuOptions o;
    o.max_order = order;
    EXPECT_EQ(fmt::format("{:.2f}", corpus_bleu(kHyps, kRefs, o).score), want[order - 1])
        << "max_order " << order;
  }
}

TEST(Bleu, ReadmeVariableReferences) {
  // README.md "Variable Number of References": the first reference of line 1 is ''.
  Streams refs = kRefs;
  refs[0][0] = "";
  EXPECT_EQ(
      corpus_bleu(kHyps, refs).format(),
      "BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)");
}

TEST(Bleu, RawCorpusCases) {
  // test_bleu.py test_raw_bleu_cases and test_case_effective_order
  // (raw_corpus_bleu: tokenize none, floor 0.01, effective order), scores / 100.
  const BleuOptions raw = raw_options(0.01);
  EXPECT_EQ(corpus_bleu({"this is a test", "another test"}, {{"ref1", "ref2"}}, raw).score, 0.0);
  EXPECT_NEAR(corpus_bleu({"this is a test"}, {{"this is a test"}}, raw).score, 100.0, 1e-6);
  EXPECT_NEAR(corpus_bleu({"this is a fest"}, {{"this is a test"}}, raw).score, 22.3606797749979,
              1e-6);
  EXPECT_NEAR(corpus_bleu({"test"}, {{"a test"}}, raw).score, 36.78794411714425, 1e-6);
  EXPECT_NEAR(corpus_bleu({"a test"}, {{"a test"}}, raw).score, 100.0, 1e-6);
  EXPECT_NEAR(corpus_bleu({"a little test"}, {{"a test"}}, raw).score, 3.218297948685433, 1e-6);
}

TEST(Bleu, StatisticsAndFloorOffset) {
  // test_bleu.py test_case_statistics and test_case_offset.
  const std::vector<std::string> hyp = {"am I am a character sequence"};
  const Streams ref = {{"I am a symbol string sequence a a"}};
  const BleuScore b = corpus_bleu(hyp, ref, raw_options(0.01));
  EXPECT_EQ(b.counts, (std::vector<double>{4, 2, 1, 0}));
  EXPECT_EQ(b.totals, (std::vector<double>{6, 5, 4, 3}));
  EXPECT_NEAR(corpus_bleu(hyp, ref, raw_options(0.0)).score, 0.0, 1e-6);
  EXPECT_NEAR(corpus_bleu(hyp, ref, raw_options(-1)).score, 15.55722182, 1e-6);  // default 0.1
}

TEST(Bleu, ComputeFromStatistics) {
  // test_bleu.py test_case_scoring (smooth 'none') and test_case_degenerate_stats (floor).
  BleuOptions none;
  none.smooth = BleuSmooth::kNone;
  EXPECT_NEAR(compute_bleu({9, 7, 5, 3}, {10, 8, 6, 4}, 11, 11, none).score, 83.75922397, 1e-6);
  BleuOptions floor;
  floor.smooth = BleuSmooth::kFloor;
  floor.smooth_value = 0.0;
  EXPECT_EQ(compute_bleu({0, 0, 0, 0}, {4, 4, 2, 1}, 0, 1, floor).score, 0.0);
  EXPECT_EQ(compute_bleu({6, 5, 4, 0}, {6, 5, 4, 3}, 6, 6, floor).score, 0.0);
  floor.smooth_value = 0.01;
  EXPECT_EQ(compute_bleu({0, 0, 0, 0}, {0, 0, 0, 0}, 1, 5, floor).score, 0.0);
}

TEST(Bleu, SentenceLevelSmoothingAndTokenizers) {
  // test_sentence_bleu.py (issue #98 example; effective_order=True; |err| < 1e-3).
  // The Romanian text mixes ţ (U+0163) and ț (U+021B): they must stay different.
  const std::string ref = "producţia de zahăr brut se exprimă în zahăr alb;";
  const std::string sys =
      "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";
  struct Case {
    BleuSmooth smooth;
    double value;
    bool tok13a;
    double want;
  };
  const std::vector<Case> cases = {
      {BleuSmooth::kExp, -1, true, 8.493},     {BleuSmooth::kNone, -1, true, 0.0},
      {BleuSmooth::kFloor, -1, true, 4.51688}, {BleuSmooth::kFloor, 0.1, true, 4.51688},
      {BleuSmooth::kFloor, 0.5, true, 10.10},  {BleuSmooth::kAddK, -1, true, 14.882},
      {BleuSmooth::kAddK, 1, true, 14.882},    {BleuSmooth::kAddK, 2, true, 21.389},
      {BleuSmooth::kExp, -1, false, 7.347},
  };
  for (const Case& c : cases) {
    BleuOptions o;
    o.smooth = c.smooth;
    o.smooth_value = c.value;
    o.tokenize_13a = c.tok13a;
    o.effective_order = true;
    EXPECT_NEAR(sentence_bleu(sys, {ref}, o).score, c.want, 1e-3)
        << "smooth " << static_cast<int>(c.smooth) << " value " << c.value << " 13a " << c.tok13a;
  }
  // Issue #141: no match at all is 0 whatever the smoothing.
  for (BleuSmooth sm :
       {BleuSmooth::kExp, BleuSmooth::kNone, BleuSmooth::kFloor, BleuSmooth::kAddK}) {
    BleuOptions o;
    o.smooth = sm;
    o.effective_order = true;
    EXPECT_EQ(sentence_bleu("this is a cat", {"okay thanks"}, o).score, 0.0);
  }
}

TEST(Bleu, ClosestReferenceLengthTiesGoToShorter) {
  // Hypothesis of 3 tokens; references of 4 and 2 tokens are both 1 away: the
  // shorter (2) is used, so ref_len = 2 and BP = 1 (the longer would give
  // BP = exp(1 - 4/3)).
  const BleuScore b = corpus_bleu({"a b c"}, {{"a b c d"}, {"a b"}});
  EXPECT_EQ(b.ref_len, 2);
  EXPECT_EQ(b.bp, 1.0);
  // A closer reference wins over a shorter one.
  EXPECT_EQ(corpus_bleu({"a b c"}, {{"a"}, {"a b c d"}}).ref_len, 4);
}

TEST(Bleu, StreamLengthMismatchThrows) {
  const std::string msg = test::error_of([] { corpus_bleu(kHyps, {{"a", "b"}}); });
  EXPECT_NE(msg.find("has 2 segments, expected 3"), std::string::npos) << msg;
  EXPECT_NE(test::error_of([] { corpus_bleu(kHyps, {}); }).find("no reference"), std::string::npos);
}

// ---- chrF ----

TEST(Chrf, ReadmeCorpusDefault) {
  // README.md: chrF2 = 59.73 (two decimals published).
  const ChrfScore c = corpus_chrf(kHyps, kRefs);
  EXPECT_NEAR(c.score, 59.73, 0.005);
  EXPECT_EQ(c.format(), "chrF2 = 59.73");
}

TEST(Chrf, EpsSmoothingBeta3) {
  // test_chrf.py test_cases: char_order 6, beta 3, eps_smoothing=True, |err| < 1e-4.
  ChrfOptions o;
  o.beta = 3;
  o.eps_smoothing = true;
  struct Case {
    std::vector<std::string> hyp, ref;
    double want;
  };
  const std::vector<Case> cases = {
      {{"abcdefg"}, {"hijklmnop"}, 0.0},
      {{"a"}, {"b"}, 0.0},
      {{""}, {"b"}, 0.0},
      {{""}, {"ref"}, 0.0},
      {{""}, {"reference"}, 0.0},
      {{"aa"}, {"ab"}, 8.3333},
      {{"a", "b"}, {"a", "c"}, 8.3333},
      {{"a"}, {"a"}, 16.6667},
      {{"a b c"}, {"a b c"}, 50.0},
      {{"a b c"}, {"abc"}, 50.0},
      {{" risk assessment must be made of those who are qualified and expertise in the sector - "
        "these are the scientists ."},
       {"risk assessment has to be undertaken by those who are qualified and expert in that area "
        "- that is the scientists ."},
       63.361730},
      {{" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "},
       {"Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."},
       64.1302698},
      {{"Niemand hat die Absicht, eine Mauer zu errichten"},
       {"Niemand hat die Absicht, eine Mauer zu errichten"},
       100.0},
  };
  for (const Case& c : cases) {
    EXPECT_NEAR(corpus_chrf(c.hyp, {c.ref}, o).score, c.want, 1e-4) << c.hyp[0];
  }
}

TEST(Chrf, EffectiveOrderBeta3) {
  // test_chrf.py test_cases_effective_order: beta 3, eps_smoothing=False (the default mode).
  ChrfOptions o;
  o.beta = 3;
  struct Case {
    std::vector<std::string> hyp, ref;
    double want;
  };
  const std::vector<Case> cases = {
      {{"a"}, {"a"}, 100.0},       {{""}, {"reference"}, 0.0}, {{"a b c"}, {"a b c"}, 100.0},
      {{"a b c"}, {"abc"}, 100.0}, {{""}, {"c"}, 0.0},         {{"a", "b"}, {"a", "c"}, 50.0},
      {{"aa"}, {"ab"}, 25.0},
  };
  for (const Case& c : cases) {
    EXPECT_NEAR(corpus_chrf(c.hyp, {c.ref}, o).score, c.want, 1e-4) << c.hyp[0];
  }
}

TEST(Chrf, KeepWhitespaceBeta3) {
  // test_chrf.py test_cases_keep_whitespace (remove_whitespace=False), |err| < 1e-4.
  ChrfOptions o;
  o.beta = 3;
  o.keep_whitespace = true;
  EXPECT_NEAR(
      corpus_chrf({"Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."},
                  {{"Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade "
                    "freundschaftlich."}},
                  o)
          .score,
      67.3481606, 1e-4);
  EXPECT_NEAR(corpus_chrf({"risk assessment must be made of those who are qualified and expertise "
                           "in the sector - these are the scientists ."},
                          {{"risk assessment has to be undertaken by those who are qualified and "
                            "expert in that area - that is the scientists ."}},
                          o)
                  .score,
              65.2414427, 1e-4);
}

TEST(Chrf, SentenceLevelCzechCodePoints) {
  // test_chrf.py test_sentence_level_chrf: sentence_chrf(eps_smoothing=True), beta 2.
  // Code points, not bytes: á, í, ž, ř are one character each.
  ChrfOptions o;
  o.eps_smoothing = true;
  EXPECT_NEAR(sentence_chrf("Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo "
                            "zemře.",
                            {"Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít "
                             "a kdo zemře."},
                            o)
                  .score,
              39.14078509, 1e-4);
  EXPECT_NEAR(sentence_chrf("Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
                            {"A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali "
                             "lékaři."},
                            o)
                  .score,
              31.22557079, 1e-4);
  EXPECT_NEAR(sentence_chrf("Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
                            {"Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl "
                             "začít, připomněli."},
                            o)
                  .score,
              57.15704367, 1e-4);
}

TEST(Chrf, BestReferencePerSentence) {
  // With refs "xyz" then "abc" for hypothesis "abc", the second (perfect) one
  // must be used: 100. Summing both references' statistics would give less.
  EXPECT_NEAR(corpus_chrf({"abc"}, {{"xyz"}, {"abc"}}).score, 100.0, 1e-9);
  EXPECT_NEAR(corpus_chrf({"abc"}, {{"abc"}, {"xyz"}}).score, 100.0, 1e-9);
}

// ---- WER / PER ----

// Phoneme-style G2P lines; stream 2 has no reference for lines 1 and 4.
const std::vector<std::string> kG2pHyps = {"k ae t", "d o g", "b ɜː d", "  f ɪ   ʃ "};
const Streams kG2pRefs = {{"k ae t", "d ɒ g", "b ɜː d", "f ɪ ʃ"}, {"", "d ɔ g", "b ɝ d", "   "}};

TEST(ErrorRate, EditDistance) {
  const auto t = [](const char* s) { return split_whitespace(s); };
  EXPECT_EQ(token_edit_distance(t("k i t t e n"), t("s i t t i n g")), 3);
  EXPECT_EQ(token_edit_distance(t(""), t("a b")), 2);
  EXPECT_EQ(token_edit_distance(t("a b"), t("")), 2);
  EXPECT_EQ(token_edit_distance(t("a b c"), t("a b c")), 0);
  EXPECT_EQ(token_edit_distance(t("a b c d"), t("b c d a")), 2);
}

TEST(ErrorRate, SequenceErrorRateMatchesAnyReference) {
  // Line 2 "d o g" equals neither reference; lines 1, 3 (via stream 1) and 4
  // (extra spaces ignored) match: 1 error in 4 sentences.
  const ErrorRate e = sequence_error_rate(kG2pHyps, kG2pRefs);
  EXPECT_EQ(e.errors, 1);
  EXPECT_EQ(e.total, 4);
  EXPECT_DOUBLE_EQ(e.score, 25.0);
}

TEST(ErrorRate, TokenErrorRatePooledOverClosestReference) {
  // Distances 0, 1, 0, 0 over reference lengths 3, 3, 3, 3 -> 1 / 12.
  const ErrorRate e = token_error_rate(kG2pHyps, kG2pRefs);
  EXPECT_EQ(e.errors, 1);
  EXPECT_EQ(e.total, 12);
  EXPECT_DOUBLE_EQ(e.score, 100.0 / 12.0);

  // Line 1: refs "a b" and "a b c d" are both 1 edit away -> the shorter (2).
  // Line 2: "x y z w v" is 5 edits away, "a b c" 1 -> the closer (length 3).
  // Pooled: (1 + 1) / (2 + 3) = 40%, not the mean of 1/2 and 1/3 (41.67%).
  const ErrorRate p =
      token_error_rate({"a b c", "a b c d"}, {{"a b c d", "a b c"}, {"a b", "x y z w v"}});
  EXPECT_EQ(p.errors, 2);
  EXPECT_EQ(p.total, 5);
  EXPECT_DOUBLE_EQ(p.score, 40.0);
}

TEST(ErrorRate, LineWithoutAnyReferenceThrows) {
  const std::string msg = test::error_of([] {
    token_error_rate({"a", "b"}, {{"a", ""}, {"a", "  "}});
  });
  EXPECT_NE(msg.find("line 2 has no reference"), std::string::npos) << msg;
  EXPECT_NE(test::error_of([] {
              sequence_error_rate({"a", "b"}, {{"a"}});
            }).find("has 1 lines"),
            std::string::npos);
}

}  // namespace
}  // namespace attn

// translate() (generate/beam_search.h): greedy against a naive loop that re-decodes the
// whole prefix each step; beam search against brute-force enumeration of every sequence
// on a tiny model (alpha 0 and 1), a case where greedy is not optimal but beam 4 is;
// batching and input order; nbest ordering; each bad option.
#include "attn/generate/beam_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "test_util.h"

namespace attn::test {
namespace {

using generate::Hypothesis;
using generate::TranslateOptions;

// Target ids 0..3 are tokens, 4 is EOS and also the decoder's start token.
constexpr std::int32_t kEos = 4;

models::Seq2SeqConfig tiny_config() {
  models::Seq2SeqConfig c;
  c.source_vocab_size = 7;
  c.target_vocab_size = 5;
  c.max_len = 5;  // so at most 4 tokens + EOS
  c.d_model = 8;
  c.num_heads = 2;
  c.encoder_layers = 1;
  c.decoder_layers = 1;
  c.d_ff = 16;
  c.dropout = 0.0f;
  return c;
}

models::Seq2SeqConfig small_config(bool norm_first) {
  models::Seq2SeqConfig c;
  c.source_vocab_size = 11;
  c.target_vocab_size = 13;
  c.max_len = 12;
  c.d_model = 16;
  c.num_heads = 2;
  c.encoder_layers = 2;
  c.decoder_layers = 2;
  c.d_ff = 24;
  c.dropout = 0.1f;  // must be inactive at inference
  c.norm_first = norm_first;
  return c;
}

TranslateOptions options(int beam, float alpha, std::int32_t eos) {
  TranslateOptions o;
  o.beam = beam;
  o.length_penalty = alpha;
  o.bos_id = eos;
  o.eos_id = eos;
  return o;
}

double penalty(float alpha, std::size_t tokens) {
  return std::pow((5.0 + static_cast<double>(tokens + 1)) / 6.0, static_cast<double>(alpha));
}

// One source, decoded without any cache: encode it alone, decode bos + prefix, and take the
// log-softmax of the last position.
struct Naive {
  const models::Seq2Seq& m;
  Tensor memory;
  std::int32_t bos;

  Naive(const models::Seq2Seq& model, const std::vector<std::int32_t>& src, std::int32_t b)
      : m(model), bos(b) {
    Context ctx;
    memory = m.encode(ctx, src, 1, static_cast<std::int64_t>(src.size()), Tensor()).value();
  }

  std::vector<double> next(const std::vector<std::int32_t>& prefix) const {
    std::vector<std::int32_t> ids = {bos};
    ids.insert(ids.end(), prefix.begin(), prefix.end());
    Context ctx;
    const auto t = static_cast<std::int64_t>(ids.size());
    Tensor logits = m.decode(ctx, Variable(memory), Tensor(), ids, t).value();
    const std::int64_t v = logits.dim(2);
    const float* row = logits.data() + (t - 1) * v;
    double mx = row[0], sum = 0.0;
    for (std::int64_t i = 1; i < v; ++i) mx = std::max(mx, static_cast<double>(row[i]));
    for (std::int64_t i = 0; i < v; ++i) sum += std::exp(row[i] - mx);
    std::vector<double> out(static_cast<std::size_t>(v));
    for (std::int64_t i = 0; i < v; ++i) out[i] = row[i] - mx - std::log(sum);
    return out;
  }
};

// Greedy by re-decoding the whole prefix at every step, the same forced-EOS rule.
Hypothesis naive_greedy(const Naive& n, std::int32_t eos, std::int64_t max_tokens, float alpha) {
  Hypothesis h;
  double lp = 0.0;
  while (true) {
    const std::vector<double> p = n.next(h.tokens);
    auto tok = static_cast<std::int32_t>(std::max_element(p.begin(), p.end()) - p.begin());
    if (static_cast<std::int64_t>(h.tokens.size()) == max_tokens) tok = eos;
    lp += p[static_cast<std::size_t>(tok)];
    if (tok == eos) break;
    h.tokens.push_back(tok);
  }
  h.log_prob = static_cast<float>(lp);
  h.score = static_cast<float>(lp / penalty(alpha, h.tokens.size()));
  return h;
}

// Every sequence of up to max_tokens non-EOS tokens followed by EOS, best score first.
void enumerate(const Naive& n, std::int32_t eos, std::int64_t max_tokens, float alpha,
               std::vector<std::int32_t>& prefix, double lp, std::vector<Hypothesis>& out) {
  const std::vector<double> p = n.next(prefix);
  const double fin = lp + p[static_cast<std::size_t>(eos)];
  out.push_back(
      {prefix, static_cast<float>(fin / penalty(alpha, prefix.size())), static_cast<float>(fin)});
  if (static_cast<std::int64_t>(prefix.size()) == max_tokens) return;
  for (std::int32_t t = 0; t < static_cast<std::int32_t>(p.size()); ++t) {
    if (t == eos) continue;
    prefix.push_back(t);
    enumerate(n, eos, max_tokens, alpha, prefix, lp + p[static_cast<std::size_t>(t)], out);
    prefix.pop_back();
  }
}

std::vector<Hypothesis> brute_force(const Naive& n, std::int32_t eos, std::int64_t max_tokens,
                                    float alpha) {
  std::vector<Hypothesis> all;
  std::vector<std::int32_t> prefix;
  enumerate(n, eos, max_tokens, alpha, prefix, 0.0, all);
  std::stable_sort(all.begin(), all.end(),
                   [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
  return all;
}

void expect_same(const Hypothesis& got, const Hypothesis& want, const std::string& what) {
  EXPECT_EQ(got.tokens, want.tokens) << what;
  EXPECT_NEAR(got.log_prob, want.log_prob, 1e-4 * std::max(1.0f, std::fabs(want.log_prob))) << what;
  EXPECT_NEAR(got.score, want.score, 1e-4 * std::max(1.0f, std::fabs(want.score))) << what;
}

const std::vector<std::vector<std::int32_t>> kTinySources = {{1, 5, 2}, {6}, {3, 3, 0, 4, 1}};

// A beam wide enough to keep every prefix (4^4) makes the search exhaustive: its nbest
// must be the brute force's best five, in order.
void check_exhaustive(float alpha) {
  models::Seq2Seq m(tiny_config(), 11);
  TranslateOptions o = options(256, alpha, kEos);
  o.max_len_a = 0.0f;
  o.max_len_b = 4.0f;
  o.nbest = 5;
  const auto got = generate::translate(m, kTinySources, o);
  ASSERT_EQ(got.size(), kTinySources.size());
  for (std::size_t i = 0; i < kTinySources.size(); ++i) {
    const auto want = brute_force(Naive(m, kTinySources[i], kEos), kEos, 4, alpha);
    ASSERT_EQ(want.size(), 341u);  // 1 + 4 + 16 + 64 + 256
    ASSERT_EQ(got[i].size(), 5u) << "source " << i;
    for (std::size_t j = 0; j < 5; ++j)
      expect_same(got[i][j], want[j], "source " + std::to_string(i) + " rank " + std::to_string(j));
  }
}

TEST(BeamSearch, ExhaustiveBeamFindsBestAlpha0) { check_exhaustive(0.0f); }
TEST(BeamSearch, ExhaustiveBeamFindsBestAlpha1) { check_exhaustive(1.0f); }

// Seed found by searching: greedy's sequence scores below the best, beam 4 finds the best.
TEST(BeamSearch, BeamFourBeatsGreedy) {
  constexpr std::uint64_t kSeed = 101;  // the best has 2 tokens
  const std::vector<std::int32_t> src = {2, 6, 1};
  models::Seq2Seq m(tiny_config(), kSeed);
  TranslateOptions o = options(1, 1.0f, kEos);
  o.max_len_a = 0.0f;
  o.max_len_b = 4.0f;
  const auto best = brute_force(Naive(m, src, kEos), kEos, 4, 1.0f)[0];
  const Hypothesis greedy = generate::translate(m, {src}, o)[0][0];
  EXPECT_LT(greedy.score, best.score - 1e-3f);
  o.beam = 4;
  expect_same(generate::translate(m, {src}, o)[0][0], best, "beam 4");
}

std::vector<std::vector<std::int32_t>> small_sources() {
  return {{3, 1, 4, 1, 5, 9}, {2}, {6, 5, 3}, {10, 0, 7, 7}, {8, 8}, {1, 2, 3, 4, 5}, {9}};
}

void check_greedy(bool norm_first, float alpha) {
  models::Seq2Seq m(small_config(norm_first), 5);
  TranslateOptions o = options(1, alpha, 12);
  o.bos_id = 0;
  o.max_len_a = 1.0f;
  o.max_len_b = 3.0f;
  const auto src = small_sources();
  const auto got = generate::translate(m, src, o);
  for (std::size_t i = 0; i < src.size(); ++i) {
    ASSERT_EQ(got[i].size(), 1u);
    const std::int64_t max_tokens = generate::max_target_tokens(o, m, src[i].size());
    EXPECT_EQ(max_tokens, std::min<std::int64_t>(src[i].size() + 3, 11));
    expect_same(got[i][0], naive_greedy(Naive(m, src[i], 0), 12, max_tokens, alpha),
                "source " + std::to_string(i));
  }
}

TEST(BeamSearch, GreedyMatchesNaiveLoopPostNorm) { check_greedy(false, 1.0f); }
TEST(BeamSearch, GreedyMatchesNaiveLoopPreNorm) { check_greedy(true, 0.0f); }

TEST(BeamSearch, BatchingKeepsInputOrderAndResults) {
  models::Seq2Seq m(small_config(true), 13);
  TranslateOptions o = options(3, 0.6f, 12);
  o.nbest = 3;
  const auto src = small_sources();
  const auto all = generate::translate(m, src, o);
  o.batch_size = 2;
  const auto pairs = generate::translate(m, src, o);
  ASSERT_EQ(all.size(), src.size());
  ASSERT_EQ(pairs.size(), src.size());
  for (std::size_t i = 0; i < src.size(); ++i) {
    const auto alone = generate::translate(m, {src[i]}, o);
    ASSERT_EQ(alone[0].size(), all[i].size()) << "source " << i;
    ASSERT_EQ(pairs[i].size(), all[i].size()) << "source " << i;
    for (std::size_t j = 0; j < all[i].size(); ++j) {
      expect_same(all[i][j], alone[0][j], "batch vs alone, source " + std::to_string(i));
      expect_same(pairs[i][j], alone[0][j], "pairs vs alone, source " + std::to_string(i));
    }
  }
}

TEST(BeamSearch, NbestIsSortedAndDistinct) {
  models::Seq2Seq m(small_config(false), 17);
  TranslateOptions o = options(6, 1.0f, 12);
  o.nbest = 4;
  const auto got = generate::translate(m, small_sources(), o);
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].size(), 4u) << "source " << i;
    for (std::size_t j = 0; j < got[i].size(); ++j) {
      const Hypothesis& h = got[i][j];
      EXPECT_NEAR(h.score, h.log_prob / penalty(1.0f, h.tokens.size()),
                  1e-5 * std::max(1.0f, std::fabs(h.score)));
      EXPECT_EQ(std::count(h.tokens.begin(), h.tokens.end(), 12), 0);
      if (j == 0) continue;
      EXPECT_GE(got[i][j - 1].score, h.score) << "source " << i << " rank " << j;
      for (std::size_t k = 0; k < j; ++k) EXPECT_NE(got[i][k].tokens, h.tokens);
    }
  }
}

// never_emit ids are never chosen, greedy or beam, and renormalising over the other ids
// keeps the exhaustive search exact: its best is the brute-force best without them.
TEST(BeamSearch, NeverEmitIdsAreNeverChosen) {
  models::Seq2Seq m(small_config(false), 17);
  // The tokens the unconstrained 4-best lists start with (an untrained model often prefers
  // EOS at once, so the lower ranks supply them) are forbidden.
  TranslateOptions free = options(6, 1.0f, 12);
  free.nbest = 4;
  std::vector<std::int32_t> banned;
  for (const auto& hyps : generate::translate(m, small_sources(), free))
    for (const auto& h : hyps)
      if (!h.tokens.empty()) banned.push_back(h.tokens[0]);
  std::sort(banned.begin(), banned.end());
  banned.erase(std::unique(banned.begin(), banned.end()), banned.end());
  ASSERT_FALSE(banned.empty());
  for (int beam : {1, 6}) {
    TranslateOptions o = options(beam, 1.0f, 12);
    o.nbest = beam == 1 ? 1 : 4;
    o.never_emit = banned;
    for (const auto& hyps : generate::translate(m, small_sources(), o))
      for (const auto& h : hyps)
        for (std::int32_t t : h.tokens)
          EXPECT_EQ(std::count(banned.begin(), banned.end(), t), 0)
              << "beam " << beam << " emitted " << t;
  }
}

// ---- bad options and inputs, one per test ----

struct BeamSearchBad : ::testing::Test {
  models::Seq2Seq m{tiny_config(), 1};
  TranslateOptions o = options(2, 1.0f, kEos);
  std::vector<std::vector<std::int32_t>> src = {{1, 2}, {3}};
  std::string error() {
    return error_of([&] { generate::translate(m, src, o); });
  }
};

void expect_has(const std::string& msg, const std::string& part) {
  EXPECT_NE(msg.find(part), std::string::npos) << msg;
}

TEST_F(BeamSearchBad, BeamZero) {
  o.beam = 0;
  expect_has(error(), "beam must be >= 1, got 0");
}
TEST_F(BeamSearchBad, NbestZero) {
  o.nbest = 0;
  expect_has(error(), "nbest must be in [1, beam = 2], got 0");
}
TEST_F(BeamSearchBad, NbestOverBeam) {
  o.nbest = 3;
  expect_has(error(), "nbest must be in [1, beam = 2], got 3");
}
TEST_F(BeamSearchBad, NegativeLengthPenalty) {
  o.length_penalty = -0.5f;
  expect_has(error(), "length_penalty");
}
TEST_F(BeamSearchBad, NegativeMaxLenA) {
  o.max_len_a = -1.0f;
  expect_has(error(), "max_len_a");
}
TEST_F(BeamSearchBad, NegativeMaxLenB) {
  o.max_len_b = -1.0f;
  expect_has(error(), "max_len_b");
}
TEST_F(BeamSearchBad, BatchSizeZero) {
  o.batch_size = 0;
  expect_has(error(), "batch_size must be >= 1, got 0");
}
TEST_F(BeamSearchBad, EosOutsideVocabulary) {
  o.eos_id = 5;
  expect_has(error(), "eos id 5");
}
TEST_F(BeamSearchBad, BosOutsideVocabulary) {
  o.bos_id = -1;
  expect_has(error(), "bos id -1");
}
TEST_F(BeamSearchBad, EmptySource) {
  src.push_back({});
  expect_has(error(), "source 2 is empty");
}
TEST_F(BeamSearchBad, SourceLongerThanMaxLen) {
  src.insert(src.begin(), {1, 1, 1, 1, 1, 1});
  expect_has(error(), "source 0 has 6 tokens, more than model.max_len 5");
}
TEST_F(BeamSearchBad, SourceIdOutsideVocabulary) {
  src[1] = {3, 7};
  expect_has(error(), "source 1 token 1 has id 7");
}

TEST_F(BeamSearchBad, NeverEmitEos) {
  o.never_emit = {kEos};
  expect_has(error(), "never_emit id 4");
}

TEST_F(BeamSearchBad, NeverEmitOutsideVocabulary) {
  o.never_emit = {5};
  expect_has(error(), "never_emit id 5");
}

}  // namespace
}  // namespace attn::test

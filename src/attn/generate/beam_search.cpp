#include "attn/generate/beam_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "attn/core/error.h"
#include "attn/models/seq2seq_step.h"

namespace attn::generate {

void validate(const TranslateOptions& opt, const models::Seq2Seq& model) {
  ATTN_CHECK(opt.beam >= 1, "translate: beam must be >= 1, got {}", opt.beam);
  ATTN_CHECK(opt.nbest >= 1 && opt.nbest <= opt.beam,
             "translate: nbest must be in [1, beam = {}], got {}", opt.beam, opt.nbest);
  ATTN_CHECK(std::isfinite(opt.length_penalty) && opt.length_penalty >= 0.0f,
             "translate: length_penalty must be a number >= 0, got {}", opt.length_penalty);
  ATTN_CHECK(std::isfinite(opt.max_len_a) && opt.max_len_a >= 0.0f,
             "translate: max_len_a must be a number >= 0, got {}", opt.max_len_a);
  ATTN_CHECK(std::isfinite(opt.max_len_b) && opt.max_len_b >= 0.0f,
             "translate: max_len_b must be a number >= 0, got {}", opt.max_len_b);
  ATTN_CHECK(opt.batch_size >= 1, "translate: batch_size must be >= 1, got {}", opt.batch_size);
  const std::int64_t v = model.config().target_vocab_size;
  ATTN_CHECK(opt.bos_id >= 0 && opt.bos_id < v,
             "translate: bos id {} is outside the target vocabulary [0, {})", opt.bos_id, v);
  ATTN_CHECK(opt.eos_id >= 0 && opt.eos_id < v,
             "translate: eos id {} is outside the target vocabulary [0, {})", opt.eos_id, v);
  for (std::int32_t id : opt.never_emit)
    ATTN_CHECK(id >= 0 && id < v && id != opt.eos_id,
               "translate: never_emit id {} must be in the target vocabulary [0, {}) and not eos "
               "{}",
               id, v, opt.eos_id);
}

std::int64_t max_target_tokens(const TranslateOptions& opt, const models::Seq2Seq& model,
                               std::int64_t src_len) {
  const double want = std::floor(static_cast<double>(opt.max_len_a) * static_cast<double>(src_len) +
                                 static_cast<double>(opt.max_len_b));
  const double cap = static_cast<double>(model.config().max_len - 1);
  return static_cast<std::int64_t>(std::clamp(want, 0.0, cap));
}

namespace {

double length_penalty(float alpha, std::size_t tokens) {
  if (alpha == 0.0f) return 1.0;
  // |Y| counts the EOS.
  return std::pow((5.0 + static_cast<double>(tokens + 1)) / 6.0, static_cast<double>(alpha));
}

// x [n] -> log Σ exp(x), so that log_softmax(x)_i = x_i - log_sum_exp(x).
double log_sum_exp(const float* x, std::int64_t n) {
  float m = x[0];
  for (std::int64_t i = 1; i < n; ++i) m = std::max(m, x[i]);
  double sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[i] - m));
  return static_cast<double>(m) + std::log(sum);
}

// logits [R, V]: the ids in `ids` get -inf in every row (they can never be chosen).
void forbid(Tensor& logits, const std::vector<std::int32_t>& ids) {
  if (ids.empty()) return;
  const std::int64_t rows = logits.dim(0), v = logits.dim(1);
  float* d = logits.data();
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int32_t id : ids) d[r * v + id] = -std::numeric_limits<float>::infinity();
}

// One batch of sentences, encoded.
struct Batch {
  Tensor memory;                         // [B, S, C]
  Tensor valid;                          // u8 [B, S]
  std::vector<std::int64_t> max_tokens;  // [B]
  std::int64_t capacity = 1;             // the most tokens any row is fed (bos included)
};

std::vector<std::vector<Hypothesis>> greedy(const models::Seq2Seq& model, const Batch& b,
                                            const TranslateOptions& opt) {
  const std::size_t n = b.max_tokens.size();
  const std::int64_t v = model.config().target_vocab_size;
  models::Seq2SeqState st = models::start(model, b.memory, b.valid, b.capacity);
  std::vector<std::vector<std::int32_t>> tokens(n);
  std::vector<double> log_prob(n, 0.0);
  std::vector<std::vector<Hypothesis>> out(n);
  std::vector<std::int64_t> row_sentence(n);  // rows hold the unfinished sentences
  std::iota(row_sentence.begin(), row_sentence.end(), 0);
  std::vector<std::int32_t> last(n, opt.bos_id);
  std::vector<std::int64_t> keep;
  std::vector<std::int32_t> next_last;
  while (!row_sentence.empty()) {
    Tensor logits = models::step(model, st, last);  // [R, V]
    forbid(logits, opt.never_emit);
    keep.clear();
    next_last.clear();
    for (std::size_t r = 0; r < row_sentence.size(); ++r) {
      const auto s = static_cast<std::size_t>(row_sentence[r]);
      const float* row = logits.data() + static_cast<std::int64_t>(r) * v;
      std::int32_t tok = opt.eos_id;  // forced once the sentence is at its maximum
      if (static_cast<std::int64_t>(tokens[s].size()) < b.max_tokens[s])
        tok = static_cast<std::int32_t>(std::max_element(row, row + v) - row);  // first max
      log_prob[s] += static_cast<double>(row[tok]) - log_sum_exp(row, v);
      if (tok == opt.eos_id) {
        const double score = log_prob[s] / length_penalty(opt.length_penalty, tokens[s].size());
        out[s].push_back(
            {std::move(tokens[s]), static_cast<float>(score), static_cast<float>(log_prob[s])});
      } else {
        tokens[s].push_back(tok);
        keep.push_back(static_cast<std::int64_t>(r));
        next_last.push_back(tok);
      }
    }
    if (keep.empty()) break;
    models::reorder(st, keep);
    for (std::size_t i = 0; i < keep.size(); ++i)
      keep[i] = row_sentence[static_cast<std::size_t>(keep[i])];
    row_sentence.swap(keep);
    last.swap(next_last);
  }
  return out;
}

struct Live {
  std::vector<std::int32_t> tokens;
  double log_prob = 0.0;
};

struct Sentence {
  std::vector<Live> live;              // its rows, in order, best first
  std::vector<Hypothesis> finished;    // best first, at most nbest
  std::vector<double> finished_score;  // the same scores in double, for the stopping rule
};

// Offers a finished hypothesis; kept when it ranks among the nbest (ties: earlier first).
void offer(Sentence& s, const std::vector<std::int32_t>& tokens, double log_prob, double score,
           std::size_t nbest) {
  const auto pos =
      static_cast<std::size_t>(std::upper_bound(s.finished_score.begin(), s.finished_score.end(),
                                                score, [](double a, double b) { return a > b; }) -
                               s.finished_score.begin());
  if (pos >= nbest) return;
  s.finished_score.insert(s.finished_score.begin() + static_cast<std::ptrdiff_t>(pos), score);
  s.finished.insert(s.finished.begin() + static_cast<std::ptrdiff_t>(pos),
                    Hypothesis{tokens, static_cast<float>(score), static_cast<float>(log_prob)});
  if (s.finished.size() > nbest) {
    s.finished.pop_back();
    s.finished_score.pop_back();
  }
}

struct Candidate {
  double log_prob;
  std::int64_t row;  // within the sentence
  std::int32_t token;
};

// Candidate order: higher log-probability, then lower row (the better parent), then lower id.
bool better(const Candidate& a, const Candidate& b) {
  if (a.log_prob != b.log_prob) return a.log_prob > b.log_prob;
  if (a.row != b.row) return a.row < b.row;
  return a.token < b.token;
}

// row [V] -> appends to out this row's k best non-EOS tokens (a row cannot contribute more
// than k to the sentence's k best). Scanning ids upward with a strict comparison keeps the
// lower id first among equal logits.
void row_top_k(const float* row, std::int64_t v, std::int32_t eos, std::size_t k, double base,
               std::int64_t row_index, std::vector<Candidate>& top, std::vector<Candidate>& out) {
  top.clear();
  for (std::int64_t t = 0; t < v; ++t) {
    if (t == eos) continue;
    if (top.size() == k && row[t] <= static_cast<float>(top.back().log_prob)) continue;
    Candidate c{row[t], row_index, static_cast<std::int32_t>(t)};
    auto it = std::upper_bound(
        top.begin(), top.end(), c,
        [](const Candidate& a, const Candidate& b) { return a.log_prob > b.log_prob; });
    top.insert(it, c);
    if (top.size() > k) top.pop_back();
  }
  for (Candidate c : top) {
    c.log_prob = base + c.log_prob;
    out.push_back(c);
  }
}

std::vector<std::vector<Hypothesis>> beam(const models::Seq2Seq& model, const Batch& b,
                                          const TranslateOptions& opt) {
  const std::size_t n = b.max_tokens.size();
  const auto k = static_cast<std::size_t>(opt.beam);
  const auto nbest = static_cast<std::size_t>(opt.nbest);
  const std::int64_t v = model.config().target_vocab_size;
  models::Seq2SeqState st = models::start(model, b.memory, b.valid, b.capacity);
  std::vector<Sentence> sent(n);
  for (auto& s : sent) s.live.resize(1);  // the empty prefix; rows expand after step 1
  std::vector<std::size_t> active(n);     // sentences with rows, in row order
  std::iota(active.begin(), active.end(), std::size_t{0});
  std::vector<std::int32_t> last(n, opt.bos_id), next_last;
  std::vector<std::int64_t> parents;
  std::vector<std::size_t> next_active;
  std::vector<Candidate> cands, top;
  std::vector<Live> next_live;

  while (!active.empty()) {
    Tensor logits = models::step(model, st, last);  // [R, V]
    forbid(logits, opt.never_emit);
    parents.clear();
    next_last.clear();
    next_active.clear();
    std::int64_t r0 = 0;  // the sentence's first row
    for (std::size_t si : active) {
      Sentence& s = sent[si];
      const auto rows = static_cast<std::int64_t>(s.live.size());
      const std::size_t len = s.live[0].tokens.size();  // all live rows have this length
      const bool at_max = static_cast<std::int64_t>(len) >= b.max_tokens[si];
      const double lp_now = length_penalty(opt.length_penalty, len);
      cands.clear();
      for (std::int64_t i = 0; i < rows; ++i) {
        const float* row = logits.data() + (r0 + i) * v;
        const double base = s.live[i].log_prob - log_sum_exp(row, v);
        const double fin = base + static_cast<double>(row[opt.eos_id]);
        offer(s, s.live[i].tokens, fin, fin / lp_now, nbest);
        if (!at_max) row_top_k(row, v, opt.eos_id, k, base, i, top, cands);
      }
      const std::size_t keep = std::min(k, cands.size());
      std::partial_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(keep),
                        cands.end(), better);
      bool done = keep == 0;
      if (!done && s.finished.size() >= nbest) {
        // The best live hypothesis can at most keep its log-probability, at the longest
        // length (alpha > 0) where the penalty divides it most.
        const double lp_max =
            length_penalty(opt.length_penalty, static_cast<std::size_t>(b.max_tokens[si]));
        done = cands[0].log_prob / lp_max <= s.finished_score.back();
      }
      if (!done) {
        next_live.clear();
        for (std::size_t j = 0; j < keep; ++j) {
          const Candidate& c = cands[j];
          Live h{s.live[static_cast<std::size_t>(c.row)].tokens, c.log_prob};
          h.tokens.push_back(c.token);
          next_live.push_back(std::move(h));
          parents.push_back(r0 + c.row);
          next_last.push_back(c.token);
        }
        s.live.swap(next_live);
        next_active.push_back(si);
      }
      r0 += rows;
    }
    if (parents.empty()) break;
    models::reorder(st, parents);
    last.swap(next_last);
    active.swap(next_active);
  }
  std::vector<std::vector<Hypothesis>> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = std::move(sent[i].finished);
  return out;
}

}  // namespace

std::vector<std::vector<Hypothesis>> translate(
    const models::Seq2Seq& model, const std::vector<std::vector<std::int32_t>>& sources,
    const TranslateOptions& opt) {
  validate(opt, model);
  const models::Seq2SeqConfig& cfg = model.config();
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const auto len = static_cast<std::int64_t>(sources[i].size());
    ATTN_CHECK(len >= 1, "translate: source {} is empty", i);
    ATTN_CHECK(len <= cfg.max_len, "translate: source {} has {} tokens, more than model.max_len {}",
               i, len, cfg.max_len);
    for (std::size_t j = 0; j < sources[i].size(); ++j)
      ATTN_CHECK(sources[i][j] >= 0 && sources[i][j] < cfg.source_vocab_size,
                 "translate: source {} token {} has id {}, outside the source vocabulary [0, {})",
                 i, j, sources[i][j], cfg.source_vocab_size);
  }
  // Longest first, so each batch pads little; stable, so equal lengths keep input order.
  std::vector<std::size_t> order(sources.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return sources[a].size() > sources[b].size();
  });

  std::vector<std::vector<Hypothesis>> out(sources.size());
  Context ctx;  // no tape, not training
  const auto bs = static_cast<std::size_t>(opt.batch_size);
  for (std::size_t first = 0; first < order.size(); first += bs) {
    const std::size_t count = std::min(bs, order.size() - first);
    const auto s_len = static_cast<std::int64_t>(sources[order[first]].size());  // the longest
    const auto batch = static_cast<std::int64_t>(count);
    std::vector<std::int32_t> ids(count * static_cast<std::size_t>(s_len), 0);
    Batch b;
    b.valid = Tensor::zeros({batch, s_len}, DType::u8);
    auto* valid = b.valid.data_as<std::uint8_t>();
    for (std::size_t i = 0; i < count; ++i) {
      const auto& src = sources[order[first + i]];
      std::copy(src.begin(), src.end(), ids.begin() + static_cast<std::ptrdiff_t>(i) * s_len);
      std::fill(
          valid + static_cast<std::int64_t>(i) * s_len,
          valid + static_cast<std::int64_t>(i) * s_len + static_cast<std::int64_t>(src.size()),
          std::uint8_t{1});
      b.max_tokens.push_back(max_target_tokens(opt, model, static_cast<std::int64_t>(src.size())));
      b.capacity = std::max(b.capacity, b.max_tokens.back() + 1);
    }
    b.memory = model.encode(ctx, ids, batch, s_len, b.valid).value();
    auto hyps = opt.beam == 1 ? greedy(model, b, opt) : beam(model, b, opt);
    for (std::size_t i = 0; i < count; ++i) out[order[first + i]] = std::move(hyps[i]);
  }
  return out;
}

}  // namespace attn::generate

#include "attn/eval/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "attn/core/error.h"

namespace attn {
namespace {

void check_binary_inputs(const char* fn, std::size_t n_scores, const std::vector<int>& label) {
  ATTN_CHECK(n_scores == label.size(), "{}: {} predictions but {} labels", fn, n_scores,
             label.size());
  for (std::size_t i = 0; i < label.size(); ++i) {
    ATTN_CHECK(label[i] == 0 || label[i] == 1, "{}: label[{}] = {}, expected 0 or 1", fn, i,
               label[i]);
  }
}

double ratio(std::int64_t num, std::int64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

template <typename T>
double mean_of(const std::vector<T>& v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  double s = 0;
  for (T x : v) s += static_cast<double>(x);
  return s / static_cast<double>(v.size());
}

}  // namespace

BinaryMetrics binary_metrics(const std::vector<float>& prob_positive, const std::vector<int>& label,
                             float threshold) {
  check_binary_inputs("binary_metrics", prob_positive.size(), label);
  BinaryMetrics m;
  for (std::size_t i = 0; i < label.size(); ++i) {
    const bool pred = prob_positive[i] >= threshold;
    const bool pos = label[i] == 1;
    if (pred && pos) ++m.tp;
    if (pred && !pos) ++m.fp;
    if (!pred && !pos) ++m.tn;
    if (!pred && pos) ++m.fn;
  }
  m.n = static_cast<std::int64_t>(label.size());
  m.accuracy = ratio(m.tp + m.tn, m.n);
  m.precision = ratio(m.tp, m.tp + m.fp);
  m.recall = ratio(m.tp, m.tp + m.fn);
  // sklearn's F1 is 2tp / (2tp + fp + fn), 0 when that denominator is 0.
  m.f1 = ratio(2 * m.tp, 2 * m.tp + m.fp + m.fn);
  return m;
}

double roc_auc(const std::vector<float>& score, const std::vector<int>& label) {
  check_binary_inputs("roc_auc", score.size(), label);
  const std::size_t n = score.size();
  for (std::size_t i = 0; i < n; ++i) {
    ATTN_CHECK(!std::isnan(score[i]), "roc_auc: score[{}] is NaN", i);
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  // AUC = (sum of positive ranks - P(P+1)/2) / (P * N), ranks 1-based and averaged over ties.
  double pos_rank_sum = 0;
  std::int64_t n_pos = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && score[order[j]] == score[order[i]]) ++j;
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k) {
      if (label[order[k]] == 1) {
        pos_rank_sum += avg_rank;
        ++n_pos;
      }
    }
    i = j;
  }
  const auto n_neg = static_cast<std::int64_t>(n) - n_pos;
  if (n_pos == 0 || n_neg == 0) return std::numeric_limits<double>::quiet_NaN();
  const double p = static_cast<double>(n_pos);
  return (pos_rank_sum - p * (p + 1) / 2) / (p * static_cast<double>(n_neg));
}

// logits [N,C], label [N] -> accuracy
double accuracy(const std::vector<float>& logits, std::int64_t num_classes,
                const std::vector<int>& label) {
  ATTN_CHECK(num_classes > 0, "accuracy: num_classes must be > 0, got {}", num_classes);
  const auto c = static_cast<std::size_t>(num_classes);
  ATTN_CHECK(logits.size() == label.size() * c,
             "accuracy: logits have {} values, expected {} labels x {} classes = {}", logits.size(),
             label.size(), c, label.size() * c);
  if (label.empty()) return 0.0;
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < label.size(); ++i) {
    ATTN_CHECK(label[i] >= 0 && label[i] < num_classes,
               "accuracy: label[{}] = {}, expected [0, {})", i, label[i], num_classes);
    const float* row = logits.data() + i * c;
    const auto arg = static_cast<int>(std::max_element(row, row + c) - row);
    if (arg == label[i]) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(label.size());
}

double mean(const std::vector<float>& values) { return mean_of(values); }
double mean(const std::vector<double>& values) { return mean_of(values); }

std::string format_metrics_table(const BinaryMetrics& m, double loss) {
  std::string out;
  auto row = [&](const char* name, double v) {
    out += fmt::format("  {:<10} {:>9.4f}\n", name, v);
  };
  out += fmt::format("  {:<10} {:>9}\n", "metric", "value");
  row("loss", loss);
  row("accuracy", m.accuracy);
  row("precision", m.precision);
  row("recall", m.recall);
  row("f1", m.f1);
  out += fmt::format("  {:<10} {:>9}\n", "examples", m.n);
  // Confusion matrix, rows = actual, columns = predicted (sklearn's layout).
  const int w = static_cast<int>(
      std::max<std::size_t>({8, fmt::formatted_size("{}", m.tp), fmt::formatted_size("{}", m.fp),
                             fmt::formatted_size("{}", m.tn), fmt::formatted_size("{}", m.fn)}));
  out += fmt::format("\n  {:<14} {:>{}} {:>{}}\n", "actual \\ pred", "neg", w, "pos", w);
  out += fmt::format("  {:<14} {:>{}} {:>{}}\n", "neg", m.tn, w, m.fp, w);
  out += fmt::format("  {:<14} {:>{}} {:>{}}\n", "pos", m.fn, w, m.tp, w);
  return out;
}

}  // namespace attn

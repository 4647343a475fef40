#include "attn/eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "attn/core/error.h"

namespace attn {
namespace {

// Expected values are worked out by hand in the comments and agree with
// sklearn.metrics (accuracy_score, precision_score, recall_score, f1_score,
// roc_auc_score with zero_division=0).
const std::vector<float> kProb = {0.9f, 0.8f, 0.7f, 0.6f, 0.55f, 0.4f, 0.3f, 0.2f, 0.1f, 0.5f};
const std::vector<int> kLabel = {1, 1, 0, 1, 0, 1, 0, 0, 0, 1};

TEST(Metrics, BinaryCountsAndRatios) {
  // Predicted positive (p >= 0.5): indices 0,1,2,3,4,9 -> labels 1,1,0,1,0,1: tp 4, fp 2.
  // Predicted negative: indices 5..8 -> labels 1,0,0,0: fn 1, tn 3.
  const BinaryMetrics m = binary_metrics(kProb, kLabel);
  EXPECT_EQ(m.tp, 4);
  EXPECT_EQ(m.fp, 2);
  EXPECT_EQ(m.tn, 3);
  EXPECT_EQ(m.fn, 1);
  EXPECT_EQ(m.n, 10);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.7);
  EXPECT_DOUBLE_EQ(m.precision, 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.recall, 0.8);
  EXPECT_DOUBLE_EQ(m.f1, 8.0 / 11.0);  // 2tp / (2tp + fp + fn)
  // A higher threshold: positives are 0.9, 0.8, 0.7 -> tp 2, fp 1, fn 3, tn 4.
  const BinaryMetrics hi = binary_metrics(kProb, kLabel, 0.65f);
  EXPECT_EQ(hi.tp, 2);
  EXPECT_EQ(hi.fp, 1);
  EXPECT_DOUBLE_EQ(hi.recall, 0.4);
  EXPECT_DOUBLE_EQ(hi.f1, 4.0 / 8.0);
}

TEST(Metrics, ZeroDenominatorsGiveZeroLikeSklearn) {
  const BinaryMetrics none_predicted = binary_metrics({0.1f, 0.2f}, {1, 0});
  EXPECT_EQ(none_predicted.precision, 0.0);
  EXPECT_EQ(none_predicted.recall, 0.0);
  EXPECT_EQ(none_predicted.f1, 0.0);
  EXPECT_DOUBLE_EQ(none_predicted.accuracy, 0.5);
  const BinaryMetrics all_negative = binary_metrics({0.1f, 0.2f}, {0, 0});
  EXPECT_EQ(all_negative.recall, 0.0);
  EXPECT_EQ(all_negative.f1, 0.0);
  EXPECT_EQ(all_negative.accuracy, 1.0);
  const BinaryMetrics empty = binary_metrics({}, {});
  EXPECT_EQ(empty.n, 0);
  EXPECT_EQ(empty.accuracy, 0.0);
}

TEST(Metrics, RocAucWithAverageRanksForTies) {
  // 20 of the 25 (positive, negative) pairs are ordered correctly.
  EXPECT_DOUBLE_EQ(roc_auc(kProb, kLabel), 0.8);
  // Positive 0.5 ties both negatives (2 x 0.5), positive 0.9 beats both (2): 3 / 4.
  EXPECT_DOUBLE_EQ(roc_auc({0.5f, 0.5f, 0.5f, 0.9f}, {1, 0, 0, 1}), 0.75);
  EXPECT_DOUBLE_EQ(roc_auc({0.1f, 0.2f, 0.3f}, {0, 0, 1}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.3f, 0.2f, 0.1f}, {0, 0, 1}), 0.0);
  EXPECT_TRUE(std::isnan(roc_auc({0.3f, 0.2f}, {1, 1})));
  EXPECT_THROW(roc_auc({NAN, 0.2f}, {1, 0}), Error);
}

TEST(Metrics, MultiClassArgmaxAccuracy) {
  // Rows argmax to 2, 0 (first of a tie, like numpy), 1; labels 2, 0, 2 -> 2/3.
  const std::vector<float> logits = {1, 2, 3, 5, 5, 0, 0, 1, 0};
  EXPECT_DOUBLE_EQ(accuracy(logits, 3, {2, 0, 2}), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(accuracy(logits, 3, {2, 1, 1}), 2.0 / 3.0);
  EXPECT_THROW(accuracy(logits, 3, {2, 0}), Error);
  EXPECT_THROW(accuracy(logits, 3, {2, 0, 3}), Error);
}

TEST(Metrics, RejectsMismatchedOrNonBinaryInput) {
  EXPECT_THROW(binary_metrics({0.5f}, {1, 0}), Error);
  EXPECT_THROW(binary_metrics({0.5f}, {2}), Error);
  EXPECT_THROW(roc_auc({0.5f, 0.4f}, {1, -1}), Error);
}

TEST(Metrics, Mean) {
  EXPECT_DOUBLE_EQ(mean(std::vector<float>{1.0f, 2.0f, 4.5f}), 2.5);
  EXPECT_DOUBLE_EQ(mean(std::vector<double>{0.25, 0.75}), 0.5);
  EXPECT_TRUE(std::isnan(mean(std::vector<float>{})));
}

TEST(Metrics, FormatTableIsAligned) {
  const std::string t = format_metrics_table(binary_metrics(kProb, kLabel), 0.34567);
  EXPECT_NE(t.find("  loss          0.3457\n"), std::string::npos) << t;
  EXPECT_NE(t.find("  precision     0.6667\n"), std::string::npos) << t;
  EXPECT_NE(t.find("  f1            0.7273\n"), std::string::npos) << t;
  EXPECT_NE(t.find("  examples          10\n"), std::string::npos) << t;
  EXPECT_NE(t.find("  neg                   3        2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("  pos                   1        4\n"), std::string::npos) << t;
  // Every line of the first block has the same width.
  std::size_t first = t.find('\n');
  for (std::size_t pos = 0, end; (end = t.find('\n', pos)) != std::string::npos && end != pos;
       pos = end + 1) {
    EXPECT_EQ(end - pos, first) << t;
  }
}

}  // namespace
}  // namespace attn

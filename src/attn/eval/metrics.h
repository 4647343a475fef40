#pragma once
// Classification metrics as pure functions of predictions and labels. They
// follow scikit-learn's definitions (zero_division=0 for precision/recall/F1,
// average ranks for ties in ROC-AUC) so results can be checked against it.
#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct BinaryMetrics {
  double accuracy = 0, precision = 0, recall = 0, f1 = 0;
  std::int64_t tp = 0, fp = 0, tn = 0, fn = 0, n = 0;
};

// prob_positive [N], label [N] in {0, 1}; predicted positive iff p >= threshold.
// Precision/recall/F1 are 0 when their denominator is 0; accuracy is 0 for N == 0.
BinaryMetrics binary_metrics(const std::vector<float>& prob_positive, const std::vector<int>& label,
                             float threshold = 0.5f);

// score [N], label [N] in {0, 1} -> area under the ROC curve, computed as the
// Mann-Whitney U statistic with average ranks for tied scores. NaN when only
// one class is present (sklearn raises there; a training loop should not die).
double roc_auc(const std::vector<float>& score, const std::vector<int>& label);

// logits [N, C] row-major, label [N] in [0, C) -> fraction where argmax == label
// (first maximum wins on ties, like numpy.argmax). 0 for N == 0.
double accuracy(const std::vector<float>& logits, std::int64_t num_classes,
                const std::vector<int>& label);

// Arithmetic mean accumulated in double; NaN for an empty vector.
double mean(const std::vector<float>& values);
double mean(const std::vector<double>& values);

// An aligned two-column table (loss, accuracy, precision, recall, F1, counts)
// followed by the confusion matrix; ends with a newline.
std::string format_metrics_table(const BinaryMetrics& m, double loss);

}  // namespace attn

#pragma once
// One classifier step (forward + loss + accuracy) and batched inference,
// shared by fit, evaluate and predict.
#include <memory>
#include <vector>

#include "attn/data/batcher.h"
#include "attn/data/tokenizer.h"
#include "attn/models/encoder_classifier.h"
#include "attn/train/classifier_data.h"
#include "attn/train/classifier_run.h"

namespace attn::train {

struct StepStats {
  Variable loss_var;  // 1-element mean loss of the batch
  double loss_sum = 0;
  std::int64_t correct = 0, examples = 0, tokens = 0;
  void add(const StepStats& s) {
    loss_sum += s.loss_sum;
    correct += s.correct;
    examples += s.examples;
    tokens += s.tokens;
  }
  double mean_loss() const { return examples ? loss_sum / static_cast<double>(examples) : 0.0; }
  double accuracy() const {
    return examples ? static_cast<double>(correct) / static_cast<double>(examples) : 0.0;
  }
};

// Forward pass and loss on one batch (binary: BCE with logits; else softmax CE).
StepStats train_step(Context& ctx, const models::EncoderClassifier& model, const Batch& batch,
                     bool binary, float label_smoothing);

// Per example, the probability of each label (in LabelInfo order).
std::vector<std::vector<float>> predict_probabilities(const models::EncoderClassifier& model,
                                                      const EncodedSet& ids, bool binary,
                                                      int positive, std::int64_t batch_size,
                                                      std::int64_t max_len);

EvalReport evaluate_encoded(const models::EncoderClassifier& model, const EncodedSet& ids,
                            const LabelInfo& labels, bool binary, std::int64_t batch_size,
                            std::int64_t max_len);

// A trained run opened from its directory (config, tokenizer, labels, best weights).
struct LoadedRun {
  RunConfig cfg;
  std::unique_ptr<Tokenizer> tokenizer;
  LabelInfo labels;
  std::unique_ptr<models::EncoderClassifier> model;
};
// with_weights = false skips model.safetensors (a resumed run may not have a best yet).
LoadedRun open_run(const std::filesystem::path& run, bool with_weights = true);

}  // namespace attn::train

#include "attn/train/classifier_step.h"

#include <cmath>

namespace attn::train {

namespace {
std::vector<std::int32_t> int_targets(const std::vector<float>& t) {
  std::vector<std::int32_t> out(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) out[i] = static_cast<std::int32_t>(t[i]);
  return out;
}
std::int64_t count_tokens(const Batch& b) {
  std::int64_t n = 0;
  const auto* v = b.valid.data_as<std::uint8_t>();
  for (std::int64_t i = 0; i < b.valid.numel(); ++i) n += v[i];
  return n;
}
}  // namespace

StepStats train_step(Context& ctx, const models::EncoderClassifier& model, const Batch& batch,
                     bool binary, float label_smoothing) {
  Variable logits = model.forward(ctx, batch.ids, batch.valid);
  StepStats s;
  s.examples = batch.batch;
  s.tokens = count_tokens(batch);
  const float* z = logits.value().data();
  if (binary) {
    s.loss_var = ops::bce_with_logits(ctx, logits, batch.targets);
    for (std::int64_t i = 0; i < batch.batch; ++i)
      s.correct += ((z[i] > 0.0f) == (batch.targets[static_cast<std::size_t>(i)] > 0.5f)) ? 1 : 0;
  } else {
    s.loss_var = ops::cross_entropy(ctx, logits, int_targets(batch.targets), label_smoothing);
    const std::int64_t k = logits.shape()[1];
    for (std::int64_t i = 0; i < batch.batch; ++i) {
      std::int64_t best = 0;
      for (std::int64_t c = 1; c < k; ++c)
        if (z[i * k + c] > z[i * k + best]) best = c;
      s.correct += best == static_cast<std::int64_t>(batch.targets[static_cast<std::size_t>(i)]);
    }
  }
  s.loss_sum = static_cast<double>(s.loss_var.value().item()) * static_cast<double>(batch.batch);
  return s;
}

std::vector<std::vector<float>> predict_probabilities(const models::EncoderClassifier& model,
                                                      const EncodedSet& ids, bool binary,
                                                      int positive, std::int64_t batch_size,
                                                      std::int64_t max_len) {
  std::vector<std::vector<float>> out(ids.ids.size());
  Batcher batcher(&ids, batch_size, max_len, false, true);
  batcher.start_epoch(0, 0);
  Batch batch;
  Context ctx;  // no tape: inference
  while (batcher.next(batch)) {
    Variable logits = model.forward(ctx, batch.ids, batch.valid);
    const float* z = logits.value().data();
    const std::int64_t k = logits.shape()[1];
    for (std::int64_t i = 0; i < batch.batch; ++i) {
      std::vector<float> p;
      if (binary) {
        const float pos = 1.0f / (1.0f + std::exp(-z[i]));
        p = positive == 1 ? std::vector<float>{1.0f - pos, pos}
                          : std::vector<float>{pos, 1.0f - pos};
      } else {
        float m = z[i * k];
        for (std::int64_t c = 1; c < k; ++c) m = std::max(m, z[i * k + c]);
        double sum = 0;
        p.resize(static_cast<std::size_t>(k));
        for (std::int64_t c = 0; c < k; ++c)
          sum += p[static_cast<std::size_t>(c)] = std::exp(z[i * k + c] - m);
        for (auto& v : p) v = static_cast<float>(v / sum);
      }
      out[batch.indices[static_cast<std::size_t>(i)]] = std::move(p);
    }
  }
  return out;
}

EvalReport evaluate_encoded(const models::EncoderClassifier& model, const EncodedSet& ids,
                            const LabelInfo& labels, bool binary, std::int64_t batch_size,
                            std::int64_t max_len) {
  const auto probs =
      predict_probabilities(model, ids, binary, labels.positive, batch_size, max_len);
  EvalReport r;
  // Precision/recall/F1 for any two-label task: one sigmoid logit or a 2-way softmax.
  r.is_binary = labels.labels.size() == 2;
  r.n = static_cast<std::int64_t>(ids.ids.size());
  r.positive_label = labels.labels[static_cast<std::size_t>(labels.positive)];
  double loss = 0;
  std::int64_t correct = 0;
  std::vector<float> pos_prob;
  std::vector<int> pos_label;
  // Loss from probabilities clamped away from 0 so one confident mistake stays finite.
  constexpr double kMinProb = 1e-12;
  for (std::size_t i = 0; i < probs.size(); ++i) {
    const auto& p = probs[i];
    if (binary) {
      const float pp = p[static_cast<std::size_t>(labels.positive)];
      const bool y = ids.targets[i] > 0.5f;
      loss -= std::log(std::max(kMinProb, static_cast<double>(y ? pp : 1.0f - pp)));
      pos_prob.push_back(pp);
      pos_label.push_back(y ? 1 : 0);
      correct += (pp > 0.5f) == y;
    } else {
      const auto t = static_cast<std::size_t>(ids.targets[i]);
      loss -= std::log(std::max(kMinProb, static_cast<double>(p[t])));
      std::size_t best = 0;
      for (std::size_t c = 1; c < p.size(); ++c)
        if (p[c] > p[best]) best = c;
      correct += best == t;
      if (r.is_binary) {
        pos_prob.push_back(p[static_cast<std::size_t>(labels.positive)]);
        pos_label.push_back(t == static_cast<std::size_t>(labels.positive) ? 1 : 0);
      }
    }
  }
  r.loss = r.n ? loss / static_cast<double>(r.n) : 0.0;
  r.accuracy = r.n ? static_cast<double>(correct) / static_cast<double>(r.n) : 0.0;
  if (r.is_binary) r.binary = binary_metrics(pos_prob, pos_label);
  return r;
}

}  // namespace attn::train

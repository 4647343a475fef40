#include "attn/train/attention_capture.h"

#include <algorithm>

#include "attn/core/thread_pool.h"
#include "attn/train/classifier_step.h"

namespace attn::train {

namespace {
// The ids the model reads: truncated as data.truncate says (as encode_split does),
// then capped so the view stays usable.
std::vector<std::int32_t> kept_ids(std::vector<std::int32_t> ids, std::size_t keep,
                                   const std::string& truncate) {
  if (ids.size() > keep && truncate == "head_tail") {
    const std::size_t head = keep / 2, tail = keep - head;
    std::copy(ids.end() - static_cast<std::ptrdiff_t>(tail), ids.end(),
              ids.begin() + static_cast<std::ptrdiff_t>(head));
  }
  if (ids.size() > keep) ids.resize(keep);
  return ids;
}
}  // namespace

models::AttentionCapture capture_classifier_attention(const std::filesystem::path& run,
                                                      const std::string& text,
                                                      const std::optional<std::string>& text_pair,
                                                      int threads) {
  ATTN_CHECK(!text_pair, "{}: this model has one input; --text-pair is for models with two inputs",
             run.string());
  ATTN_CHECK(text.find_first_not_of(" \t\r\n") != std::string::npos,
             "the text is empty: give the model something to read");
  ThreadPool::set_num_threads(threads > 0 ? threads : ThreadPool::default_threads());
  LoadedRun r = open_run(run);
  const models::ClassifierConfig& mc = r.cfg.model;
  ATTN_CHECK(mc.bare_attention || mc.num_layers > 0,
             "{}: the model has no attention layers (model.num_layers = 0)", run.string());
  const bool cls = mc.pooling == nn::Pooling::cls;

  std::vector<std::int32_t> all = r.tokenizer->encode(text);
  ATTN_CHECK(!all.empty(), "the text has no tokens after tokenization: \"{}\"", text.substr(0, 80));
  const std::int64_t model_len = std::min(r.cfg.data.max_len, mc.max_len);
  const std::int64_t keep = std::min(model_len, kMaxViewTokens - (cls ? 1 : 0));
  const std::vector<std::int32_t> ids =
      kept_ids(all, static_cast<std::size_t>(keep), r.cfg.data.truncate);

  models::AttentionCapture cap;
  cap.title = fmt::format("{}: {} (encoder classifier)", run.string(), r.cfg.name);
  if (all.size() > ids.size()) {
    const std::size_t head = r.cfg.data.truncate == "head_tail" ? ids.size() / 2 : ids.size();
    const std::string which =
        head == ids.size() ? fmt::format("the first {}", head)
                           : fmt::format("the first {} and last {}", head, ids.size() - head);
    const std::string why = keep < model_len
                                ? fmt::format("at most {} tokens are shown", kMaxViewTokens)
                                : fmt::format("the model reads {}", model_len);
    cap.note = fmt::format("The text has {} tokens; only {} went through the model ({}).",
                           all.size(), which, why);
  }

  models::TokenSequence seq{"input", {}};
  if (cls) seq.tokens.emplace_back("[CLS]");
  for (std::int32_t id : ids) seq.tokens.push_back(r.tokenizer->token(id));
  cap.sequences.push_back(std::move(seq));

  const auto t = static_cast<std::int64_t>(ids.size());
  Tensor valid = Tensor::empty({1, t}, DType::u8);  // one unpadded row: all valid
  std::fill_n(valid.data_as<std::uint8_t>(), t, std::uint8_t{1});
  std::vector<Tensor> attention;
  Context ctx;  // no tape: inference, dropout off
  r.model->forward(ctx, ids, valid, &attention);
  for (std::size_t l = 0; l < attention.size(); ++l) {
    const Tensor& a = attention[l];  // [1, H, T', T']
    models::AttentionMap m;
    m.layer = static_cast<int>(l);
    m.name = fmt::format("layer {} self", l);
    m.weights = a.reshape({a.dim(1), a.dim(2), a.dim(3)});
    cap.maps.push_back(std::move(m));
  }

  // Probabilities exactly as `attn predict` computes them.
  const bool binary = mc.num_classes == 1;
  EncodedSet one{{ids}, {0.0f}};
  const auto probs =
      predict_probabilities(*r.model, one, binary, r.labels.positive, 1, model_len)[0];
  std::size_t best = 0;
  for (std::size_t c = 0; c < probs.size(); ++c) {
    cap.class_probs.emplace_back(r.labels.labels[c], static_cast<double>(probs[c]));
    if (probs[c] > probs[best]) best = c;
  }
  cap.prediction_title =
      fmt::format("predicted: {} ({:.1f}%)", r.labels.labels[best], 100.0 * probs[best]);
  cap.validate();
  return cap;
}

}  // namespace attn::train

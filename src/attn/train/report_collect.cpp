#include "attn/train/report_collect.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "attn/core/thread_pool.h"
#include "attn/io/atomic_file.h"
#include "attn/io/json_reader.h"
#include "attn/train/attention_capture.h"
#include "attn/train/classifier_step.h"

namespace attn::train {

namespace fs = std::filesystem;

namespace {

double number(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : std::nan("");
}

std::int64_t integer(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

// Every line of a JSONL log that parses as an object.
std::vector<nlohmann::json> log_lines(const fs::path& file) {
  std::vector<nlohmann::json> out;
  if (!fs::exists(file)) return out;
  std::istringstream in(read_file_bytes(file));
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

// Fills `sec` from the model's probabilities on `set`.
void classify(const LoadedRun& r, const ExampleSet& set, const EncodedSet& ids,
              models::ClassifierSection& sec, std::vector<std::size_t>& order) {
  const bool binary = r.cfg.model.num_classes == 1;
  const std::int64_t max_len = std::min(r.cfg.data.max_len, r.cfg.model.max_len);
  const auto probs = predict_probabilities(*r.model, ids, binary, r.labels.positive,
                                           r.cfg.training.batch_size, max_len);
  const EvalReport ev =
      evaluate_encoded(*r.model, ids, r.labels, binary, r.cfg.training.batch_size, max_len);
  const std::size_t c = r.labels.labels.size();
  sec.labels = r.labels.labels;
  sec.confusion.assign(c, std::vector<std::int64_t>(c, 0));
  sec.n = ev.n;
  sec.accuracy = ev.accuracy;
  sec.loss = ev.loss;
  sec.binary = ev.is_binary;
  sec.positive_label = ev.positive_label;
  sec.precision = ev.binary.precision;
  sec.recall = ev.binary.recall;
  sec.f1 = ev.binary.f1;
  const auto pos = static_cast<std::size_t>(r.labels.positive);
  std::vector<double> p_true(probs.size());
  std::vector<std::size_t> predicted(probs.size());
  for (std::size_t i = 0; i < probs.size(); ++i) {
    const auto& p = probs[i];
    // The true label index, and the prediction by the rule evaluate_encoded
    // counts as correct (binary: positive iff p > 0.5; else the first argmax).
    std::size_t t, best = 0;
    if (binary) {
      t = ids.targets[i] > 0.5f ? pos : 1 - pos;
      best = p[pos] > 0.5f ? pos : 1 - pos;
    } else {
      t = static_cast<std::size_t>(ids.targets[i]);
      for (std::size_t k = 1; k < p.size(); ++k)
        if (p[k] > p[best]) best = k;
    }
    sec.confusion[t][best] += 1;
    p_true[i] = p[t];
    predicted[i] = best;
  }
  order.resize(probs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p_true[a] < p_true[b]; });
  for (std::size_t k = 0; k < std::min(order.size(), models::kWorstExamples); ++k) {
    const std::size_t i = order[k];
    const Example& e = set.examples[i];
    sec.worst.push_back({e.id,
                         text_excerpt(input_text(e, r.cfg.data.text_fields), models::kExcerptChars),
                         e.label, r.labels.labels[predicted[i]], p_true[i]});
  }
}

}  // namespace

std::string text_excerpt(const std::string& text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    // A code point starts at every byte that is not a continuation byte (10xxxxxx).
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars)
      return text.substr(0, i) + "\u2026";
  }
  return text;
}

std::vector<models::StepPoint> read_step_log(const fs::path& file) {
  std::vector<models::StepPoint> out;
  for (const auto& j : log_lines(file))
    out.push_back({integer(j, "step"), integer(j, "epoch"), number(j, "loss"),
                   number(j, "accuracy"), number(j, "lr"), number(j, "tokens_per_s"),
                   number(j, "seconds")});
  return out;
}

std::vector<models::EpochPoint> read_epoch_log(const fs::path& file) {
  std::vector<models::EpochPoint> out;
  for (const auto& j : log_lines(file)) {
    models::EpochPoint e;
    e.epoch = integer(j, "epoch");
    e.step = integer(j, "step");
    e.lr = number(j, "lr");
    e.train_loss = number(j, "train_loss");
    e.train_accuracy = number(j, "train_accuracy");
    e.val_loss = number(j, "val_loss");
    e.val_accuracy = number(j, "val_accuracy");
    e.val_f1 = number(j, "val_f1");
    e.val_bpc = number(j, "val_bpc");
    e.seconds = number(j, "seconds");
    e.best = j.value("best", false);
    out.push_back(e);
  }
  return out;
}

void begin_report(const fs::path& run, int threads) {
  ATTN_CHECK(fs::is_directory(run), "{}: no such run directory", run.string());
  ThreadPool::set_num_threads(threads > 0 ? threads : ThreadPool::default_threads());
}

models::ReportData read_run_logs(const fs::path& run, std::string kind, std::string name,
                                 std::vector<models::LayerRow> summary) {
  models::ReportData d;
  d.run = run.string();
  d.model_kind = std::move(kind);
  d.model_name = std::move(name);
  d.summary = std::move(summary);
  d.config_json = read_json_file(run / "config.json").dump(2);
  d.epochs = read_epoch_log(run / "metrics.jsonl");
  d.steps = read_step_log(run / "steps.jsonl");
  return d;
}

models::ReportData collect_classifier_report(const fs::path& run, const fs::path& data,
                                             int threads) {
  begin_report(run, threads);
  LoadedRun r = open_run(run);
  models::ReportData d =
      read_run_logs(run, "encoder classifier", r.cfg.name, r.model->layer_rows());
  for (const auto& e : d.epochs)
    if (e.best) d.best_epoch = e.epoch;
  if (data.empty()) {
    d.missing_data_note =
        "No data file was given: run `attn report --run RUN --data FILE` for the confusion "
        "matrix, the worst-classified examples and attention views.";
    return d;
  }
  const ExampleSet set = read_examples(data);
  const bool binary = r.cfg.model.num_classes == 1;
  const std::int64_t max_len = std::min(r.cfg.data.max_len, r.cfg.model.max_len);
  const EncodedSet ids =
      encode_split(set, *r.tokenizer, r.labels, max_len, r.cfg.data, true, binary);
  models::ClassifierSection sec;
  sec.data_file = data.string();
  std::vector<std::size_t> order;
  classify(r, set, ids, sec, order);
  d.classifier = std::move(sec);

  // Two attention views: the best- and the worst-classified example.
  if (!order.empty() && (r.cfg.model.bare_attention || r.cfg.model.num_layers > 0)) {
    auto view = [&](std::size_t i, const std::string& why) {
      const Example& e = set.examples[i];
      const std::string text = input_text(e, r.cfg.data.text_fields);
      if (text.find_first_not_of(" \t\r\n") == std::string::npos) return;
      d.attention.push_back({fmt::format("{} (example {}, true label: {})", why, e.id, e.label),
                             capture_classifier_attention(run, text, std::nullopt, threads)});
    };
    view(order.back(), "The highest probability of the true label");
    if (order.size() > 1)
      view(order.front(), "The lowest probability of the true label (worst classified)");
  }
  return d;
}

}  // namespace attn::train

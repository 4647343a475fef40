#include "attn/train/classifier_data.h"

#include <algorithm>

#include "attn/data/char_tokenizer.h"
#include "attn/data/word_tokenizer.h"

namespace attn::train {

nlohmann::json LabelInfo::to_json() const {
  return {{"labels", labels}, {"positive_label", labels.at(static_cast<std::size_t>(positive))}};
}

LabelInfo LabelInfo::from_json(const nlohmann::json& j, const std::string& file) {
  LabelInfo info;
  try {
    info.labels = j.at("labels").get<std::vector<std::string>>();
    const auto pos = j.at("positive_label").get<std::string>();
    auto it = std::find(info.labels.begin(), info.labels.end(), pos);
    ATTN_CHECK(it != info.labels.end(), "{}: positive_label \"{}\" is not one of the labels", file,
               pos);
    info.positive = static_cast<int>(it - info.labels.begin());
  } catch (const nlohmann::json::exception& e) {
    fail("{}: bad label section: {}", file, e.what());
  }
  return info;
}

std::string input_text(const Example& e, const std::vector<std::string>& text_fields) {
  if (text_fields.size() == 1 && text_fields[0] == "text") return e.text;
  std::string out;
  for (const auto& name : text_fields) {
    const std::string* value = &e.text;
    if (name != "text") {
      auto it = e.fields.find(name);
      if (it == e.fields.end()) continue;
      value = &it->second;
    }
    if (!out.empty()) out += '\n';
    out += *value;
  }
  return out;
}

ExampleSet read_split(const std::filesystem::path& file, std::ostream& log) {
  ExampleSet set = read_examples(file);
  if (set.replaced_utf8 > 0)
    log << fmt::format("attn: warning: {}: replaced {} invalid UTF-8 sequence(s) with U+FFFD\n",
                       file.string(), set.replaced_utf8);
  return set;
}

LabelInfo make_label_info(const ExampleSet& train, const RunConfig& cfg) {
  LabelInfo info;
  info.labels = sorted_labels(train);
  const auto classes = cfg.model.num_classes;
  if (classes == 1) {
    ATTN_CHECK(info.labels.size() == 2,
               "{}: a binary model (model.num_classes = 1) needs exactly 2 labels, found {}: {}",
               train.source, info.labels.size(), fmt::join(info.labels, ", "));
  } else {
    ATTN_CHECK(static_cast<std::int64_t>(info.labels.size()) <= classes,
               "{}: {} labels found but model.num_classes is {}", train.source, info.labels.size(),
               classes);
  }
  if (!cfg.data.positive_label.empty()) {
    auto it = std::find(info.labels.begin(), info.labels.end(), cfg.data.positive_label);
    ATTN_CHECK(it != info.labels.end(), "data.positive_label \"{}\" is not a label of {} ({})",
               cfg.data.positive_label, train.source, fmt::join(info.labels, ", "));
    info.positive = static_cast<int>(it - info.labels.begin());
  } else {
    info.positive = info.labels.size() > 1 ? 1 : 0;
  }
  return info;
}

std::unique_ptr<Tokenizer> build_tokenizer(const ExampleSet& train, const RunConfig& run) {
  const TokenizerConfig& cfg = run.tokenizer;
  std::vector<std::string> texts;
  texts.reserve(train.examples.size());
  for (const auto& e : train.examples) texts.push_back(input_text(e, run.data.text_fields));
  if (cfg.type == "char") {
    auto tok = std::make_unique<CharTokenizer>(cfg.lowercase);
    tok->build(texts, static_cast<int>(cfg.max_tokens), static_cast<int>(cfg.min_count));
    return tok;
  }
  WordTokenizerOptions options;
  options.standardize = parse_standardize(cfg.standardize);
  auto tok = std::make_unique<WordTokenizer>(options);
  tok->build(texts, static_cast<int>(cfg.max_tokens), static_cast<int>(cfg.min_count));
  return tok;
}

EncodedSet encode_split(const ExampleSet& set, const Tokenizer& tok, const LabelInfo& labels,
                        std::int64_t max_len, const DataConfig& data, bool with_targets,
                        bool binary) {
  EncodedSet out;
  out.ids.reserve(set.examples.size());
  for (const auto& e : set.examples) {
    auto ids = tok.encode(input_text(e, data.text_fields));
    const auto keep = static_cast<std::size_t>(max_len);
    if (ids.size() > keep && data.truncate == "head_tail") {
      const std::size_t head = keep / 2, tail = keep - head;
      std::copy(ids.end() - static_cast<std::ptrdiff_t>(tail), ids.end(),
                ids.begin() + static_cast<std::ptrdiff_t>(head));
    }
    if (ids.size() > keep) ids.resize(keep);
    out.ids.push_back(std::move(ids));
  }
  if (with_targets) {
    const auto idx = encode_labels(set, labels.labels, set.source);
    out.targets.reserve(idx.size());
    for (int i : idx)
      out.targets.push_back(binary ? (i == labels.positive ? 1.0f : 0.0f) : static_cast<float>(i));
  } else {
    out.targets.assign(set.examples.size(), 0.0f);
  }
  return out;
}

}  // namespace attn::train

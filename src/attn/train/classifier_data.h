#pragma once
// Turns labelled text files into what the classifier trains on: a tokenizer
// (built from the training texts or restored), the sorted label list, the
// positive class, and token ids + targets per split.
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "attn/data/batcher.h"
#include "attn/data/examples_reader.h"
#include "attn/data/tokenizer.h"
#include "attn/train/run_config.h"

namespace attn::train {

struct LabelInfo {
  std::vector<std::string> labels;  // sorted
  int positive = 1;                 // index of the positive class (binary)
  nlohmann::json to_json() const;
  static LabelInfo from_json(const nlohmann::json& j, const std::string& file);
};

// Reads a data file and warns (to log) about replaced invalid UTF-8.
ExampleSet read_split(const std::filesystem::path& file, std::ostream& log);

// The model's input for one example: data.text_fields joined by newlines.
std::string input_text(const Example& e, const std::vector<std::string>& text_fields);

LabelInfo make_label_info(const ExampleSet& train, const RunConfig& cfg);
std::unique_ptr<Tokenizer> build_tokenizer(const ExampleSet& train, const RunConfig& cfg);

// Token ids (truncated to max_len as data.truncate says) and targets: for binary models 1 =
// positive class; for multi-class models the label index.
EncodedSet encode_split(const ExampleSet& set, const Tokenizer& tok, const LabelInfo& labels,
                        std::int64_t max_len, const DataConfig& data, bool with_targets,
                        bool binary);

}  // namespace attn::train

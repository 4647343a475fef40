#pragma once
// Word-level tokenizer reproducing Keras
//   TextVectorization(max_tokens=N, standardize="lower_and_strip_punctuation",
//                     split="whitespace", output_mode="int")
// Vocabulary: 0 = "" (padding), 1 = "[UNK]", then training tokens by
// descending frequency (ties: ascending token, for determinism), at most
// max_tokens entries in total.
// Keras lowercases and strips ASCII only; attn by default also lowercases
// Latin-1/Latin Extended-A/Greek/Cyrillic and strips Unicode punctuation
// (curly quotes, dashes, ellipsis). `ascii_only = true` gives Keras exactly.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "attn/data/tokenizer.h"

namespace attn {

// lower_and_split_punctuation turns punctuation into word breaks instead of
// deleting it, so "http://spam.example.com/x" gives http spam example com x
// rather than one unknown token (what scikit-learn's token pattern does).
enum class Standardize {
  none,
  lower,
  strip_punctuation,
  lower_and_strip_punctuation,
  lower_and_split_punctuation
};

const char* standardize_name(Standardize s);
// Throws attn::Error naming the accepted values.
Standardize parse_standardize(const std::string& name);

struct WordTokenizerOptions {
  Standardize standardize = Standardize::lower_and_strip_punctuation;
  bool ascii_only = false;
};

class WordTokenizer : public Tokenizer {
 public:
  explicit WordTokenizer(WordTokenizerOptions options = {});

  // Counts the tokens of `texts` and keeps the most frequent ones with
  // count >= min_count; max_tokens is the total vocabulary size including
  // padding and [UNK] (0: no cap).
  void build(const std::vector<std::string>& texts, int max_tokens, int min_count = 1);
  // Installs a complete vocabulary (vocab[0] == "", vocab[1] == "[UNK]").
  void set_vocabulary(std::vector<std::string> vocab);

  std::string standardize(std::string_view text) const;
  // standardize + whitespace split; empty pieces are dropped.
  std::vector<std::string> split(std::string_view text) const;

  std::vector<std::int32_t> encode(std::string_view text) const override;
  // Tokens joined by single spaces; [UNK] for unknown ids.
  std::string decode(const std::vector<std::int32_t>& ids) const override;
  std::string token(std::int32_t id) const override;
  std::int32_t vocab_size() const override { return static_cast<std::int32_t>(vocab_.size()); }
  nlohmann::json to_json() const override;
  static WordTokenizer from_json(const nlohmann::json& j);

  const std::vector<std::string>& vocabulary() const { return vocab_; }
  const WordTokenizerOptions& options() const { return options_; }

 private:
  WordTokenizerOptions options_;
  int max_tokens_ = 0;
  int min_count_ = 1;
  std::vector<std::string> vocab_{"", "[UNK]"};
  std::unordered_map<std::string, std::int32_t> index_;
};

}  // namespace attn

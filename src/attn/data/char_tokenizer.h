#pragma once
// Character-level tokenizer: one id per Unicode code point seen in training
// text. Vocabulary: 0 = "" (padding), 1 = "[UNK]", then code points by
// descending frequency (ties: ascending code point). decode(encode(x)) == x
// whenever every character of x is in the vocabulary (and lowercase is off).
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "attn/data/tokenizer.h"

namespace attn {

class CharTokenizer : public Tokenizer {
 public:
  explicit CharTokenizer(bool lowercase = false);

  // max_size is the total vocabulary size including padding and [UNK] (0: no cap).
  void build(const std::vector<std::string>& texts, int max_size = 0, int min_count = 1);

  std::vector<std::int32_t> encode(std::string_view text) const override;
  // Concatenated characters; [UNK] decodes to U+FFFD.
  std::string decode(const std::vector<std::int32_t>& ids) const override;
  std::string token(std::int32_t id) const override;
  std::int32_t vocab_size() const override { return static_cast<std::int32_t>(vocab_.size()); }
  nlohmann::json to_json() const override;
  static CharTokenizer from_json(const nlohmann::json& j);

  bool lowercase() const { return lowercase_; }
  const std::vector<std::string>& vocabulary() const { return vocab_; }

 private:
  void set_vocabulary(std::vector<std::string> vocab);
  char32_t normalise(char32_t cp) const;

  bool lowercase_ = false;
  int max_size_ = 0;
  int min_count_ = 1;
  std::vector<std::string> vocab_;  // UTF-8 of each code point; "" and "[UNK]" first
  std::unordered_map<char32_t, std::int32_t> index_;
};

}  // namespace attn

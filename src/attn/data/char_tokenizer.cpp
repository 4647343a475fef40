#include "attn/data/char_tokenizer.h"

#include "attn/core/error.h"
#include "attn/data/unicode_class.h"
#include "attn/data/utf8.h"

namespace attn {

CharTokenizer::CharTokenizer(bool lowercase) : lowercase_(lowercase) {
  set_vocabulary({"", "[UNK]"});
}

char32_t CharTokenizer::normalise(char32_t cp) const {
  return lowercase_ ? unicode_to_lower(cp) : cp;
}

void CharTokenizer::build(const std::vector<std::string>& texts, int max_size, int min_count) {
  ATTN_CHECK(min_count >= 1, "char tokenizer: min_count {} must be >= 1", min_count);
  // Count per code point, then key by UTF-8 bytes; byte order of valid UTF-8
  // equals code point order, so select_vocabulary's tie-break is by code point.
  std::unordered_map<char32_t, std::int64_t> by_cp;
  for (const std::string& text : texts) {
    for_each_code_point(text, [&](char32_t cp, std::string_view) { ++by_cp[normalise(cp)]; });
  }
  std::unordered_map<std::string, std::int64_t> counts;
  for (const auto& [cp, n] : by_cp) counts[encode_utf8(cp)] += n;
  set_vocabulary(select_vocabulary(counts, max_size, min_count));
  max_size_ = max_size;
  min_count_ = min_count;
}

void CharTokenizer::set_vocabulary(std::vector<std::string> vocab) {
  ATTN_CHECK(vocab.size() >= 2 && vocab[0].empty() && vocab[1] == "[UNK]",
             "char tokenizer: vocabulary must start with \"\" and \"[UNK]\"");
  index_.clear();
  for (std::size_t i = 2; i < vocab.size(); ++i) {
    const std::string& s = vocab[i];
    const DecodedChar d = s.empty() ? DecodedChar{} : decode_utf8_at(s, 0);
    ATTN_CHECK(d.valid && d.length == s.size(),
               "char tokenizer: vocabulary[{}] = \"{}\" is not exactly one UTF-8 character", i, s);
    ATTN_CHECK(index_.emplace(d.cp, static_cast<std::int32_t>(i)).second,
               "char tokenizer: duplicate vocabulary entry \"{}\" at {}", s, i);
  }
  vocab_ = std::move(vocab);
}

std::vector<std::int32_t> CharTokenizer::encode(std::string_view text) const {
  std::vector<std::int32_t> ids;
  ids.reserve(text.size());
  for_each_code_point(text, [&](char32_t cp, std::string_view) {
    auto it = index_.find(normalise(cp));
    ids.push_back(it == index_.end() ? kUnkId : it->second);
  });
  return ids;
}

std::string CharTokenizer::decode(const std::vector<std::int32_t>& ids) const {
  std::string out;
  out.reserve(ids.size());
  for (std::int32_t id : ids) {
    check_token_id(id, vocab_size());
    if (id == kPadId) continue;
    if (id == kUnkId) {
      append_utf8(out, kReplacementChar);
    } else {
      out += vocab_[static_cast<std::size_t>(id)];
    }
  }
  return out;
}

std::string CharTokenizer::token(std::int32_t id) const {
  check_token_id(id, vocab_size());
  return vocab_[static_cast<std::size_t>(id)];
}

nlohmann::json CharTokenizer::to_json() const {
  return {{"type", "char"},
          {"lowercase", lowercase_},
          {"max_size", max_size_},
          {"min_count", min_count_},
          {"vocabulary", vocab_}};
}

CharTokenizer CharTokenizer::from_json(const nlohmann::json& j) {
  ATTN_CHECK(j.is_object() && j.value("type", "") == "char",
             "char tokenizer: expected an object with \"type\": \"char\"");
  try {
    CharTokenizer tok(j.value("lowercase", false));
    tok.max_size_ = int_from_json(j, "max_size", 0, 0, "char");
    tok.min_count_ = int_from_json(j, "min_count", 1, 1, "char");
    tok.set_vocabulary(vocabulary_from_json(j, "char"));
    return tok;
  } catch (const nlohmann::json::exception& e) {
    fail("char tokenizer: bad field type: {}", e.what());
  }
}

}  // namespace attn

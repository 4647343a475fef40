#include "attn/data/word_tokenizer.h"

#include "attn/core/error.h"
#include "attn/data/unicode_class.h"
#include "attn/data/utf8.h"

namespace attn {

const char* standardize_name(Standardize s) {
  switch (s) {
    case Standardize::none:
      return "none";
    case Standardize::lower:
      return "lower";
    case Standardize::strip_punctuation:
      return "strip_punctuation";
    case Standardize::lower_and_strip_punctuation:
      return "lower_and_strip_punctuation";
    case Standardize::lower_and_split_punctuation:
      return "lower_and_split_punctuation";
  }
  return "?";
}

Standardize parse_standardize(const std::string& name) {
  for (Standardize s :
       {Standardize::none, Standardize::lower, Standardize::strip_punctuation,
        Standardize::lower_and_strip_punctuation, Standardize::lower_and_split_punctuation}) {
    if (name == standardize_name(s)) return s;
  }
  fail(
      "unknown standardize \"{}\" (expected none, lower, strip_punctuation, "
      "lower_and_strip_punctuation or lower_and_split_punctuation)",
      name);
}

WordTokenizer::WordTokenizer(WordTokenizerOptions options) : options_(options) {
  set_vocabulary({"", "[UNK]"});
}

void WordTokenizer::build(const std::vector<std::string>& texts, int max_tokens, int min_count) {
  ATTN_CHECK(min_count >= 1, "word tokenizer: min_count {} must be >= 1", min_count);
  std::unordered_map<std::string, std::int64_t> counts;
  for (const std::string& text : texts) {
    for (std::string& tok : split(text)) ++counts[std::move(tok)];
  }
  set_vocabulary(select_vocabulary(counts, max_tokens, min_count));
  max_tokens_ = max_tokens;
  min_count_ = min_count;
}

void WordTokenizer::set_vocabulary(std::vector<std::string> vocab) {
  ATTN_CHECK(vocab.size() >= 2 && vocab[0].empty() && vocab[1] == "[UNK]",
             "word tokenizer: vocabulary must start with \"\" and \"[UNK]\"");
  vocab_ = std::move(vocab);
  index_.clear();
  for (std::size_t i = 2; i < vocab_.size(); ++i) {
    ATTN_CHECK(index_.emplace(vocab_[i], static_cast<std::int32_t>(i)).second,
               "word tokenizer: duplicate vocabulary entry \"{}\" at {}", vocab_[i], i);
  }
}

std::string WordTokenizer::standardize(std::string_view text) const {
  const Standardize mode = options_.standardize;
  const bool split = mode == Standardize::lower_and_split_punctuation;
  const bool lower =
      mode == Standardize::lower || mode == Standardize::lower_and_strip_punctuation || split;
  const bool strip = mode == Standardize::strip_punctuation ||
                     mode == Standardize::lower_and_strip_punctuation || split;
  if (!lower && !strip) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for_each_code_point(text, [&](char32_t cp, std::string_view bytes) {
    const bool ascii = cp < 0x80;
    if (strip && (ascii || !options_.ascii_only) && unicode_is_punctuation(cp)) {
      if (split) out += ' ';
      return;
    }
    if (lower && (ascii || !options_.ascii_only)) {
      append_utf8(out, unicode_to_lower(cp));
    } else {
      out.append(bytes);  // keeps the original bytes, even of an invalid sequence
    }
  });
  return out;
}

std::vector<std::string> WordTokenizer::split(std::string_view text) const {
  const std::string s = standardize(text);
  std::vector<std::string> pieces;
  std::string cur;
  for_each_code_point(s, [&](char32_t cp, std::string_view bytes) {
    const bool space =
        options_.ascii_only ? (cp < 0x80 && unicode_is_space(cp)) : unicode_is_space(cp);
    if (space) {
      if (!cur.empty()) pieces.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.append(bytes);
    }
  });
  if (!cur.empty()) pieces.push_back(std::move(cur));
  return pieces;
}

std::vector<std::int32_t> WordTokenizer::encode(std::string_view text) const {
  std::vector<std::int32_t> ids;
  for (const std::string& tok : split(text)) {
    auto it = index_.find(tok);
    ids.push_back(it == index_.end() ? kUnkId : it->second);
  }
  return ids;
}

std::string WordTokenizer::decode(const std::vector<std::int32_t>& ids) const {
  std::string out;
  for (std::int32_t id : ids) {
    check_token_id(id, vocab_size());
    if (id == kPadId) continue;
    if (!out.empty()) out.push_back(' ');
    out += vocab_[static_cast<std::size_t>(id)];
  }
  return out;
}

std::string WordTokenizer::token(std::int32_t id) const {
  check_token_id(id, vocab_size());
  return vocab_[static_cast<std::size_t>(id)];
}

nlohmann::json WordTokenizer::to_json() const {
  return {{"type", "word"},
          {"standardize", standardize_name(options_.standardize)},
          {"split", "whitespace"},
          {"ascii_only", options_.ascii_only},
          {"max_tokens", max_tokens_},
          {"min_count", min_count_},
          {"vocabulary", vocab_}};
}

WordTokenizer WordTokenizer::from_json(const nlohmann::json& j) {
  ATTN_CHECK(j.is_object() && j.value("type", "") == "word",
             "word tokenizer: expected an object with \"type\": \"word\"");
  WordTokenizerOptions o;
  try {
    o.standardize = parse_standardize(j.value("standardize", "lower_and_strip_punctuation"));
    const std::string split = j.value("split", "whitespace");
    ATTN_CHECK(split == "whitespace",
               "word tokenizer: unsupported split \"{}\" (expected "
               "\"whitespace\")",
               split);
    o.ascii_only = j.value("ascii_only", false);
    WordTokenizer tok(o);
    tok.max_tokens_ = int_from_json(j, "max_tokens", 0, 0, "word");
    tok.min_count_ = int_from_json(j, "min_count", 1, 1, "word");
    tok.set_vocabulary(vocabulary_from_json(j, "word"));
    return tok;
  } catch (const nlohmann::json::exception& e) {
    fail("word tokenizer: bad field type: {}", e.what());
  }
}

}  // namespace attn

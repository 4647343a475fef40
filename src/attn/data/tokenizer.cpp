#include "attn/data/tokenizer.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "attn/core/error.h"
#include "attn/data/char_tokenizer.h"
#include "attn/data/sentencepiece_tokenizer.h"
#include "attn/data/word_tokenizer.h"

namespace attn {

void check_token_id(std::int32_t id, std::int32_t vocab_size) {
  ATTN_CHECK(id >= 0 && id < vocab_size, "token id {} out of range [0, {})", id, vocab_size);
}

int int_from_json(const nlohmann::json& j, const char* key, int fallback, int min_value,
                  const char* type) {
  const auto it = j.find(key);
  if (it == j.end()) return fallback;
  const std::string shown = it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  ATTN_CHECK(it->is_number_integer(), "{} tokenizer: \"{}\" must be an integer, got {:.40}", type,
             key, shown);
  constexpr auto kMax = std::numeric_limits<std::int32_t>::max();
  const bool fits = it->is_number_unsigned() ? it->get<std::uint64_t>() <= kMax
                                             : it->get<std::int64_t>() >= min_value;
  ATTN_CHECK(fits && it->get<std::int64_t>() >= min_value && it->get<std::int64_t>() <= kMax,
             "{} tokenizer: \"{}\" = {:.40} is out of range (expected {} to {})", type, key, shown,
             min_value, kMax);
  return static_cast<int>(it->get<std::int64_t>());
}

std::vector<std::string> vocabulary_from_json(const nlohmann::json& j, const char* type) {
  auto v = j.find("vocabulary");
  ATTN_CHECK(v != j.end() && v->is_array(), "{} tokenizer: missing array field \"vocabulary\"",
             type);
  ATTN_CHECK(v->size() >= 2,
             "{} tokenizer: vocabulary has {} entries, expected at least 2 "
             "(\"\" and \"[UNK]\")",
             type, v->size());
  std::vector<std::string> vocab;
  vocab.reserve(v->size());
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& e = (*v)[i];
    ATTN_CHECK(e.is_string(), "{} tokenizer: vocabulary[{}] is a {}, expected a string", type, i,
               e.type_name());
    std::string s = e.get<std::string>();
    ATTN_CHECK(seen.insert(s).second, "{} tokenizer: vocabulary[{}] = \"{}\" is a duplicate", type,
               i, s);
    vocab.push_back(std::move(s));
  }
  ATTN_CHECK(vocab[0].empty() && vocab[1] == "[UNK]",
             "{} tokenizer: vocabulary must start with \"\" (padding) and \"[UNK]\", got \"{}\", "
             "\"{}\"",
             type, vocab[0], vocab[1]);
  return vocab;
}

std::vector<std::string> select_vocabulary(
    const std::unordered_map<std::string, std::int64_t>& counts, int max_size, int min_count) {
  ATTN_CHECK(max_size == 0 || max_size >= 2,
             "vocabulary size cap {} too small (expected 0 for no cap, or >= 2 for padding and "
             "[UNK])",
             max_size);
  std::vector<std::pair<std::string, std::int64_t>> kept;
  for (const auto& [key, n] : counts) {
    if (n >= min_count && !key.empty() && key != "[UNK]") kept.emplace_back(key, n);
  }
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (max_size > 0 && kept.size() > static_cast<std::size_t>(max_size - 2)) {
    kept.resize(static_cast<std::size_t>(max_size - 2));
  }
  std::vector<std::string> vocab{"", "[UNK]"};
  for (auto& [key, n] : kept) vocab.push_back(std::move(key));
  return vocab;
}

std::unique_ptr<Tokenizer> Tokenizer::from_json(const nlohmann::json& j) {
  ATTN_CHECK(j.is_object(), "tokenizer: expected a JSON object, got a {}", j.type_name());
  auto type = j.find("type");
  ATTN_CHECK(type != j.end() && type->is_string(),
             "tokenizer: missing string field \"type\" (expected \"word\", \"char\" or "
             "\"sentencepiece\")");
  const std::string t = type->get<std::string>();
  if (t == "word") return std::make_unique<WordTokenizer>(WordTokenizer::from_json(j));
  if (t == "char") return std::make_unique<CharTokenizer>(CharTokenizer::from_json(j));
  if (t == "sentencepiece")
    return std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::from_json(j));
  fail("tokenizer: unknown type \"{}\" (expected \"word\", \"char\" or \"sentencepiece\")", t);
}

}  // namespace attn

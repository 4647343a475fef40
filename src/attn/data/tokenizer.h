#pragma once
// Tokenizer interface shared by the word, character and SentencePiece tokenizers.
// Ids are dense in [0, vocab_size()); id 0 is padding and id 1 is the unknown
// token in every tokenizer, so batching and masks never need to ask.
// Tokenizers serialise to JSON (stored in a checkpoint's config.json) and
// from_json rebuilds the right subclass from its "type" field.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace attn {

class Tokenizer {
 public:
  static constexpr std::int32_t kPadId = 0;
  static constexpr std::int32_t kUnkId = 1;

  virtual ~Tokenizer() = default;

  // text -> ids, each in [0, vocab_size()); unknown pieces map to unk_id().
  virtual std::vector<std::int32_t> encode(std::string_view text) const = 0;
  // ids -> text; padding is skipped. Throws attn::Error on an out-of-range id.
  virtual std::string decode(const std::vector<std::int32_t>& ids) const = 0;
  // The printable form of one id (for attention views and vocabulary dumps).
  virtual std::string token(std::int32_t id) const = 0;
  virtual std::int32_t vocab_size() const = 0;
  // {"type": ..., options..., "vocabulary": [...]}
  virtual nlohmann::json to_json() const = 0;

  std::int32_t pad_id() const { return kPadId; }
  std::int32_t unk_id() const { return kUnkId; }

  // Rebuilds a tokenizer from to_json() output; throws attn::Error naming the
  // offending key when the content is malformed.
  static std::unique_ptr<Tokenizer> from_json(const nlohmann::json& j);
};

// Throws attn::Error unless 0 <= id < vocab_size (shared by decode()).
void check_token_id(std::int32_t id, std::int32_t vocab_size);

// j[key] as an int in [min_value, INT32_MAX], `fallback` when absent; throws
// attn::Error naming the tokenizer type and key for a non-integer or out-of-range
// value (a float such as 1e22 must not reach an int conversion: found by fuzzing).
int int_from_json(const nlohmann::json& j, const char* key, int fallback, int min_value,
                  const char* type);

// Reads j["vocabulary"] for a tokenizer of `type`: an array of distinct strings
// whose first two entries are "" (padding) and "[UNK]"; throws on anything else.
std::vector<std::string> vocabulary_from_json(const nlohmann::json& j, const char* type);

// The vocabulary "" , "[UNK]", then the keys with count >= min_count by
// descending count (ties: ascending key, since Keras leaves ties unspecified
// and attn needs determinism), capped at max_size entries in total
// (max_size == 0: no cap). Shared by the word and character tokenizers.
std::vector<std::string> select_vocabulary(
    const std::unordered_map<std::string, std::int64_t>& counts, int max_size, int min_count);

}  // namespace attn

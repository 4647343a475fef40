// libFuzzer target: a saved tokenizer (tokenizer.json, the first line of the
// input), then encoding and decoding the rest of the input with it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attn/core/error.h"
#include "attn/data/tokenizer.h"
#include "attn/io/json_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view json_text = input.substr(0, newline);
  const std::string_view text =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  try {
    const auto tok = attn::Tokenizer::from_json(attn::parse_json_text(json_text, "tokenizer.json"));
    const auto ids = tok->encode(text);
    for (const auto id : ids)
      if (id < 0 || id >= tok->vocab_size()) __builtin_trap();  // ids must index the embedding
    tok->decode(ids);
  } catch (const attn::Error&) {
  }
  return 0;
}

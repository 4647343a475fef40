// libFuzzer target: a run's config.json (strict JSON, then the schema of the
// model / tokenizer / data / training sections).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attn/core/error.h"
#include "attn/io/json_parse.h"
#include "attn/train/run_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto json = attn::parse_json_text(
        std::string_view(reinterpret_cast<const char*>(data), size), "config.json");
    const auto cfg = attn::train::parse_run_config(json, "config.json");
    // What is accepted must round-trip: the checkpoint saves to_json(cfg).
    const auto again = attn::train::parse_run_config(attn::train::to_json(cfg), "again");
    if (attn::train::to_json(again) != attn::train::to_json(cfg)) __builtin_trap();
  } catch (const attn::Error&) {
  }
  return 0;
}

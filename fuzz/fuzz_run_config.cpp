// libFuzzer target: a run's config.json (strict JSON, then the schema of the
// model / tokenizer / data / training sections), for classifiers and, when
// model.type is "decoder_lm", for language models.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attn/core/error.h"
#include "attn/io/json_parse.h"
#include "attn/train/lm_config.h"
#include "attn/train/run_config.h"

namespace {

// What is accepted must round-trip: the checkpoint saves to_json(cfg).
template <typename Parse>
void check_round_trip(const nlohmann::json& json, Parse parse) {
  const auto cfg = parse(json, "config.json");
  const auto again = parse(attn::train::to_json(cfg), "again");
  if (attn::train::to_json(again) != attn::train::to_json(cfg)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto json = attn::parse_json_text(
        std::string_view(reinterpret_cast<const char*>(data), size), "config.json");
    if (attn::train::is_decoder_lm_config(json))
      check_round_trip(json, attn::train::parse_lm_run_config);
    else
      check_round_trip(json, attn::train::parse_run_config);
  } catch (const attn::Error&) {
  }
  return 0;
}

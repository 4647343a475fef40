// libFuzzer target: labelled data sets as JSONL or TSV (the first byte picks
// the format), then label encoding as training does it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attn/core/error.h"
#include "attn/data/examples_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto format = data[0] & 1 ? attn::ExampleFormat::tsv : attn::ExampleFormat::jsonl;
  try {
    const auto set = attn::parse_examples(
        std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), format, "fuzz");
    const auto labels = attn::sorted_labels(set);
    attn::encode_labels(set, labels);
  } catch (const attn::Error&) {
  }
  return 0;
}

// libFuzzer target: the output of Debian's `bible` program as the KJV reader
// parses it (verse references, wrapped lines, blank lines), then the split
// statistics computed from the verses.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attn/core/error.h"
#include "attn/data/kjv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto verses =
        attn::parse_bible_output(std::string_view(reinterpret_cast<const char*>(data), size));
    attn::text_split_stats(verses);
    const auto sizes = attn::kjv_split_sizes(verses.size());
    if (sizes[0] + sizes[1] + sizes[2] != verses.size()) __builtin_trap();
  } catch (const attn::Error&) {
  }
  return 0;
}

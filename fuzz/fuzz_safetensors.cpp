// libFuzzer target: a safetensors file (header JSON and tensor bytes) from
// anywhere must be rejected with attn::Error or decoded, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attn/core/error.h"
#include "attn/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto file = attn::decode_safetensors(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
    // Touch every decoded tensor: a shape/offset mistake shows up as an ASan report here.
    std::size_t sum = 0;
    for (const auto& [name, t] : file.tensors) {
      const auto* bytes = static_cast<const unsigned char*>(t.raw());
      for (std::size_t i = 0; i < t.nbytes(); ++i) sum += bytes[i];
    }
    return static_cast<int>(sum & 0);
  } catch (const attn::Error&) {
    return 0;  // a clear rejection is the expected outcome for bad input
  }
}

#include "attn/data/base64.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "attn/core/error.h"

namespace attn {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Byte -> 6-bit value, or -1 outside the alphabet.
constexpr std::array<std::int8_t, 256> make_values() {
  std::array<std::int8_t, 256> v{};
  for (auto& x : v) x = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    v[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return v;
}
constexpr std::array<std::int8_t, 256> kValues = make_values();

std::string shown(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x20 && u < 0x7F ? fmt::format("'{}'", c) : fmt::format("byte 0x{:02x}", u);
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 3; ++k)
      group = group << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    for (std::size_t k = 0; k < 4; ++k)
      out += k <= n ? kAlphabet[(group >> (18 - 6 * k)) & 63u] : '=';
  }
  return out;
}

std::string base64_decode(std::string_view text, std::string_view what) {
  ATTN_CHECK(text.size() % 4 == 0, "{}: base64 length {} is not a multiple of 4", what,
             text.size());
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    // '=' may only pad the last group: "xx==" or "xxx=".
    const bool last = i + 4 == text.size();
    std::size_t pad = 0;
    if (last) pad = text[i + 3] == '=' ? (text[i + 2] == '=' ? 2 : 1) : 0;
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      const int v = k >= 4 - pad ? 0 : kValues[static_cast<unsigned char>(c)];
      ATTN_CHECK(v >= 0, "{}: invalid base64 character {} at offset {}", what, shown(c), i + k);
      group = group << 6 | static_cast<std::uint32_t>(v);
    }
    for (std::size_t k = 0; k < 3 - pad; ++k)
      out += static_cast<char>((group >> (16 - 8 * k)) & 0xFFu);
  }
  return out;
}

}  // namespace attn

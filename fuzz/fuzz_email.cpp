// libFuzzer target: a raw RFC-822 / MIME message (headers, multipart bodies,
// quoted-printable, base64, RFC 2047 words, charsets, HTML), as the
// SpamAssassin reader sees each file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attn/core/error.h"
#include "attn/data/email.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto email =
        attn::parse_email(std::string_view(reinterpret_cast<const char*>(data), size));
    attn::email_to_text(email);
  } catch (const attn::Error&) {
  }
  return 0;
}

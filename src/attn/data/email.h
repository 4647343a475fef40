#pragma once
// Raw RFC 822 / MIME message -> clean UTF-8 text for text classification.
// Never throws on malformed mail: whatever can be read is returned.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace attn {

struct ParsedEmail {
  std::string subject;  // RFC 2047 decoded, UTF-8
  std::string from;     // RFC 2047 decoded, UTF-8
  // Text of the readable parts, in order, separated by blank lines: text/plain
  // as written, text/html flattened (html_text.h). In multipart/alternative the
  // text/plain version wins over the HTML one.
  std::string body_text;
  // Lower-cased names, first occurrence, unfolded; values as written (not
  // 2047-decoded) but made valid UTF-8.
  std::map<std::string, std::string> headers;
  int attachments = 0;  // parts skipped as non-text or Content-Disposition: attachment
  // Bytes of invalid input (bad UTF-8, bytes the declared charset rejects)
  // that became U+FFFD.
  std::size_t replaced_bytes = 0;
};

ParsedEmail parse_email(std::string_view raw);

// "Subject\n\nbody"; just the body when there is no subject, just the subject
// when there is no body.
std::string email_to_text(const ParsedEmail& email);

}  // namespace attn

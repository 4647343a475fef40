#pragma once
// MIME building blocks (RFC 2045-2047) for the email reader: header blocks,
// Content-Type parameters, transfer encodings, encoded-words and multipart
// splitting. All functions expect '\n' line ends (parse_email normalises CRLF
// and CR first) and are lenient: malformed input is decoded as far as it goes,
// never rejected, because the corpus is real-world mail.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attn {

struct MimeHeader {
  std::string name;   // lower-cased
  std::string value;  // unfolded (continuation lines joined by one space), trimmed
};

// A header block and the body after it; `body` views the input of split_entity.
struct MimeEntity {
  std::vector<MimeHeader> headers;
  std::string_view body;
};

// Splits "headers \n\n body". The header block ends at the first blank (or
// whitespace-only) line, or, for messages missing that blank line, at the first
// line that is neither "Name: value" nor a continuation. A leading mbox
// "From " envelope line is skipped.
MimeEntity split_entity(std::string_view text);

// Value of the first header called `name` (lower-case), or "" when absent.
std::string_view find_header(const std::vector<MimeHeader>& headers, std::string_view name);

// "text/html; charset=\"iso-8859-1\"" -> type "text", subtype "html",
// params {charset: iso-8859-1}. Names are lower-cased, values unquoted.
struct ContentType {
  std::string type;  // "" when the header was absent or unparsable
  std::string subtype;
  std::map<std::string, std::string> params;
};
ContentType parse_content_type(std::string_view value);

// Content-Transfer-Encoding decoders. QP: "=XX" -> byte, "=\n" soft break
// removed, a stray '=' kept. Base64: characters outside the alphabet
// (line breaks, junk) are skipped; '=' ends a quantum, so concatenated
// chunks still decode.
std::string decode_quoted_printable(std::string_view s, bool underscore_is_space = false);
std::string decode_base64(std::string_view s);
// Dispatches on the header value ("base64", "quoted-printable", anything else: identity).
std::string decode_transfer_encoding(std::string_view body, std::string_view encoding);

// Decodes RFC 2047 encoded-words (=?charset?B|Q?text?=) inside a header value
// to UTF-8; whitespace between adjacent encoded-words is dropped. Plain text
// around them is taken as UTF-8 when valid, else windows-1252.
std::string decode_rfc2047(std::string_view value, std::size_t* replaced);

// The bodies between "--boundary" lines (preamble and epilogue dropped). An
// unterminated last part runs to the end. Empty when no delimiter line occurs.
std::vector<std::string_view> split_multipart(std::string_view body, std::string_view boundary);

// For multipart bodies whose Content-Type lost its boundary parameter: the text
// after "--" on the first line that starts with "--", or "" when none does.
std::string guess_boundary(std::string_view body);

}  // namespace attn

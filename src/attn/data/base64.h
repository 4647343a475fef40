#pragma once
// Strict base64 (RFC 4648, standard alphabet, '=' padding) for binary blobs
// stored in JSON, such as a SentencePiece model inside tokenizer.json. Unlike
// the lenient MIME decoder (mime.h), nothing is skipped: a stray character or
// a bad length is an error, so a damaged blob is reported, not half-decoded.
#include <string>
#include <string_view>

namespace attn {

// bytes -> base64 text without line breaks.
std::string base64_encode(std::string_view bytes);

// base64 text -> bytes. Throws attn::Error naming `what` and the offset of the
// first character outside the alphabet, or the length when it is not a
// multiple of 4.
std::string base64_decode(std::string_view text, std::string_view what);

}  // namespace attn

#include "attn/data/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace attn {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

// Returns `s` with every U+FFFD written as '?' so failures print readably.
std::string show(std::string s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s.compare(i, 3, kFffd) == 0) {
      out += '?';
      i += 3;
    } else {
      out += s[i++];
    }
  }
  return out;
}

struct Case {
  std::string in;
  std::string want;  // '?' = U+FFFD
  std::size_t replaced;
};

TEST(Utf8, SanitizeFollowsMaximalSubpartRule) {
  // Expected values match Python's bytes.decode("utf-8", errors="replace").
  const Case cases[] = {
      {"plain ascii", "plain ascii", 0},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 0},
      {"\x80", "?", 1},                 // stray continuation byte
      {"\xC0\xAF", "??", 2},            // C0 can never start a sequence
      {"\xE0\x80\xAF", "???", 3},       // overlong 3-byte form
      {"\xED\xA0\x80", "???", 3},       // UTF-16 surrogate
      {"\xE2\x82", "?", 1},             // truncated at end of input
      {"\xE2\x82\x41", "?A", 1},        // truncated before ASCII 'A'
      {"\xF4\x90\x80\x80", "????", 4},  // above U+10FFFF
      {"\xF0\x9F\x98x", "?x", 1},       // 3 of 4 bytes, one U+FFFD
      {"\xF5\x80", "??", 2},
      {"\xFF", "?", 1},
      // Unicode 15 Table 3-8's example: a, F1 80 80, E1 80, C2, b, 80, c, 80, BF, d.
      {"\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", "a???b?c??d", 6},
  };
  for (const Case& c : cases) {
    std::string s = c.in;
    EXPECT_EQ(sanitize_utf8(s), c.replaced) << show(c.in);
    EXPECT_EQ(show(s), c.want);
    EXPECT_TRUE(is_valid_utf8(s));
    EXPECT_EQ(is_valid_utf8(c.in), c.replaced == 0);
  }
}

TEST(Utf8, DecodeReportsCodePointAndLength) {
  const std::string s = "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  DecodedChar d = decode_utf8_at(s, 0);
  EXPECT_EQ(d.cp, U'A');
  EXPECT_EQ(d.length, 1u);
  d = decode_utf8_at(s, 1);
  EXPECT_EQ(d.cp, U'\u00E9');
  EXPECT_EQ(d.length, 2u);
  d = decode_utf8_at(s, 3);
  EXPECT_EQ(d.cp, U'\u20AC');
  EXPECT_EQ(d.length, 3u);
  d = decode_utf8_at(s, 6);
  EXPECT_EQ(d.cp, U'\U0001F600');
  EXPECT_EQ(d.length, 4u);
  EXPECT_TRUE(d.valid);
  d = decode_utf8_at("\xE2\x82", 0);
  EXPECT_FALSE(d.valid);
  EXPECT_EQ(d.cp, kReplacementChar);
  EXPECT_EQ(d.length, 2u);
}

TEST(Utf8, EncodeRoundTripsEveryPlaneBoundary) {
  for (char32_t cp : {U'\0', U'\x7F', U'\x80', U'\u07FF', U'\u0800', U'\uD7FF', U'\uE000',
                      U'\uFFFF', U'\U00010000', U'\U0010FFFF'}) {
    const std::string s = encode_utf8(cp);
    ASSERT_TRUE(is_valid_utf8(s));
    const DecodedChar d = decode_utf8_at(s, 0);
    EXPECT_EQ(d.cp, cp);
    EXPECT_EQ(d.length, s.size());
  }
  // Surrogates and out-of-range values are never emitted.
  EXPECT_EQ(encode_utf8(0xD800), kFffd);
  EXPECT_EQ(encode_utf8(0x110000), kFffd);
}

TEST(Utf8, CodePointIterationAndConversion) {
  const std::string s = "h\xC3\xA9llo\x80!";
  const std::vector<char32_t> cps = to_code_points(s);
  const std::vector<char32_t> want = {U'h', U'\u00E9', U'l', U'l', U'o', kReplacementChar, U'!'};
  EXPECT_EQ(cps, want);
  std::string fixed = s;
  sanitize_utf8(fixed);
  EXPECT_EQ(from_code_points(cps), fixed);
  std::string rebuilt;
  for_each_code_point(s, [&](char32_t, std::string_view bytes) { rebuilt += bytes; });
  EXPECT_EQ(rebuilt, s);  // byte views cover the input exactly, invalid bytes included
}

}  // namespace
}  // namespace attn

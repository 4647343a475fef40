// Strict base64: RFC 4648 test vectors, every byte value, and one test per
// kind of damage (a character outside the alphabet, a bad length, padding in
// the middle).
#include "attn/data/base64.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace attn {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded) << plain;
    EXPECT_EQ(base64_decode(encoded, "test"), plain) << encoded;
  }
}

TEST(Base64, EveryByteValueRoundTrips) {
  std::string bytes;
  for (int rep = 0; rep < 3; ++rep)
    for (int b = 0; b < 256; ++b) bytes += static_cast<char>(b);
  for (std::size_t n : {bytes.size(), bytes.size() - 1, bytes.size() - 2})
    EXPECT_EQ(base64_decode(base64_encode(bytes.substr(0, n)), "test"), bytes.substr(0, n));
  EXPECT_EQ(base64_encode("\xFB\xFF"), "+/8=");
}

TEST(Base64, CharacterOutsideTheAlphabet) {
  const std::string e = test::error_of([] { base64_decode("Zm9v\nYmF", "blob"); });
  EXPECT_NE(e.find("blob: invalid base64 character byte 0x0a at offset 4"), std::string::npos) << e;
}

TEST(Base64, LengthNotAMultipleOfFour) {
  const std::string e = test::error_of([] { base64_decode("Zm9vYg=", "blob"); });
  EXPECT_NE(e.find("length 7 is not a multiple of 4"), std::string::npos) << e;
}

TEST(Base64, PaddingBeforeTheEnd) {
  const std::string e = test::error_of([] { base64_decode("Zg==Zm9v", "blob"); });
  EXPECT_NE(e.find("'=' at offset 2"), std::string::npos) << e;
}

}  // namespace
}  // namespace attn

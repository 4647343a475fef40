// safetensors: round trips, the exact byte layout of the reference writer, and
// one test per way a file can be broken, each checking that the message names
// the file and the specific problem.
#include "attn/io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "attn/core/error.h"
#include "attn/io/atomic_file.h"
#include "test_util.h"

namespace attn {
namespace {

const std::string kSource = "bad.safetensors";

// u64 little-endian header size, the header as given, then the data bytes.
std::string assemble(const std::string& header, const std::string& data) {
  std::string out;
  const std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + header + data;
}

std::string decode_error(const std::string& bytes) {
  try {
    decode_safetensors(bytes, kSource);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected attn::Error";
  return "";
}

// The message names the file and contains every given fragment.
void expect_error(const std::string& bytes, std::initializer_list<std::string> fragments) {
  const std::string msg = decode_error(bytes);
  EXPECT_NE(msg.find(kSource), std::string::npos) << msg;
  for (const auto& f : fragments)
    EXPECT_NE(msg.find(f), std::string::npos) << "want '" << f << "' in: " << msg;
}

std::string bytes_of(const Tensor& t) {
  return std::string(static_cast<const char*>(t.raw()), t.nbytes());
}

Tensor make(Shape shape, DType dtype, int seed) {
  Tensor t = Tensor::empty(std::move(shape), dtype);
  auto* p = static_cast<unsigned char*>(t.raw());
  for (std::size_t i = 0; i < t.nbytes(); ++i) p[i] = static_cast<unsigned char>(i * 37 + seed);
  return t;
}

void expect_same(const TensorMap& got, const TensorMap& want) {
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, t] : want) {
    auto it = got.find(name);
    ASSERT_NE(it, got.end()) << name;
    EXPECT_EQ(it->second.dtype(), t.dtype()) << name;
    EXPECT_EQ(it->second.shape(), t.shape()) << name;
    EXPECT_EQ(bytes_of(it->second), bytes_of(t)) << name;
  }
}

TEST(Safetensors, RoundTripAllDtypesEmptyAndScalar) {
  TensorMap m;
  m["enc.w"] = make({2, 3}, DType::f32, 1);
  m["half"] = make({5}, DType::bf16, 2);
  m["ids"] = make({2, 2}, DType::i32, 3);
  m["mask"] = make({7}, DType::u8, 4);
  m["empty"] = Tensor::empty({0, 3}, DType::f32);
  m["scalar"] = Tensor::from({}, {2.5f});
  const MetadataMap meta{{"format", "pt"}, {"step", "12"}};
  const SafetensorsData d = decode_safetensors(encode_safetensors(m, meta), "mem");
  expect_same(d.tensors, m);
  EXPECT_EQ(d.metadata, meta);
  EXPECT_EQ(d.tensors.at("scalar").item(), 2.5f);
}

TEST(Safetensors, ArbitraryTensorNames) {
  TensorMap m;
  for (const std::string name : {"", "with space", "quote\"back\\slash", "ünï/cödé.λ", "\n\t"}) {
    m[name] = make({3}, DType::u8, static_cast<int>(name.size()));
  }
  expect_same(decode_safetensors(encode_safetensors(m), "mem").tensors, m);
}

TEST(Safetensors, EncoderRejectsReservedAndInvalidNames) {
  TensorMap m;
  m["__metadata__"] = make({1}, DType::u8, 0);
  EXPECT_THROW(encode_safetensors(m), Error);
  TensorMap bad_utf8;
  bad_utf8["\xff\xfe"] = make({1}, DType::u8, 0);
  EXPECT_THROW(encode_safetensors(bad_utf8), Error);
  TensorMap undefined;
  undefined["x"] = Tensor();
  EXPECT_THROW(encode_safetensors(undefined), Error);
}

// The reference implementation's own test vector (huggingface/safetensors,
// bindings/python/tests/test_simple.py): a [2,2] I32 zero tensor named "test".
TEST(Safetensors, MatchesReferenceWriterBytes) {
  TensorMap m;
  m["test"] = Tensor::zeros({2, 2}, DType::i32);
  const std::string want = std::string("@\0\0\0\0\0\0\0", 8) +
                           R"({"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}})" +
                           "    " + std::string(16, '\0');
  EXPECT_EQ(encode_safetensors(m), want);
}

TEST(Safetensors, HeaderLayoutPrefixAndPadding) {
  TensorMap m;
  m["b"] = make({3}, DType::u8, 1);
  m["a"] = make({1, 2}, DType::f32, 2);
  const std::string bytes = encode_safetensors(m, {{"k", "v"}});
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  const std::string header = bytes.substr(8, n);
  EXPECT_EQ((8 + n) % 8, 0u);
  const std::string json =
      R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}})";
  ASSERT_GE(header.size(), json.size());
  EXPECT_EQ(header.substr(0, json.size()), json);
  EXPECT_EQ(header.substr(json.size()), std::string(header.size() - json.size(), ' '));
  EXPECT_LT(header.size() - json.size(), 8u);
  EXPECT_EQ(bytes.size(), 8 + n + 11);
  EXPECT_EQ(bytes.substr(8 + n), bytes_of(m["a"]) + bytes_of(m["b"]));
  // Deterministic: same map built in another order gives the same bytes.
  TensorMap m2;
  m2["a"] = m["a"].clone();
  m2["b"] = m["b"].clone();
  EXPECT_EQ(encode_safetensors(m2, {{"k", "v"}}), bytes);
}

// A hand-written file in the reference layout: metadata, unsorted entries,
// an unpadded header, known float and bf16 bit patterns.
TEST(Safetensors, DecodesHandAssembledFile) {
  const std::string header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},)"
                             R"( "h" : {"shape":[2],"dtype":"BF16","data_offsets":[0,4]},)"
                             R"("__metadata__":{"framework":"pt"}})";
  const std::string data = std::string("\x80\x3f\x00\xc0", 4) +                 // bf16 1.0, -2.0
                           std::string("\x00\x00\x80\x3f\x00\x00\x20\xc1", 8);  // f32 1, -10
  const SafetensorsData d = decode_safetensors(assemble(header, data), "hand");
  EXPECT_EQ(d.metadata, (MetadataMap{{"framework", "pt"}}));
  ASSERT_EQ(d.tensors.size(), 2u);
  const Tensor& w = d.tensors.at("w");
  EXPECT_EQ(w.shape(), (Shape{2}));
  EXPECT_EQ(w.to_vector(), (std::vector<float>{1.0f, -10.0f}));
  const Tensor& h = d.tensors.at("h");
  EXPECT_EQ(h.dtype(), DType::bf16);
  EXPECT_EQ(h.data_as<std::uint16_t>()[0], 0x3f80);
  EXPECT_EQ(h.data_as<std::uint16_t>()[1], 0xc000);
}

// The reference test vector with metadata and 7 padding spaces (N = 0x66).
TEST(Safetensors, DecodesReferenceVectorWithMetadata) {
  const std::string header =
      R"({"__metadata__":{"framework":"pt"},"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}})"
      "       ";
  ASSERT_EQ(header.size(), 0x66u);
  const SafetensorsData d = decode_safetensors(assemble(header, std::string(16, '\0')), "ref");
  EXPECT_EQ(d.metadata.at("framework"), "pt");
  EXPECT_EQ(d.tensors.at("test1").shape(), (Shape{2, 2}));
  EXPECT_EQ(d.tensors.at("test1").data_as<std::int32_t>()[3], 0);
}

TEST(Safetensors, SaveAndLoadFile) {
  const auto dir = test::make_temp_dir("st");
  TensorMap m;
  m["x"] = make({4, 4}, DType::f32, 9);
  save_safetensors(dir / "m.safetensors", m, {{"a", "b"}});
  const SafetensorsData d = load_safetensors(dir / "m.safetensors");
  expect_same(d.tensors, m);
  EXPECT_EQ(d.metadata.at("a"), "b");
  std::filesystem::remove_all(dir);
}

TEST(Safetensors, LoadErrorsNameThePath) {
  const auto dir = test::make_temp_dir("st");
  const auto p = dir / "broken.safetensors";
  test::write_file(p, "xyz");
  try {
    load_safetensors(p);
    ADD_FAILURE() << "expected attn::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_safetensors(dir / "missing.safetensors"), Error);
  std::filesystem::remove_all(dir);
}

TEST(SafetensorsCorrupt, ShorterThanSizePrefix) {
  expect_error("", {"0 bytes", "8-byte"});
  expect_error("abcdefg", {"7 bytes", "8-byte"});
}

TEST(SafetensorsCorrupt, HeaderSizePastEndOfFile) {
  std::string bytes = assemble("{}", "");
  bytes[0] = static_cast<char>(200);  // claims 200 header bytes, file has 10
  expect_error(bytes, {"header size 200", "10 bytes"});
  std::string huge(8, '\xff');
  expect_error(huge + "{}", {"header size 18446744073709551615", "10 bytes"});
}

TEST(SafetensorsCorrupt, HeaderNotJson) {
  expect_error(assemble(R"({"a": x})", ""), {"not valid JSON", "header byte 6", "file byte 14"});
  expect_error(assemble(R"({"a":)", ""), {"not valid JSON"});
}

TEST(SafetensorsCorrupt, HeaderNotObject) {
  expect_error(assemble("[1, 2]", ""), {"must be a JSON object", "[1,2]"});
}

TEST(SafetensorsCorrupt, UnknownDtype) {
  expect_error(assemble(R"({"t":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}})", "ab"),
               {"\"t\"", "unsupported dtype \"F16\""});
  expect_error(assemble(R"({"t":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", "abcd"),
               {"\"t\"", "dtype must be a string"});
}

TEST(SafetensorsCorrupt, BadShape) {
  for (const std::string shape : {R"([2,-1])", R"("2")", R"([2.5])", R"([null])", R"({})"}) {
    expect_error(
        assemble(R"({"t":{"dtype":"U8","shape":)" + shape + R"(,"data_offsets":[0,2]}})", "ab"),
        {"\"t\"", "shape must be a list of non-negative integers"});
  }
}

TEST(SafetensorsCorrupt, RankAboveTheMaximum) {
  expect_error(
      assemble(R"({"t":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,2],"data_offsets":[0,2]}})", "ab"),
      {"\"t\"", "has rank 9; attn supports at most 8 dimensions"});
}

TEST(SafetensorsCorrupt, BadDataOffsets) {
  for (const std::string off : {"[0]", "[0,1,2]", R"(["0",2])", "[-1,2]", "4"}) {
    expect_error(assemble(R"({"t":{"dtype":"U8","shape":[2],"data_offsets":)" + off + "}}", "ab"),
                 {"\"t\"", "data_offsets must be [begin, end]"});
  }
  expect_error(assemble(R"({"t":{"dtype":"U8","shape":[0],"data_offsets":[2,0]}})", "ab"),
               {"\"t\"", "[2, 0] has begin > end"});
}

TEST(SafetensorsCorrupt, MissingOrUnknownField) {
  expect_error(assemble(R"({"t":{"dtype":"U8","shape":[2]}})", "ab"),
               {"\"t\"", "missing field \"data_offsets\""});
  expect_error(assemble(R"({"t":{"dtype":"U8","shape":[2],"data_offsets":[0,2],"x":1}})", "ab"),
               {"\"t\"", "unknown field \"x\""});
  expect_error(assemble(R"({"t":[1]})", "ab"), {"\"t\"", "expected an object"});
}

TEST(SafetensorsCorrupt, ByteLengthMismatch) {
  expect_error(assemble(R"({"enc.w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                        std::string(8, '\0')),
               {"\"enc.w\"", "hold 8 bytes", "needs 3 x 4 = 12"});
}

TEST(SafetensorsCorrupt, OffsetsPastBufferEnd) {
  const std::string header = R"({"t":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})";
  expect_error(assemble(header, "abc"),
               {"\"t\"", "run past the end of the data buffer (3 bytes", "[0, 4]"});
}

TEST(SafetensorsCorrupt, OverlappingTensors) {
  expect_error(assemble(R"({"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},)"
                        R"("b":{"dtype":"U8","shape":[3],"data_offsets":[2,5]}})",
                        "abcde"),
               {"\"a\" [0, 3]", "\"b\" [2, 5]", "overlap"});
}

TEST(SafetensorsCorrupt, HoleBetweenTensors) {
  expect_error(assemble(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                        R"("b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}})",
                        "abcde"),
               {"hole", "bytes [2, 3)"});
}

TEST(SafetensorsCorrupt, TrailingBytesNotCovered) {
  expect_error(assemble(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", "abcd"),
               {"4 bytes", "cover only 2"});
  expect_error(assemble("{}", "x"), {"1 bytes", "cover only 0"});
}

TEST(SafetensorsCorrupt, MetadataNotStrings) {
  expect_error(assemble(R"({"__metadata__":{"step":3}})", ""),
               {"__metadata__", "\"step\"", "must be a string, got 3"});
  expect_error(assemble(R"({"__metadata__":["a"]})", ""), {"__metadata__", "must be an object"});
}

TEST(SafetensorsCorrupt, DuplicateKeys) {
  expect_error(assemble(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                        R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                        "ab"),
               {"duplicate key \"a\"", "header byte 53 (file byte 61)"});
  expect_error(
      assemble(R"({"a":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}})", "a"),
      {"duplicate key \"dtype\""});
}

TEST(SafetensorsCorrupt, TruncatedAtEveryInterestingPoint) {
  TensorMap m;
  m["a"] = make({3, 5}, DType::f32, 1);
  m["b"] = make({2}, DType::i32, 2);
  const std::string full = encode_safetensors(m);
  std::uint64_t n = 0;
  std::memcpy(&n, full.data(), 8);
  for (std::size_t cut :
       {std::size_t{0}, std::size_t{3}, std::size_t{7}, std::size_t{8}, std::size_t{20}, 8 + n - 1,
        8 + n, 8 + n + 1, 8 + n + 60, full.size() - 1}) {
    SCOPED_TRACE(cut);
    ASSERT_LT(cut, full.size());
    const std::string msg = decode_error(full.substr(0, cut));
    EXPECT_NE(msg.find(kSource), std::string::npos) << msg;
  }
  EXPECT_NO_THROW(decode_safetensors(full, kSource));
}

}  // namespace
}  // namespace attn

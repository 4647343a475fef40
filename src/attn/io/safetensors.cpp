#include "attn/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "attn/core/error.h"
#include "attn/io/atomic_file.h"
#include "attn/io/json_parse.h"

namespace attn {
namespace {

// Tensor storage is copied as raw bytes, and safetensors is little-endian.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes little-endian");

constexpr std::size_t kSizePrefix = 8;
constexpr const char* kMetadataKey = "__metadata__";

std::optional<DType> dtype_from_name(const std::string& s) {
  for (DType t : {DType::f32, DType::bf16, DType::i32, DType::u8}) {
    if (s == dtype_name(t)) return t;
  }
  return std::nullopt;
}

// JSON string literal; names are arbitrary but must be UTF-8 to be valid JSON.
std::string json_quote(const std::string& s, const char* what) {
  try {
    return nlohmann::json(s).dump();
  } catch (const nlohmann::json::type_error&) {
    fail("safetensors: {} is not valid UTF-8: {}", what, json_preview(nlohmann::json(s)));
  }
}

std::string quoted(const std::string& name) { return json_preview(nlohmann::json(name), 120); }

void put_u64_le(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_u64_le(std::string_view b) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(b[static_cast<std::size_t>(i)]);
  return v;
}

// One header entry after validation; offsets are relative to the data buffer.
struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin, end;
};

// The decoder's context: every message starts with the file name.
struct Decoder {
  const std::string& source;
  std::uint64_t data_start;  // file offset of the data buffer, for messages

  template <typename... Args>
  [[noreturn]] void error(fmt::format_string<Args...> f, Args&&... args) const {
    fail("{}: invalid safetensors file: {}", source, fmt::format(f, std::forward<Args>(args)...));
  }

  // A JSON value that must be a non-negative integer (nlohmann: unsigned).
  static bool as_u64(const nlohmann::json& v, std::uint64_t& out) {
    if (!v.is_number_unsigned()) {
      if (v.is_number_integer() && v.get<std::int64_t>() == 0) {
        out = 0;
        return true;
      }
      return false;
    }
    out = v.get<std::uint64_t>();
    return true;
  }

  Entry parse_entry(const std::string& name, const nlohmann::json& info,
                    std::uint64_t buffer_size) const {
    const std::string q = quoted(name);
    if (!info.is_object()) error("tensor {}: expected an object, got {}", q, json_preview(info));
    for (const auto& [key, _] : info.items()) {
      if (key != "dtype" && key != "shape" && key != "data_offsets") {
        error("tensor {}: unknown field {} (expected dtype, shape, data_offsets)", q, quoted(key));
      }
    }
    for (const char* key : {"dtype", "shape", "data_offsets"}) {
      if (!info.contains(key)) error("tensor {}: missing field \"{}\"", q, key);
    }
    Entry e{name, DType::f32, {}, 0, 0};

    const auto& dt = info["dtype"];
    if (!dt.is_string()) error("tensor {}: dtype must be a string, got {}", q, json_preview(dt));
    const auto dtype = dtype_from_name(dt.get<std::string>());
    if (!dtype) {
      error("tensor {}: unsupported dtype {} (attn reads F32, BF16, I32, U8)", q, json_preview(dt));
    }
    e.dtype = *dtype;

    const auto& shape = info["shape"];
    std::uint64_t numel = 1;
    bool shape_ok = shape.is_array();
    if (shape_ok && shape.size() > Shape::kMaxRank) {
      error("tensor {}: shape {} has rank {}; attn supports at most {} dimensions", q,
            json_preview(shape), shape.size(), Shape::kMaxRank);
    }
    for (std::size_t i = 0; shape_ok && i < shape.size(); ++i) {
      std::uint64_t d = 0;
      shape_ok =
          as_u64(shape[i], d) && d <= std::uint64_t(std::numeric_limits<std::int64_t>::max());
      if (!shape_ok) break;
      if (__builtin_mul_overflow(numel, d, &numel)) {
        error("tensor {}: shape {} has too many elements", q, json_preview(shape));
      }
      e.shape.push_back(static_cast<std::int64_t>(d));
    }
    if (!shape_ok) {
      error("tensor {}: shape must be a list of non-negative integers, got {}", q,
            json_preview(shape));
    }

    const auto& off = info["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !as_u64(off[0], e.begin) || !as_u64(off[1], e.end)) {
      error("tensor {}: data_offsets must be [begin, end] with non-negative integers, got {}", q,
            json_preview(off));
    }
    if (e.begin > e.end) {
      error("tensor {}: data_offsets [{}, {}] has begin > end", q, e.begin, e.end);
    }
    std::uint64_t want = 0;
    if (__builtin_mul_overflow(numel, std::uint64_t(dtype_size(e.dtype)), &want)) {
      error("tensor {}: shape {} has too many elements", q, json_preview(shape));
    }
    if (e.end - e.begin != want) {
      error("tensor {}: data_offsets [{}, {}] hold {} bytes, but shape {} x {} needs {} x {} = {}",
            q, e.begin, e.end, e.end - e.begin, shape_str(e.shape), dtype_name(e.dtype), numel,
            dtype_size(e.dtype), want);
    }
    if (e.end > buffer_size) {
      error(
          "tensor {}: data_offsets [{}, {}] (file bytes {}..{}) run past the end of the data "
          "buffer ({} bytes, file ends at byte {})",
          q, e.begin, e.end, data_start + e.begin, data_start + e.end, buffer_size,
          data_start + buffer_size);
    }
    return e;
  }

  // The format requires the tensors to tile the buffer: sorted by offset, each
  // starts where the previous one ended, and the last ends at the buffer end.
  void check_coverage(std::vector<Entry>& entries, std::uint64_t buffer_size) const {
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t cursor = 0;
    const Entry* prev = nullptr;
    for (const Entry& e : entries) {
      if (e.begin < cursor) {
        error("tensors {} [{}, {}] and {} [{}, {}] overlap in the data buffer", quoted(prev->name),
              prev->begin, prev->end, quoted(e.name), e.begin, e.end);
      }
      if (e.begin > cursor) {
        error("hole in the data buffer: bytes [{}, {}) (file bytes {}..{}) belong to no tensor",
              cursor, e.begin, data_start + cursor, data_start + e.begin);
      }
      cursor = e.end;
      prev = &e;
    }
    if (cursor != buffer_size) {
      error(
          "data buffer has {} bytes but the tensors cover only {}: bytes [{}, {}) (file bytes "
          "{}..{}) belong to no tensor",
          buffer_size, cursor, cursor, buffer_size, data_start + cursor, data_start + buffer_size);
    }
  }

  MetadataMap parse_metadata(const nlohmann::json& meta) const {
    if (!meta.is_object()) {
      error("\"{}\" must be an object of strings, got {}", kMetadataKey, json_preview(meta));
    }
    MetadataMap out;
    for (const auto& [key, value] : meta.items()) {
      if (!value.is_string()) {
        error("\"{}\" value of {} must be a string, got {}", kMetadataKey, quoted(key),
              json_preview(value));
      }
      out.emplace(key, value.get<std::string>());
    }
    return out;
  }
};

}  // namespace

std::string encode_safetensors(const TensorMap& tensors, const MetadataMap& metadata) {
  std::string header = "{";
  if (!metadata.empty()) {
    header += json_quote(kMetadataKey, "metadata key") + ":{";
    bool first = true;
    for (const auto& [k, v] : metadata) {
      if (!first) header += ',';
      first = false;
      header += json_quote(k, "metadata key") + ":" + json_quote(v, "metadata value");
    }
    header += '}';
  }
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    ATTN_CHECK(name != kMetadataKey, "safetensors: \"{}\" cannot be a tensor name", kMetadataKey);
    ATTN_CHECK(t.defined(), "safetensors: tensor {} is undefined", quoted(name));
    if (header.size() > 1) header += ',';
    const std::uint64_t end = offset + t.nbytes();
    header += fmt::format("{}:{{\"dtype\":\"{}\",\"shape\":[{}],\"data_offsets\":[{},{}]}}",
                          json_quote(name, "tensor name"), dtype_name(t.dtype()),
                          fmt::join(t.shape(), ","), offset, end);
    offset = end;
  }
  header += '}';
  // Pad so the data buffer starts at a multiple of 8, as the reference writer does.
  header.append((8 - header.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(kSizePrefix + header.size() + offset);
  put_u64_le(out, header.size());
  out += header;
  for (const auto& [name, t] : tensors) {
    out.append(static_cast<const char*>(t.raw()), t.nbytes());
  }
  return out;
}

void save_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                      const MetadataMap& metadata) {
  write_file_atomic(path, encode_safetensors(tensors, metadata));
}

SafetensorsData decode_safetensors(std::string_view bytes, const std::string& source_name) {
  Decoder d{source_name, kSizePrefix};
  if (bytes.size() < kSizePrefix) {
    d.error("file is {} bytes, shorter than the 8-byte header size", bytes.size());
  }
  const std::uint64_t n = get_u64_le(bytes);
  const std::uint64_t avail = bytes.size() - kSizePrefix;
  if (n > avail) {
    d.error("header size {} runs past the end of the file ({} bytes, {} after the size prefix)", n,
            bytes.size(), avail);
  }
  d.data_start = kSizePrefix + n;
  const std::string_view header_text = bytes.substr(kSizePrefix, n);
  JsonParseResult parsed = parse_json_strict(header_text);
  if (!parsed.ok) {
    d.error("header is not valid JSON at header byte {} (file byte {}): {}", parsed.offset,
            kSizePrefix + parsed.offset, parsed.reason);
  }
  const nlohmann::json& header = parsed.value;
  if (!header.is_object()) d.error("header must be a JSON object, got {}", json_preview(header));

  const std::string_view buffer = bytes.substr(kSizePrefix + n);
  SafetensorsData out;
  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == kMetadataKey) {
      out.metadata = d.parse_metadata(info);
    } else {
      entries.push_back(d.parse_entry(name, info, buffer.size()));
    }
  }
  d.check_coverage(entries, buffer.size());

  for (const Entry& e : entries) {
    Tensor t = Tensor::empty(e.shape, e.dtype);
    // Empty tensors may have no storage; memcpy with a null pointer is undefined.
    if (t.nbytes() > 0) std::memcpy(t.raw(), buffer.data() + e.begin, t.nbytes());
    out.tensors.emplace(e.name, std::move(t));
  }
  return out;
}

SafetensorsData load_safetensors(const std::filesystem::path& path) {
  return decode_safetensors(read_file_bytes(path), path.string());
}

}  // namespace attn

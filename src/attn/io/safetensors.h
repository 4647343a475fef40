#pragma once
// The safetensors file format (the one PyTorch / Hugging Face use), so attn
// checkpoints load in `safetensors.torch.load_file` and vice versa:
//   u64 little-endian N | N bytes of JSON header, space-padded | data buffer
//   header: {"__metadata__": {"k": "v", ...},
//            "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
// Offsets are relative to the start of the data buffer; tensors must cover the
// buffer exactly, with no overlap and no hole. attn reads and writes the dtypes
// it has: F32, BF16, I32, U8.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "attn/core/tensor.h"

namespace attn {

using TensorMap = std::map<std::string, Tensor>;
using MetadataMap = std::map<std::string, std::string>;

struct SafetensorsData {
  TensorMap tensors;
  MetadataMap metadata;
};

// Deterministic byte-for-byte: tensors in name order, compact JSON with keys
// dtype, shape, data_offsets (the same bytes the reference writer produces for
// a single-dtype map), header padded with spaces so the data starts 8-aligned.
std::string encode_safetensors(const TensorMap& tensors, const MetadataMap& metadata = {});

// encode_safetensors + write_file_atomic.
void save_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                      const MetadataMap& metadata = {});

// Validates everything and throws attn::Error naming `source_name`, the tensor
// and the byte offsets involved. Tensors are copied out of `bytes`.
SafetensorsData decode_safetensors(std::string_view bytes, const std::string& source_name);

SafetensorsData load_safetensors(const std::filesystem::path& path);

}  // namespace attn

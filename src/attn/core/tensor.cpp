#include "attn/core/tensor.h"

#include <algorithm>
#include <cstring>

#include "attn/core/arena.h"

namespace attn {

std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::f32:
    case DType::i32:
      return 4;
    case DType::bf16:
      return 2;
    case DType::u8:
      return 1;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::f32:
      return "F32";
    case DType::bf16:
      return "BF16";
    case DType::i32:
      return "I32";
    case DType::u8:
      return "U8";
  }
  return "?";
}

std::int64_t shape_numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) {
    ATTN_CHECK(d >= 0, "negative dimension in shape {}", shape_str(s));
    n *= d;
  }
  return n;
}

std::string shape_str(const Shape& s) { return fmt::format("[{}]", fmt::join(s, ", ")); }

Tensor Tensor::empty(Shape shape, DType dtype) {
  Tensor t;
  t.numel_ = shape_numel(shape);
  t.shape_ = std::move(shape);
  t.dtype_ = dtype;
  t.storage_ = Arena::global().acquire(t.nbytes());
  return t;
}

Tensor Tensor::zeros(Shape shape, DType dtype) {
  Tensor t = empty(std::move(shape), dtype);
  t.zero_();
  return t;
}

Tensor Tensor::full(Shape shape, float value) {
  Tensor t = empty(std::move(shape));
  t.fill_(value);
  return t;
}

Tensor Tensor::from(Shape shape, const std::vector<float>& values) {
  Tensor t = empty(std::move(shape));
  ATTN_CHECK(static_cast<std::int64_t>(values.size()) == t.numel(),
             "Tensor::from: shape {} needs {} values, got {}", shape_str(t.shape()), t.numel(),
             values.size());
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

Tensor Tensor::from_i32(const std::vector<std::int32_t>& values) {
  Tensor t = empty({static_cast<std::int64_t>(values.size())}, DType::i32);
  std::copy(values.begin(), values.end(), t.data_as<std::int32_t>());
  return t;
}

std::int64_t Tensor::dim(int axis) const {
  const int r = rank();
  const int a = axis < 0 ? axis + r : axis;
  ATTN_CHECK(a >= 0 && a < r, "axis {} out of range for shape {}", axis, shape_str(shape_));
  return shape_[static_cast<std::size_t>(a)];
}

float* Tensor::data() {
  ATTN_CHECK(dtype_ == DType::f32, "expected an F32 tensor, got {}", dtype_name(dtype_));
  return reinterpret_cast<float*>(storage_.get());
}

const float* Tensor::data() const {
  ATTN_CHECK(dtype_ == DType::f32, "expected an F32 tensor, got {}", dtype_name(dtype_));
  return reinterpret_cast<const float*>(storage_.get());
}

float Tensor::item() const {
  ATTN_CHECK(numel_ == 1, "item() needs a 1-element tensor, got shape {}", shape_str(shape_));
  return data()[0];
}

Tensor Tensor::reshape(Shape shape) const {
  std::int64_t known = 1;
  int infer = -1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      ATTN_CHECK(infer < 0, "reshape: more than one -1 in {}", shape_str(shape));
      infer = static_cast<int>(i);
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    ATTN_CHECK(known > 0 && numel_ % known == 0, "reshape: cannot infer -1 in {} from {}",
               shape_str(shape), shape_str(shape_));
    shape[static_cast<std::size_t>(infer)] = numel_ / known;
  }
  ATTN_CHECK(shape_numel(shape) == numel_, "reshape: {} has {} elements, {} has {}",
             shape_str(shape_), numel_, shape_str(shape), shape_numel(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_, dtype_);
  if (nbytes() > 0) std::memcpy(t.raw(), raw(), nbytes());
  return t;
}

void Tensor::zero_() {
  if (nbytes() > 0) std::memset(raw(), 0, nbytes());
}

void Tensor::fill_(float v) { std::fill(data(), data() + numel_, v); }

void Tensor::copy_from(const Tensor& other) {
  ATTN_CHECK(other.numel_ == numel_ && other.dtype_ == dtype_, "copy_from: shape {} {} into {} {}",
             shape_str(other.shape_), dtype_name(other.dtype_), shape_str(shape_),
             dtype_name(dtype_));
  if (nbytes() > 0) std::memcpy(raw(), other.raw(), nbytes());
}

std::vector<float> Tensor::to_vector() const { return std::vector<float>(data(), data() + numel_); }

}  // namespace attn

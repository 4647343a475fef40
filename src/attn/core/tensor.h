#pragma once
// Tensor: a dense, contiguous, row-major n-d array that shares its storage
// (reshape is free). f32 is the compute type; bf16, i32 and u8 are storage
// types ready for later issues. Storage comes from the Arena pool.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/core/shape.h"

namespace attn {

enum class DType : std::uint8_t { f32, bf16, i32, u8 };

std::size_t dtype_size(DType t);
const char* dtype_name(DType t);

std::int64_t shape_numel(const Shape& s);
std::string shape_str(const Shape& s);  // "[2, 3, 4]"

class Tensor {
 public:
  Tensor() = default;

  // Uninitialised contents (from the arena pool).
  static Tensor empty(Shape shape, DType dtype = DType::f32);
  static Tensor zeros(Shape shape, DType dtype = DType::f32);
  static Tensor full(Shape shape, float value);
  static Tensor from(Shape shape, const std::vector<float>& values);
  // A 1-d i32 copy of values (arena storage: ops keep ids and targets for the
  // backward pass this way without a heap allocation per step).
  static Tensor from_i32(const std::vector<std::int32_t>& values);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  // dim(-1) is the last axis; throws on an out-of-range axis.
  std::int64_t dim(int axis) const;
  std::int64_t numel() const { return numel_; }
  DType dtype() const { return dtype_; }
  std::size_t nbytes() const { return static_cast<std::size_t>(numel_) * dtype_size(dtype_); }

  // Typed access; throws attn::Error if the dtype does not match.
  float* data();
  const float* data() const;
  template <typename T>
  T* data_as() {
    return reinterpret_cast<T*>(storage_.get());
  }
  template <typename T>
  const T* data_as() const {
    return reinterpret_cast<const T*>(storage_.get());
  }
  void* raw() { return storage_.get(); }
  const void* raw() const { return storage_.get(); }

  float item() const;  // the single value of a 1-element f32 tensor

  // Same storage, new shape with the same element count (one axis may be -1).
  Tensor reshape(Shape shape) const;
  Tensor clone() const;
  void zero_();
  void fill_(float v);
  void copy_from(const Tensor& other);  // same numel and dtype
  std::vector<float> to_vector() const;

 private:
  std::shared_ptr<std::byte> storage_;
  Shape shape_;
  std::int64_t numel_ = 0;
  DType dtype_ = DType::f32;
};

}  // namespace attn

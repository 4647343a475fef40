#pragma once
// Shape: the dimensions of a tensor, stored inline (no heap allocation).
//
// Every new tensor gets a Shape, so with std::vector each op of a training step
// allocated a few times just for its dimensions; this class is what lets the
// steady-state step run without touching the heap. It keeps the std::vector
// interface the code uses (brace and range construction, size, [], iteration,
// push_back, insert, ==), and a rank above kMaxRank is an attn::Error, never an
// overflow (a safetensors header can ask for any rank).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <vector>

#include "attn/core/error.h"

namespace attn {

class Shape {
 public:
  static constexpr std::size_t kMaxRank = 8;
  using value_type = std::int64_t;
  using size_type = std::size_t;
  using iterator = std::int64_t*;
  using const_iterator = const std::int64_t*;

  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims) : Shape(dims.begin(), dims.end()) {}
  // n dimensions of value v, like std::vector(n, v).
  explicit Shape(std::size_t n, std::int64_t v = 0) { resize(n, v); }
  template <std::input_iterator It>
  Shape(It first, It last) {
    for (; first != last; ++first) push_back(static_cast<std::int64_t>(*first));
  }
  // Lets code that builds dimensions in a std::vector (file headers) pass them on.
  Shape(const std::vector<std::int64_t>& dims) : Shape(dims.begin(), dims.end()) {}  // NOLINT

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  static constexpr std::size_t max_size() { return kMaxRank; }

  std::int64_t& operator[](std::size_t i) { return dims_[i]; }
  std::int64_t operator[](std::size_t i) const { return dims_[i]; }
  std::int64_t at(std::size_t i) const {
    ATTN_CHECK(i < size_, "dimension {} out of range for a rank-{} shape", i, size_);
    return dims_[i];
  }
  std::int64_t& front() { return dims_[0]; }
  std::int64_t front() const { return dims_[0]; }
  std::int64_t& back() { return dims_[size_ - 1]; }
  std::int64_t back() const { return dims_[size_ - 1]; }
  std::int64_t* data() { return dims_.data(); }
  const std::int64_t* data() const { return dims_.data(); }

  iterator begin() { return dims_.data(); }
  iterator end() { return dims_.data() + size_; }
  const_iterator begin() const { return dims_.data(); }
  const_iterator end() const { return dims_.data() + size_; }

  void push_back(std::int64_t d) {
    check_rank(size_ + 1);
    dims_[size_++] = d;
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  void resize(std::size_t n, std::int64_t v = 0) {
    check_rank(n);
    for (std::size_t i = size_; i < n; ++i) dims_[i] = v;
    size_ = n;
  }
  // Inserts d before pos; returns an iterator to it.
  iterator insert(const_iterator pos, std::int64_t d) {
    const auto at = static_cast<std::size_t>(pos - begin());
    check_rank(size_ + 1);
    std::copy_backward(begin() + at, end(), end() + 1);
    dims_[at] = d;
    ++size_;
    return begin() + at;
  }
  // Removes the dimension at pos; returns an iterator to the one after it.
  iterator erase(const_iterator pos) {
    const auto at = static_cast<std::size_t>(pos - begin());
    std::copy(begin() + at + 1, end(), begin() + at);
    --size_;
    return begin() + at;
  }

  std::vector<std::int64_t> to_vector() const { return {begin(), end()}; }

  friend bool operator==(const Shape& a, const Shape& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  static void check_rank(std::size_t n) {
    ATTN_CHECK(n <= kMaxRank, "tensor rank {} exceeds the supported maximum of {}", n, kMaxRank);
  }

  std::array<std::int64_t, kMaxRank> dims_{};
  std::size_t size_ = 0;
};

}  // namespace attn

#pragma once
// Per-thread scratch vectors that keep their capacity between calls: a kernel's
// per-task buffers then cost no allocation once warm (DESIGN "no allocation on the
// hot path"). scratch<Owner, T, Slot>(n) returns this thread's buffer number Slot
// for T, resized to n and zero-filled like std::vector<T>(n). Owner is a tag type
// per kernel, so two kernels never share a buffer; within one kernel, buffers live
// at the same time need different slots. For the library's hot paths
// (kernels, the optimizer step), not for the public API.
#include <cstddef>
#include <vector>

namespace attn::kernels {

template <typename Owner, typename T, int Slot>
std::vector<T>& scratch(std::size_t n) {
  thread_local std::vector<T> buffer;
  buffer.assign(n, T{});
  return buffer;
}

}  // namespace attn::kernels

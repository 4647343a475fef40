#include "attn/core/arena.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory_resource>
#include <new>

#include "attn/core/small_object_pool.h"

namespace attn {

namespace {
constexpr std::size_t kAlign = 64;

// Size classes: 64-byte multiples up to 4 KiB, then four classes per power of two
// (2^k, 1.25, 1.5, 1.75 x 2^k). Batches of varying length then reuse buffers of
// nearby sizes instead of parking one buffer per distinct size forever; at most
// 25 % of a buffer is slack.
std::size_t size_class(std::size_t n) {
  n = (n + kAlign - 1) / kAlign * kAlign;
  if (n <= 4096) return n;
  std::size_t p = 4096;
  while (p * 2 <= n) p *= 2;
  const std::size_t step = p / 4;
  return (n + step - 1) / step * step;
}
}  // namespace

Arena& Arena::global() {
  // Leaked on purpose: tensors with static storage duration may release into it at exit.
  static Arena* arena = new Arena();
  return *arena;
}

std::shared_ptr<std::byte> Arena::acquire(std::size_t bytes) {
  const std::size_t size = size_class(bytes == 0 ? kAlign : bytes);
  std::byte* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.find(size);
    if (it != free_.end() && !it->second.empty()) {
      p = it->second.back();
      it->second.pop_back();  // the class's stack keeps its capacity
      stats_.reuses++;
      stats_.bytes_held -= size;
      stats_.bytes_in_use += size;
      stats_.peak_in_use = std::max(stats_.peak_in_use, stats_.bytes_in_use);
    } else {
      // Make room first (the cap counts the new buffer as in use), then allocate. Both
      // under the lock, so that a failed allocation can put the counts back exactly;
      // misses are rare once the first steps have filled the pool.
      const std::size_t peak_before = stats_.peak_in_use;
      stats_.bytes_in_use += size;
      stats_.peak_in_use = std::max(stats_.peak_in_use, stats_.bytes_in_use);
      evict_over_cap();
      p = static_cast<std::byte*>(std::aligned_alloc(kAlign, size));
      if (p == nullptr) {
        stats_.bytes_in_use -= size;
        stats_.peak_in_use = peak_before;
        throw std::bad_alloc();
      }
      stats_.system_allocations++;
    }
  }
  if (poison_.load(std::memory_order_relaxed)) std::memset(p, 0xFF, size);
  // The control block comes from the small-object pool, not the system allocator.
  return std::shared_ptr<std::byte>(
      p, [this, size](std::byte* q) { release(q, size); },
      std::pmr::polymorphic_allocator<std::byte>(small_object_pool()));
}

void Arena::release(std::byte* p, std::size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.bytes_in_use -= bytes;
    if (stats_.bytes_held + bytes <= std::max(min_parked_bytes_, stats_.peak_in_use)) {
      free_[bytes].push_back(p);
      stats_.bytes_held += bytes;
      return;
    }
  }
  std::free(p);
}

void Arena::evict_over_cap() {
  const std::size_t cap = std::max(min_parked_bytes_, stats_.peak_in_use);
  for (auto it = free_.rbegin(); it != free_.rend(); ++it) {
    std::vector<std::byte*>& stack = it->second;
    while (!stack.empty() && stats_.bytes_in_use + stats_.bytes_held > cap) {
      std::free(stack.back());
      stack.pop_back();
      stats_.bytes_held -= it->first;
      stats_.evictions++;
    }
    if (stats_.bytes_in_use + stats_.bytes_held <= cap) return;
  }
}

ArenaStats Arena::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Arena::trim() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [size, stack] : free_)
    for (std::byte* p : stack) std::free(p);
  free_.clear();
  stats_.bytes_held = 0;
}

Arena::~Arena() { trim(); }

}  // namespace attn

#include "attn/core/arena.h"

#include <cstdlib>
#include <new>

namespace attn {

namespace {
constexpr std::size_t kAlign = 64;
std::size_t round_up(std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
}  // namespace

Arena& Arena::global() {
  // Leaked on purpose: tensors with static storage duration may release into it at exit.
  static Arena* arena = new Arena();
  return *arena;
}

std::shared_ptr<std::byte> Arena::acquire(std::size_t bytes) {
  const std::size_t size = round_up(bytes == 0 ? kAlign : bytes);
  std::byte* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.find(size);
    if (it != free_.end()) {
      p = it->second;
      free_.erase(it);
      stats_.reuses++;
      stats_.bytes_held -= size;
    } else {
      stats_.system_allocations++;
    }
  }
  if (p == nullptr) {
    p = static_cast<std::byte*>(std::aligned_alloc(kAlign, size));
    if (p == nullptr) throw std::bad_alloc();
  }
  return std::shared_ptr<std::byte>(p, [this, size](std::byte* q) { release(q, size); });
}

void Arena::release(std::byte* p, std::size_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.emplace(bytes, p);
  stats_.bytes_held += bytes;
}

ArenaStats Arena::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Arena::trim() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [size, p] : free_) std::free(p);
  free_.clear();
  stats_.bytes_held = 0;
}

Arena::~Arena() { trim(); }

}  // namespace attn

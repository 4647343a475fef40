#pragma once
// Arena: a pool of 64-byte aligned buffers in size classes. Tensors release
// their buffer back to the pool instead of freeing it, so after the first
// training steps every activation and gradient buffer is reused and the hot
// loop does not call the system allocator (DESIGN "no allocation on the hot
// path"). Buffers in use and parked together stay within the larger of 1 GiB and
// the peak bytes in use (below).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace attn {

struct ArenaStats {
  std::size_t system_allocations = 0;  // buffers obtained from the system
  std::size_t reuses = 0;              // buffers served from the pool
  std::size_t bytes_held = 0;          // bytes currently parked in the pool
  std::size_t bytes_in_use = 0;        // bytes of buffers handed out and not yet released
  std::size_t peak_in_use = 0;         // the most bytes_in_use has been
  std::size_t evictions = 0;           // parked buffers freed to make room for another size
};

class Arena {
 public:
  static Arena& global();
  // Released buffers are kept for reuse up to the larger of this and the most bytes ever
  // in use at once (one training step's working set: a step bigger than this would
  // otherwise hand part of its buffers back to the system and page-fault them in again
  // on every step); beyond that they go back to the system. The same cap bounds the
  // bytes in use and parked together: when a buffer of a size the pool has none of
  // is needed, parked buffers of other sizes (largest first) go back to the system
  // until the total fits again. Batches of varying shapes (an encoder-decoder's
  // token-count batches) then keep about one step's working set, not two.
  static constexpr std::size_t kMinParkedBytes = std::size_t{1} << 30;
  // min_parked_bytes: kMinParkedBytes for the global arena; tests use a small one.
  explicit Arena(std::size_t min_parked_bytes = kMinParkedBytes)
      : min_parked_bytes_(min_parked_bytes) {}

  // Returns a 64-byte aligned buffer of at least `bytes` bytes (contents undefined).
  std::shared_ptr<std::byte> acquire(std::size_t bytes);
  ArenaStats stats() const;
  // Test aid: while on, every acquired buffer is filled with 0xFF bytes (a NaN
  // as f32), so a kernel that reads memory it never wrote shows up as NaN.
  void set_poison(bool on) { poison_.store(on); }
  // Frees every parked buffer (buffers in use are unaffected).
  void trim();
  ~Arena();

 private:
  void release(std::byte* p, std::size_t bytes);
  // Frees parked buffers, largest first, while bytes in use plus parked exceed the
  // cap. Called with mu_ held.
  void evict_over_cap();
  mutable std::mutex mu_;
  std::atomic<bool> poison_{false};
  std::size_t min_parked_bytes_;
  // Parked buffers by size class. A class's key stays once seen and its stack keeps
  // its capacity, so parking and reusing a buffer does not allocate.
  std::map<std::size_t, std::vector<std::byte*>> free_;
  ArenaStats stats_;
};

}  // namespace attn

#pragma once
// Tape: records one backward closure per coarse op during the forward pass;
// backward() runs them in reverse. Backward closures accumulate (+=) into
// the gradients of their inputs, so a Variable used twice gets both terms.
#include <memory>
#include <memory_resource>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "attn/autograd/variable.h"
#include "attn/core/rng.h"
#include "attn/core/small_object_pool.h"

namespace attn {

class Tape {
 public:
  Tape() = default;
  ~Tape() { clear(); }
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // Stores the closure in the small-object pool (std::function would put any
  // closure over 16 bytes on the heap, and most capture several Variables), so a
  // steady-state step records without calling the system allocator.
  template <typename F>
  void record(F&& backward) {
    using Fn = std::decay_t<F>;
    std::pmr::memory_resource* pool = small_object_pool();
    void* mem = pool->allocate(sizeof(Fn), alignof(Fn));
    Fn* fn = nullptr;
    try {
      fn = ::new (mem) Fn(std::forward<F>(backward));
      ops_.push_back(Op{fn, &run<Fn>, &dispose<Fn>});
    } catch (...) {
      if (fn) std::destroy_at(fn);
      pool->deallocate(mem, sizeof(Fn), alignof(Fn));
      throw;
    }
  }
  // Seeds d(loss)/d(loss) = 1 (loss must have one element), runs every recorded
  // closure in reverse, then clears the tape.
  void backward(const Variable& loss);
  void clear() {
    for (const Op& op : ops_) op.dispose(op.fn);
    ops_.clear();
  }
  std::size_t size() const { return ops_.size(); }

 private:
  struct Op {
    void* fn;
    void (*call)(void*);
    void (*dispose)(void*);
  };
  template <typename Fn>
  static void run(void* p) {
    (*static_cast<Fn*>(p))();
  }
  template <typename Fn>
  static void dispose(void* p) {
    std::destroy_at(static_cast<Fn*>(p));
    small_object_pool()->deallocate(p, sizeof(Fn), alignof(Fn));
  }
  std::pmr::vector<Op> ops_{small_object_pool()};
};

// What every op and layer receives: where to record (null = inference, no
// gradients kept), whether dropout is active, and the RNG dropout draws from.
struct Context {
  Tape* tape = nullptr;
  bool training = false;
  Rng* rng = nullptr;

  // True when the op must record a backward closure: a tape is present and
  // at least one input needs a gradient.
  template <typename... V>
  bool records(const V&... inputs) const {
    return tape != nullptr && (inputs.requires_grad() || ...);
  }
};

}  // namespace attn

#pragma once
// Tape: records one backward closure per coarse op during the forward pass;
// backward() runs them in reverse. Backward closures accumulate (+=) into
// the gradients of their inputs, so a Variable used twice gets both terms.
#include <functional>
#include <vector>

#include "attn/autograd/variable.h"
#include "attn/core/rng.h"

namespace attn {

class Tape {
 public:
  void record(std::function<void()> backward) { ops_.push_back(std::move(backward)); }
  // Seeds d(loss)/d(loss) = 1 (loss must have one element), runs every recorded
  // closure in reverse, then clears the tape.
  void backward(const Variable& loss);
  void clear() { ops_.clear(); }
  std::size_t size() const { return ops_.size(); }

 private:
  std::vector<std::function<void()>> ops_;
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

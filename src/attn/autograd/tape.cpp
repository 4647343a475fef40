#include "attn/autograd/tape.h"

namespace attn {

void Tape::backward(const Variable& loss) {
  ATTN_CHECK(loss.value().numel() == 1, "backward: loss must have one element, got shape {}",
             shape_str(loss.shape()));
  loss.grad().fill_(1.0f);
  for (auto it = ops_.rbegin(); it != ops_.rend(); ++it) it->call(it->fn);
  clear();
}

}  // namespace attn

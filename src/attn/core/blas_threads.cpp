#include "attn/core/blas_threads.h"

extern "C" void openblas_set_num_threads(int);

namespace attn {
void set_blas_threads(int n) { openblas_set_num_threads(n); }
}  // namespace attn

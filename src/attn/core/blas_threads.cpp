#include "attn/core/blas_threads.h"

extern "C" void openblas_set_num_threads(int);

namespace attn {
// OpenBLAS always runs on one thread: kernels::gemm splits work over attn's own
// pool instead, so there is exactly one set of threads and nothing spins.
void set_blas_threads(int /*pool_size*/) { openblas_set_num_threads(1); }
}  // namespace attn

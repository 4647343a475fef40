#pragma once
// Keeps OpenBLAS's own thread count equal to attn's pool size, so the two
// never oversubscribe the cores (they never run at the same time).
namespace attn {
void set_blas_threads(int n);
}

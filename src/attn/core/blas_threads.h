#pragma once
// Pins OpenBLAS to one thread: attn's pool parallelises GEMMs itself, so the
// cores are never oversubscribed and no BLAS thread busy-waits.
namespace attn {
void set_blas_threads(int n);
}

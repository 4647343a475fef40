#!/usr/bin/python3
"""PyTorch's matrix multiply on the GEMM shapes of bench/micro_bench.cpp (BM_Gemm and
BM_GemmBf16), best of reps: the PyTorch half of bench/compare_torch.sh's gemm_<shape> rows
(f32 tensors) and gemm_bf16_<shape> rows (bfloat16 tensors, PyTorch's bf16 matmul). Reads
micro_bench's JSON (--benchmark_format=json --benchmark_filter=BM_Gemm) on stdin and
prints one JSON line per shape: {"name", "attn_gflops", "torch_gflops"}.

    build/micro_bench --benchmark_filter=BM_Gemm --benchmark_format=json \
      | /usr/bin/python3 bench/torch/torch_gemm.py [threads=2] [reps=5]
"""

import json
import math
import re
import sys
import time

import torch


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    runs = json.load(sys.stdin)["benchmarks"]
    for run in runs:
        # "BM_Gemm/M:4096/N:1152/K:384/ta:0/tb:1/real_time"
        args = dict(re.findall(r"(\w+):(\d+)", run["name"]))
        m, n, k, ta, tb = (int(args[x]) for x in ("M", "N", "K", "ta", "tb"))
        bf16 = run["name"].startswith("BM_GemmBf16")
        dtype = torch.bfloat16 if bf16 else torch.float32
        a = (torch.rand(k, m) if ta else torch.rand(m, k)).to(dtype)
        b = (torch.rand(n, k) if tb else torch.rand(k, n)).to(dtype)
        op_a = a.t() if ta else a
        op_b = b.t() if tb else b
        torch.mm(op_a, op_b)  # warm-up
        best = math.inf
        for _ in range(reps):
            t0 = time.perf_counter()
            torch.mm(op_a, op_b)
            best = min(best, time.perf_counter() - t0)
        shape = f"{m}x{n}x{k}" + ("_ta" if ta else "") + ("_tb" if tb else "")
        print(json.dumps({"name": ("gemm_bf16_" if bf16 else "gemm_") + shape, "attn_gflops": run["GFLOP/s"],
                          "torch_gflops": 2.0 * m * n * k / best * 1e-9}))


if __name__ == "__main__":
    main()

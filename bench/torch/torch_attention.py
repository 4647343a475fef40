#!/usr/bin/python3
"""PyTorch's naive attention softmax(Q·Kᵀ/√d)·V at one N, forward + backward, best of reps,
and its extra peak memory (ru_maxrss after the call minus the resident size once the
inputs exist): the PyTorch half of bench/compare_torch.sh's attention rows, at the shape
of bench/attention_n_bench.cpp (B=1, H=8, D=64). Prints one JSON line.

    /usr/bin/python3 bench/torch/torch_attention.py N causal(0|1) [threads=2] [reps=3]
"""

import json
import math
import resource
import sys
import time

import torch


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def main():
    n, causal = int(sys.argv[1]), sys.argv[2] == "1"
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    h, d = 8, 64
    q, k, v = (torch.rand(1, h, n, d).mul_(2).sub_(1).requires_grad_() for _ in range(3))
    g = torch.rand(1, h, n, d)
    mask = torch.ones(n, n, dtype=torch.bool).tril() if causal else None
    base = rss_mb()
    best = math.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        s = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        if mask is not None:
            s = s.masked_fill(~mask, float("-inf"))
        out = torch.softmax(s, dim=-1) @ v
        out.backward(g)
        best = min(best, time.perf_counter() - t0)
        q.grad = k.grad = v.grad = None
        del s, out
    extra = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base
    fwd_flops = (2.0 if causal else 4.0) * n * n * d * h
    print(json.dumps({"n": n, "causal": causal, "threads": threads, "fwd_bwd_s": best,
                      "gflops": 3.5 * fwd_flops / best * 1e-9, "extra_peak_mb": extra,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()

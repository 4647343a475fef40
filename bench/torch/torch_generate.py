#!/usr/bin/python3
"""PyTorch's greedy generation speed on an attn run's weights, the counterpart of
build/generate_bench (same prompt, batch 1 and 8, its own KV cache loop in torch_gpt.py).
The last line is JSON: tokens/s per batch with the cache and row 0's greedy ids.

    /usr/bin/python3 bench/torch/torch_generate.py RUN [threads] [prompt_len] [new_tokens] [reps]
"""

import json
import sys
import time

import torch

from torch_gpt import char_ids, generate_greedy, load_attn_run

PROMPT = ("In the beginning God created the heaven and the earth. And the earth was without "
          "form, and void; and darkness was upon the face of the deep.")


def main():
    run = sys.argv[1]
    threads, prompt_len, new_tokens, reps = (int(a) for a in (sys.argv[2:] + ["2", "16", "64", "2"][len(sys.argv) - 2:])[:4])
    torch.set_num_threads(threads)
    model, vocab, _ = load_attn_run(run)
    prompt = char_ids(PROMPT, vocab)[:prompt_len]
    print(f"torch {torch.__version__}, {run}, {threads} threads, prompt {len(prompt)} tokens, "
          f"{new_tokens} new tokens, greedy")
    print(f"{'batch':6} {'kv_cache':9} {'seconds':>12} {'tokens/s':>14}")
    out, row0 = {}, []
    for batch in (1, 8):
        ids = torch.tensor([prompt] * batch, dtype=torch.long)
        for cache in (True, False):
            best = 1e30
            for _ in range(reps):
                t0 = time.perf_counter()
                got = generate_greedy(model, ids, new_tokens, use_cache=cache)
                best = min(best, time.perf_counter() - t0)
                if batch == 1 and cache:
                    row0 = got[0].tolist()
            tps = batch * new_tokens / best
            print(f"{batch:<6} {'yes' if cache else 'no':9} {best:12.3f} {tps:14.1f}")
            if cache:
                out[f"b{batch}"] = tps
    out["ids"] = row0
    print(json.dumps(out))


if __name__ == "__main__":
    main()

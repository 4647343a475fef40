#!/usr/bin/python3
"""PyTorch training tokens/s of an attn decoder-LM config (same model, batch, AdamW and
clipping as bench/torch/torch_lm_train.py) over `steps` optimizer steps after `warmup`
untimed ones: the PyTorch half of bench/compare_torch.sh's train_f32 row. One JSON line.

    /usr/bin/python3 bench/torch/torch_train_speed.py CONFIG TRAIN.txt [steps=10] [threads=2] [f32|bf16]

bf16 runs the forward under torch.autocast (bf16 matmuls, f32 weights): the train_bf16 row.
"""

import json
import sys
import time

import torch

from torch_gpt import GPT, char_ids, make_adamw, train_step
from torch_lm_train import vocabulary


def main():
    cfg = json.load(open(sys.argv[1]))
    text = open(sys.argv[2], encoding="utf-8").read()
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    bf16 = len(sys.argv) > 5 and sys.argv[5] == "bf16"
    warmup = 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    m, t = cfg["model"], cfg["training"]
    ids = torch.tensor(char_ids(text, vocabulary(text, 0)), dtype=torch.long)
    model = GPT(m)
    opt = make_adamw(model, t)
    B, T, accum = t["batch_size"], m["block_size"], t.get("grad_accum_steps", 1)
    t0 = None
    for step in range(warmup + steps):
        if step == warmup:
            t0 = time.perf_counter()
        train_step(model, opt, ids, B, T, accum, t.get("clip_norm", 1.0), bf16)
    secs = time.perf_counter() - t0
    print(json.dumps({"tokens_per_s": steps * B * T * accum / secs, "steps": steps,
                      "threads": threads, "precision": "bf16" if bf16 else "f32",
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Chooses a decoder-LM config for a fixed CPU wall-time budget by training candidates in
PyTorch on a faster device (a GPU), each for the number of steps attn would reach in that
budget, then scoring the test split exactly as `attn evaluate` does.

Why this is sound: torch_gpt.GPT is the structure attn's conformance fixtures check to
1e-5, the data windows, AdamW groups, schedule and clipping are attn's (as in
torch_lm_train.py), and a candidate's step count comes from attn's own measured training
speed on the 2-core machine (`tokens_per_s` in the candidates file, from
`attn train --precision bf16 --max-steps 25 --log-every 1`). What the device changes is
only how long the experiment takes. Matmuls run in full f32 (TF32 off).

Candidates file: {"name": {"tokens_per_s": N, "model": {...}, "training": {...}}, ...}, the
objects overriding the base config's sections. Each candidate trains in its own process;
all run at once on the one device.

    python3 bench/torch/lm_sweep.py --base examples/kjv_char_lm.json \\
        --candidates bench/torch/kjv_candidates.json --data data/kjv --minutes 60 \\
        --device cuda --out DIR
Writes DIR/NAME.jsonl (the validation curve) and DIR/summary.json, and prints a table.
"""

import argparse
import copy
import json
import math
import multiprocessing
import os
import time

import torch
import torch.nn.functional as F

from torch_gpt import GPT, char_ids, make_adamw, warmup_then_decay_lr
from torch_lm_train import score, vocabulary

# attn's one-hour KJV run reached 15.9k of the 17.3k tokens/s its 25-step probe measured:
# validation, checkpoints and start-up take the rest.
BUDGET_EFFICIENCY = 0.9


def merged(base, overrides):
    cfg = copy.deepcopy(base)
    for section in ("model", "training"):
        cfg[section].update(overrides.get(section, {}))
    return cfg


def train_one(name, cfg, tokens_per_s, minutes, data, device, out):
    torch.set_num_threads(1)  # all candidates run at once: one host thread each
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    m, t = cfg["model"], cfg["training"]
    B, T = t["batch_size"], m["block_size"]
    per_step = B * T * t.get("grad_accum_steps", 1)
    t["max_steps"] = int(minutes * 60 * BUDGET_EFFICIENCY * tokens_per_s / per_step)
    torch.manual_seed(t.get("seed", 1337))
    read = lambda f: open(os.path.join(data, f), encoding="utf-8").read()
    train_text, valid_text, test_text = read("train.txt"), read("valid.txt"), read("test.txt")
    vocab = vocabulary(train_text, cfg.get("tokenizer", {}).get("max_tokens", 0))
    ids = torch.tensor(char_ids(train_text, vocab), dtype=torch.long, device=device)
    start = char_ids("\n", vocab)
    valid_stream = start + char_ids(valid_text, vocab)[:t.get("eval_tokens", 65536)]
    model = GPT(m).to(device)
    opt = make_adamw(model, t)
    offsets = torch.arange(T + 1, device=device)
    best, best_state = math.inf, None
    curve = open(os.path.join(out, name + ".jsonl"), "w")
    t0 = time.perf_counter()
    for step in range(1, t["max_steps"] + 1):
        for g in opt.param_groups:
            g["lr"] = warmup_then_decay_lr(t, step - 1)
        for _ in range(t.get("grad_accum_steps", 1)):
            rows = ids[torch.randint(0, len(ids) - T, (B, 1), device=device) + offsets]
            logits = model(rows[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), rows[:, 1:].reshape(-1))
            (loss / t.get("grad_accum_steps", 1)).backward()
        if t.get("clip_norm", 1.0) > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), t.get("clip_norm", 1.0))
        opt.step()
        opt.zero_grad(set_to_none=True)
        if step % t.get("eval_every", 500) == 0 or step == t["max_steps"]:
            nats, n = score(model, valid_stream, T, T, device=device)
            val = nats / n / math.log(2)
            if val < best:
                best, best_state = val, copy.deepcopy(model.state_dict())
            curve.write(json.dumps({"step": step, "train_loss": loss.item(), "val_bpc": val,
                                    "seconds": time.perf_counter() - t0}) + "\n")
            curve.flush()
    model.load_state_dict(best_state)
    nats, _ = score(model, start + char_ids(test_text, vocab), T, max(1, T // 2), device=device)
    params = sum(p.numel() for p in model.parameters())
    result = {"name": name, "params": params, "steps": t["max_steps"],
              "tokens": t["max_steps"] * per_step, "best_val_bpc": best,
              "test_bpc": nats / math.log(2) / len(test_text),
              "device_seconds": time.perf_counter() - t0}
    # Each candidate's result is kept as it ends, in case the sweep is cut off.
    json.dump(result, open(os.path.join(out, name + ".result.json"), "w"))
    return result


def main():
    ap = argparse.ArgumentParser()
    for name in ("base", "candidates", "data", "out"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--device", default="cuda")
    a = ap.parse_args()
    base = json.load(open(a.base))
    candidates = json.load(open(a.candidates))
    os.makedirs(a.out, exist_ok=True)
    jobs = [(name, merged(base, c), c["tokens_per_s"], a.minutes, a.data, a.device, a.out)
            for name, c in candidates.items()]
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        results = pool.starmap(train_one, jobs)
    json.dump(results, open(os.path.join(a.out, "summary.json"), "w"), indent=1)
    print(f"{'candidate':<24}{'params':>10}{'steps':>8}{'Mtokens':>9}{'val bpc':>9}{'test bpc':>9}")
    for r in sorted(results, key=lambda r: r["test_bpc"]):
        print(f"{r['name']:<24}{r['params']:>10}{r['steps']:>8}{r['tokens'] / 1e6:>9.1f}"
              f"{r['best_val_bpc']:>9.4f}{r['test_bpc']:>9.4f}")


if __name__ == "__main__":
    main()

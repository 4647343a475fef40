#!/usr/bin/python3
"""Trains attn's decoder-LM config in PyTorch for a fixed wall time on the same data,
the PyTorch half of bench/compare_lm_train.sh.

Same model (torch_gpt.GPT), same character vocabulary as attn's CharTokenizer (by
descending count, ties by code point), same windows of block_size + 1 tokens at random
offsets, same AdamW groups and hyperparameters, warmup + cosine schedule over
training.max_steps, gradient clipping and accumulation. Validation as attn's fit_lm:
the first eval_tokens of the valid text after "\n", windows of block_size moving
block_size, every eval_every steps. It stops once --minutes of wall time have passed (as
attn stopped by SIGINT: no extra validation), keeps the weights with the best validation loss and scores the test file as `attn evaluate`
does: "\n" first, windows of block_size moving block_size / 2, every character once.

Writes OUT/curve.jsonl (step, seconds, val_bpc, tokens_per_s) and OUT/result.json.
    /usr/bin/python3 bench/torch/torch_lm_train.py --config C --train F --valid F --test F \
        --minutes 60 --threads 2 --out DIR
"""

import argparse
import collections
import copy
import json
import math
import os
import time

import torch
import torch.nn.functional as F

from torch_gpt import GPT, char_ids, make_adamw, train_step, warmup_then_decay_lr


def vocabulary(text, max_tokens):
    counts = collections.Counter(text)
    keys = sorted(counts, key=lambda ch: (-counts[ch], ch))
    vocab = ["", "[UNK]"] + keys
    return vocab[:max_tokens] if max_tokens else vocab


def windows(n, window, stride):
    """attn's eval/sliding_window.h: (begin, end, first scored target) covering targets 1..n."""
    out, begin, done = [], 0, 0
    while done < n:
        end = min(begin + window, n)
        begin = max(0, end - window)
        out.append((begin, end, done + 1))
        done = end
        begin += stride
    return out


@torch.no_grad()
def score(model, stream, window, stride, batch=32, device="cpu"):
    """Total nats and count of s[1..n], each target scored once, windows batched (all have
    the same length min(window, n))."""
    model.eval()
    s = torch.tensor(stream, dtype=torch.long, device=device)
    ws = windows(len(stream) - 1, window, stride)
    nats, scored = 0.0, 0
    for i in range(0, len(ws), batch):
        chunk = ws[i:i + batch]
        x = torch.stack([s[b:e] for b, e, _ in chunk])
        y = torch.stack([s[b + 1:e + 1] for b, e, _ in chunk])
        nll = F.cross_entropy(model(x).transpose(1, 2), y, reduction="none")
        for row, (b, e, first) in enumerate(chunk):
            nats += nll[row, first - b - 1:].double().sum().item()
            scored += e - first + 1
    model.train()
    return nats, scored


def main():
    ap = argparse.ArgumentParser()
    for name in ("config", "train", "valid", "test", "out"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cfg = json.load(open(a.config))
    m, t = cfg["model"], cfg["training"]
    torch.manual_seed(t.get("seed", 1337))
    read = lambda p: open(p, encoding="utf-8").read()
    train_text, valid_text, test_text = read(a.train), read(a.valid), read(a.test)
    vocab = vocabulary(train_text, cfg.get("tokenizer", {}).get("max_tokens", 0))
    assert len(vocab) <= m["vocab_size"], "vocabulary larger than model.vocab_size"
    train_ids = torch.tensor(char_ids(train_text, vocab), dtype=torch.long)
    start = char_ids("\n", vocab)
    valid_ids = char_ids(valid_text, vocab)
    if t.get("eval_tokens", 65536):
        valid_ids = valid_ids[:t.get("eval_tokens", 65536)]
    valid_stream = start + valid_ids

    model = GPT(m)
    opt = make_adamw(model, t)
    B, T, accum = t["batch_size"], m["block_size"], t.get("grad_accum_steps", 1)
    clip, eval_every = t.get("clip_norm", 1.0), t.get("eval_every", 250)
    os.makedirs(a.out, exist_ok=True)
    curve = open(os.path.join(a.out, "curve.jsonl"), "w")
    best, best_state, step = math.inf, None, 0
    t0 = time.perf_counter()
    window_t, window_tokens = t0, 0
    while step < t["max_steps"]:
        for g in opt.param_groups:
            g["lr"] = warmup_then_decay_lr(t, step)
        train_step(model, opt, train_ids, B, T, accum, clip)
        step += 1
        window_tokens += B * T * accum
        # Like attn stopped by SIGINT: no extra validation at the deadline, the best of
        # the periodic ones is kept.
        if time.perf_counter() - t0 >= a.minutes * 60:
            break
        if step % eval_every == 0 or step == t["max_steps"]:
            now = time.perf_counter()
            nats, n = score(model, valid_stream, T, T)
            val = nats / n
            if val < best:
                best, best_state = val, copy.deepcopy(model.state_dict())
            line = {"step": step, "seconds": now - t0, "val_loss": val,
                    "val_bpc": val / math.log(2), "tokens_per_s": window_tokens / (now - window_t)}
            curve.write(json.dumps(line) + "\n")
            curve.flush()
            print(json.dumps(line), flush=True)
            window_t, window_tokens = time.perf_counter(), 0
    train_seconds = time.perf_counter() - t0
    if best_state is None:
        raise SystemExit(f"no validation within {a.minutes} min (eval_every {eval_every} steps)")
    model.load_state_dict(best_state)
    test_stream = start + char_ids(test_text, vocab)
    nats, n = score(model, test_stream, T, max(1, T // 2))
    result = {"steps": step, "train_seconds": train_seconds,
              "tokens_per_s": step * B * T * accum / train_seconds,
              "best_val_bpc": best / math.log(2),
              "test_bpc": nats / math.log(2) / len(test_text), "test_tokens": n,
              "torch": torch.__version__, "threads": a.threads}
    json.dump(result, open(os.path.join(a.out, "result.json"), "w"))
    print(json.dumps(result))


if __name__ == "__main__":
    main()

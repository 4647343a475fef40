#!/usr/bin/python3
"""Writes tests/fixtures/optim_<case>.json: 3 steps of torch.optim on two small
parameters with fixed values and fixed per-step gradients, for
tests/optim/optim_conformance_test.cpp.

Run with Debian's Python (it has torch):  /usr/bin/python3 scripts/fixtures_optim.py

Parameters are ~1e-3..1e-2 so that an update of lr=1e-3 is a large fraction of
the value and a 1e-5 relative check on the parameters really tests the update.
Some gradients are ~1e-7 so eps (1e-7 vs 1e-8) changes the result visibly.
Floats are written with Python's repr, which round-trips the float32 values.
"""
import json
import os

import numpy as np
import torch

MAGIC = "attn-optim-fixture"
VERSION = 1
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")

INIT = {
    "w": ([2, 3], [0.005, -0.003, 0.0021, -0.0087, 0.012, 0.0004]),
    "b": ([3], [0.002, -0.0015, 0.05]),
}


def grads_at(k):
    """Gradients for step k (0-based): mixed signs, a zero, tiny and large values."""
    return {
        "w": [0.1 * (k + 1), -0.2, 1e-7 * (k + 1), 0.0, 0.5 * (-1) ** k, 3e-3],
        "b": [1e-6, -0.05 * (k + 1), 2.0 - k],
    }


CASES = {
    "adam_eps1e7": ("adam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.0)),
    "adam_eps1e8": ("adam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)),
    "adam_l2": ("adam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)),
    "adamw": ("adamw", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)),
    "sgd_momentum": ("sgd", dict(lr=1e-2, momentum=0.9, weight_decay=0.0, nesterov=False)),
    "sgd_nesterov_wd": ("sgd", dict(lr=1e-2, momentum=0.9, weight_decay=0.01, nesterov=True)),
}


def f32_list(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def run_case(kind, opts, steps=3):
    params = {n: torch.tensor(np.array(v, dtype=np.float32).reshape(s)) for n, (s, v) in INIT.items()}
    for p in params.values():
        p.requires_grad_(True)
    plist = [params["w"], params["b"]]
    if kind == "adam":
        opt = torch.optim.Adam(plist, foreach=False, **opts)
    elif kind == "adamw":
        opt = torch.optim.AdamW(plist, foreach=False, **opts)
    else:
        opt = torch.optim.SGD(plist, foreach=False, **opts)
    record = []
    for k in range(steps):
        g = grads_at(k)
        for n, p in params.items():
            p.grad = torch.tensor(np.array(g[n], dtype=np.float32).reshape(p.shape))
        opt.step()
        record.append({
            "grads": {n: f32_list(params[n].grad) for n in params},
            "params": {n: f32_list(params[n]) for n in params},
        })
    options = {"lr": opts["lr"], "weight_decay": opts["weight_decay"]}
    if kind == "sgd":
        options.update(momentum=opts["momentum"], nesterov=opts["nesterov"])
    else:
        options.update(beta1=opts["betas"][0], beta2=opts["betas"][1], eps=opts["eps"])
    return {
        "magic": MAGIC,
        "version": VERSION,
        "torch_version": torch.__version__,
        "optimizer": kind,
        "options": options,
        "params": [
            {"name": n, "shape": s, "init": f32_list(torch.tensor(np.array(v, dtype=np.float32)))}
            for n, (s, v) in INIT.items()
        ],
        "steps": record,
    }


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for case, (kind, opts) in CASES.items():
        path = os.path.join(OUT_DIR, f"optim_{case}.json")
        with open(path, "w") as f:
            json.dump(run_case(kind, opts), f, indent=1)
            f.write("\n")
        print("wrote", os.path.relpath(path))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes tests/fixtures/decoder_lm_*.{json,bin}: a nanoGPT-style PyTorch GPT and what
attn's DecoderLM must reproduce (tests/models/decoder_lm_test.cpp).

Run with Debian's interpreter (it has python3-torch), from the repo root:

    /usr/bin/python3 scripts/fixtures_lm.py --out tests/fixtures

The torch model below has nanoGPT's structure and names (karpathy/nanoGPT model.py:
transformer.wte/wpe/h.i.{ln_1,attn.c_attn,attn.c_proj,ln_2,mlp.c_fc,mlp.c_proj}/ln_f,
lm_head tied to wte), written here from that description. Pre-norm blocks
x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)), exact (erf) GELU, causal mask, dropout 0.
It runs in float64 (the reference) from float32-representable weights; every tensor is
stored under attn's parameter name, mapped by ATTN_NAMES (the mapping is the contract
documented in src/attn/models/decoder_lm.h; c_attn's packed [3C, C] rows split into
q_proj, k_proj, v_proj).

Sizes: V=11, T=7, B=2; the tied/learned case C=12, H=2, L=2 with AdamW steps, the
untied/sinusoidal case C=8, H=2, L=1 (d_ff = 4C as in nanoGPT), all under 100 KB.

Per case: ids, targets (int32 [B, T], one position = -1, ignored), every parameter,
logits [B, T, V], loss [1], grad.<param>, then three AdamW steps on the same batch
(lr 1e-2, betas (0.9, 0.95), eps 1e-8, weight decay 0.1 on 2-D weights only, as
nanoGPT's configure_optimizers): loss_step{k} before step k+1 and after.<param>.
"""

import argparse
import math
import os

import torch
import torch.nn.functional as F

from make_fixtures import Case

V, T, B = 11, 7, 2
ADAMW = dict(lr=1e-2, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
STEPS = 3


def sinusoidal(t, c):
    """attn's nn::sinusoidal_table: sin on even channels, cos on odd, 10000^(-(c - c%2)/C)."""
    pos = torch.arange(t, dtype=torch.float64)[:, None]
    ch = torch.arange(c)
    rate = torch.pow(torch.tensor(10000.0, dtype=torch.float64), -(ch - ch % 2).double() / c)
    a = pos * rate[None, :]
    return torch.where(ch % 2 == 0, torch.sin(a), torch.cos(a)).float().double()


class Block(torch.nn.Module):
    def __init__(self, C, h):
        super().__init__()
        self.h = h
        self.ln_1 = torch.nn.LayerNorm(C)
        self.attn = torch.nn.Module()
        self.attn.c_attn = torch.nn.Linear(C, 3 * C)
        self.attn.c_proj = torch.nn.Linear(C, C)
        self.ln_2 = torch.nn.LayerNorm(C)
        self.mlp = torch.nn.Module()
        self.mlp.c_fc = torch.nn.Linear(C, 4 * C)
        self.mlp.c_proj = torch.nn.Linear(4 * C, C)

    def attend(self, x):
        b, t, c = x.shape
        q, k, v = self.attn.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.h, c // self.h).transpose(1, 2) for z in (q, k, v))
        s = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.h)
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        p = torch.softmax(s.masked_fill(~causal, float("-inf")), dim=-1)
        y = (p @ v).transpose(1, 2).reshape(b, t, c)
        return self.attn.c_proj(y)

    def forward(self, x):
        x = x + self.attend(self.ln_1(x))
        return x + self.mlp.c_proj(F.gelu(self.mlp.c_fc(self.ln_2(x))))


class GPT(torch.nn.Module):
    def __init__(self, positional, tied, C, H, L):
        super().__init__()
        self.positional = positional
        self.C = C
        self.transformer = torch.nn.Module()
        self.transformer.wte = torch.nn.Embedding(V, C)
        if positional == "learned":
            self.transformer.wpe = torch.nn.Embedding(T, C)
        self.transformer.h = torch.nn.ModuleList([Block(C, H) for _ in range(L)])
        self.transformer.ln_f = torch.nn.LayerNorm(C)
        self.lm_head = torch.nn.Linear(C, V, bias=False)
        if tied:
            self.lm_head.weight = self.transformer.wte.weight  # nanoGPT's weight tying

    def forward(self, ids, targets):
        x = self.transformer.wte(ids)
        if self.positional == "learned":
            x = x + self.transformer.wpe(torch.arange(ids.shape[1]))
        else:
            x = x + sinusoidal(ids.shape[1], self.C)
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1)
        return logits, loss


def attn_names(model, tied):
    """attn parameter name -> (torch parameter, row slice or None), explicitly."""
    tr, C = model.transformer, model.C
    out = {"embedding.weight": (tr.wte.weight, None)}
    if model.positional == "learned":
        out["pos_embedding.weight"] = (tr.wpe.weight, None)
    for i, blk in enumerate(tr.h):
        pre = f"layers.{i}."
        for kind in ("weight", "bias"):
            packed = getattr(blk.attn.c_attn, kind)
            for j, part in enumerate(("q_proj", "k_proj", "v_proj")):
                out[f"{pre}self_attn.{part}.{kind}"] = (packed, slice(j * C, (j + 1) * C))
            out[f"{pre}self_attn.out_proj.{kind}"] = (getattr(blk.attn.c_proj, kind), None)
            out[f"{pre}norm1.{kind}"] = (getattr(blk.ln_1, kind), None)
            out[f"{pre}norm2.{kind}"] = (getattr(blk.ln_2, kind), None)
            out[f"{pre}linear1.{kind}"] = (getattr(blk.mlp.c_fc, kind), None)
            out[f"{pre}linear2.{kind}"] = (getattr(blk.mlp.c_proj, kind), None)
    out["final_norm.weight"] = (tr.ln_f.weight, None)
    out["final_norm.bias"] = (tr.ln_f.bias, None)
    if not tied:
        out["lm_head.weight"] = (model.lm_head.weight, None)
    return out


def pick(t, rows):
    return t if rows is None else t[rows]


def case_decoder_lm(name, seed, positional, tied, C, H, L, adamw):
    c = Case(name, seed)
    model = GPT(positional, tied, C, H, L)
    with torch.no_grad():  # random, float32-representable values everywhere (biases, norms too)
        for p in model.parameters():
            p.copy_(torch.randn(p.shape) * (0.3 if p.dim() == 2 else 0.5))
    model = model.double()
    ids = torch.randint(0, V, (B, T))
    targets = torch.randint(0, V, (B, T))
    targets[1, 2] = -1  # one ignored position
    names = attn_names(model, tied)
    c.put("ids", ids.to(torch.int32))
    c.put("targets", targets.to(torch.int32))
    for n, (p, rows) in names.items():
        c.put(n, pick(p, rows))

    logits, loss = model(ids, targets)
    loss.backward()
    c.put("logits", logits)
    c.put("loss", loss.reshape(1))
    for n, (p, rows) in names.items():
        c.put("grad." + n, pick(p.grad, rows))

    c.params = {"vocab_size": V, "block_size": T, "batch": B, "d_model": C, "num_heads": H,
                "num_layers": L, "d_ff": 4 * C, "positional": positional,
                "tie_embeddings": tied, "layer_norm_eps": 1e-5, "activation": "gelu (erf)",
                "ignore_index": -1, "dropout": 0.0,
                "note": "c_attn [3C, C] rows split into q_proj/k_proj/v_proj"}
    if not adamw:
        return c
    # nanoGPT's configure_optimizers: decay every >= 2-D parameter (tied weight counted once).
    params = list(model.parameters())
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": ADAMW["weight_decay"]},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=ADAMW["lr"], betas=ADAMW["betas"], eps=ADAMW["eps"],
                            foreach=False)
    for k in range(STEPS):
        opt.zero_grad()
        _, loss_k = model(ids, targets)
        c.put(f"loss_step{k}", loss_k.reshape(1))
        loss_k.backward()
        opt.step()
    with torch.no_grad():
        _, loss_after = model(ids, targets)
    c.put(f"loss_step{STEPS}", loss_after.reshape(1))
    for n, (p, rows) in names.items():
        c.put("after." + n, pick(p, rows))

    c.params["adamw"] = {**ADAMW, "steps": STEPS,
                         "decay": "2-D weights only (nanoGPT configure_optimizers)"}
    return c


def all_cases():
    return [
        lambda: case_decoder_lm("decoder_lm_tied_learned", 101, "learned", True, C=12, H=2, L=2,
                                adamw=True),
        # The untied head and the sinusoidal table; sizes keep all fixtures under 100 KB.
        lambda: case_decoder_lm("decoder_lm_untied_sinusoidal", 102, "sinusoidal", False, C=8,
                                H=2, L=1, adamw=False),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tests/fixtures", help="output directory")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    for build in all_cases():
        case = build()
        n = case.write(args.out)
        print(f"{case.name:32s} {len(case.tensors):3d} tensors {n:7d} bytes")


if __name__ == "__main__":
    main()

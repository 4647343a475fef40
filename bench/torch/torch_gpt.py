"""A nanoGPT-style GPT in PyTorch with the structure of attn's DecoderLM, for the
side-by-side benchmarks in bench/ (never used by the tests).

It follows the description in src/attn/models/decoder_lm.h (the same structure the
conformance fixtures of scripts/fixtures_lm.py check to 1e-5): token embedding plus
learned or sinusoidal positions, dropout, N pre-norm blocks x = x + attn(ln_1(x));
x = x + mlp(ln_2(x)) with causal multi-head self-attention and exact (erf) GELU,
a final LayerNorm and an LM head tied to the embedding (or not). Written from that
description for this project.

load_attn_run() reads an attn run directory (config.json, tokenizer.json,
model.safetensors) into this model, so attn and PyTorch can run the same weights.
"""

import json
import math
import os
import struct

import torch
import torch.nn.functional as F


def sinusoidal(t, c):
    """attn's nn::sinusoidal_table: sin on even channels, cos on odd, 10000^(-(c - c%2)/C)."""
    pos = torch.arange(t, dtype=torch.float64)[:, None]
    ch = torch.arange(c)
    rate = torch.pow(torch.tensor(10000.0, dtype=torch.float64), -(ch - ch % 2).double() / c)
    a = pos * rate[None, :]
    return torch.where(ch % 2 == 0, torch.sin(a), torch.cos(a)).float()


class Block(torch.nn.Module):
    def __init__(self, c, heads, d_ff, dropout, bias, eps):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.ln_1 = torch.nn.LayerNorm(c, eps=eps)
        self.c_attn = torch.nn.Linear(c, 3 * c, bias=bias)
        self.c_proj = torch.nn.Linear(c, c, bias=bias)
        self.ln_2 = torch.nn.LayerNorm(c, eps=eps)
        self.c_fc = torch.nn.Linear(c, d_ff, bias=bias)
        self.mlp_proj = torch.nn.Linear(d_ff, c, bias=bias)
        self.drop = torch.nn.Dropout(dropout)

    def attend(self, x, cache=None):
        """x [B, T, C] -> [B, T, C]; cache: dict with "k", "v" [B, H, S, D] (grown in place)."""
        b, t, c = x.shape
        h, d = self.heads, c // self.heads
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, h, d).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        s = k.shape[2]
        # The new queries sit at positions s - t .. s - 1 of the cached sequence. Torch 1.13
        # (Debian 12) has no fused scaled_dot_product_attention: nanoGPT's explicit form.
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        allowed = torch.ones(t, s, dtype=torch.bool, device=x.device).tril(s - t)
        p = F.dropout(torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1),
                      self.dropout, self.training)
        y = p @ v
        return self.c_proj(y.transpose(1, 2).reshape(b, t, c))

    def forward(self, x, cache=None):
        x = x + self.drop(self.attend(self.ln_1(x), cache))
        return x + self.drop(self.mlp_proj(self.drop(F.gelu(self.c_fc(self.ln_2(x))))))


class GPT(torch.nn.Module):
    def __init__(self, m):
        """m: attn's "model" config object (decoder_lm)."""
        super().__init__()
        c = m["d_model"]
        self.block_size, self.positional = m["block_size"], m.get("positional", "learned")
        d_ff = m.get("d_ff", 0) or 4 * c
        bias, eps = m.get("bias", True), m.get("layer_norm_eps", 1e-5)
        self.wte = torch.nn.Embedding(m["vocab_size"], c)
        if self.positional == "learned":
            self.wpe = torch.nn.Embedding(self.block_size, c)
        else:
            self.register_buffer("table", sinusoidal(self.block_size, c), persistent=False)
        self.drop = torch.nn.Dropout(m.get("dropout", 0.0))
        self.h = torch.nn.ModuleList(
            [Block(c, m["num_heads"], d_ff, m.get("dropout", 0.0), bias, eps)
             for _ in range(m["num_layers"])])
        self.ln_f = torch.nn.LayerNorm(c, eps=eps)
        self.lm_head = torch.nn.Linear(c, m["vocab_size"], bias=False)
        if m.get("tie_embeddings", True):
            self.lm_head.weight = self.wte.weight
        self.apply(self._init)

    @staticmethod
    def _init(module):  # nanoGPT's: N(0, 0.02) weights, zero biases
        if isinstance(module, (torch.nn.Linear, torch.nn.Embedding)):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if getattr(module, "bias", None) is not None:
                torch.nn.init.zeros_(module.bias)

    def forward(self, ids, caches=None, start=0):
        """ids [B, T] at positions start.. -> logits [B, T, V]."""
        t = ids.shape[1]
        pos = torch.arange(start, start + t, device=ids.device)
        x = self.wte(ids) + (self.wpe(pos) if self.positional == "learned" else self.table[pos])
        x = self.drop(x)
        for i, block in enumerate(self.h):
            x = block(x, None if caches is None else caches[i])
        return self.lm_head(self.ln_f(x))

    def decay_groups(self, weight_decay):
        """nanoGPT's AdamW groups: every 2-D weight decays, biases and norms don't."""
        params = [p for p in self.parameters() if p.requires_grad]
        return [{"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
                {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]


def read_safetensors(path):
    """name -> float32 tensor, from the safetensors layout (8-byte header size, JSON, data)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", f"{path}: {name} is {info['dtype']}, expected F32"
        a, b = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(blob[8 + n + a:8 + n + b]),
                                     dtype=torch.float32).view(info["shape"])
    return out


def load_attn_run(run):
    """An attn run directory -> (GPT with its best weights, vocabulary list, config)."""
    with open(os.path.join(run, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(run, "tokenizer.json")) as f:
        vocab = json.load(f)["vocabulary"]
    model = GPT(cfg["model"])
    w = read_safetensors(os.path.join(run, "model.safetensors"))
    c = cfg["model"]["d_model"]
    with torch.no_grad():
        model.wte.weight.copy_(w.pop("embedding.weight"))
        if model.positional == "learned":
            model.wpe.weight.copy_(w.pop("pos_embedding.weight"))
        for i, blk in enumerate(model.h):
            p = f"layers.{i}."
            kinds = ["weight"] + (["bias"] if blk.c_attn.bias is not None else [])
            for kind in kinds:
                packed = getattr(blk.c_attn, kind)
                for j, part in enumerate(("q_proj", "k_proj", "v_proj")):
                    packed[j * c:(j + 1) * c].copy_(w.pop(f"{p}self_attn.{part}.{kind}"))
                getattr(blk.c_proj, kind).copy_(w.pop(f"{p}self_attn.out_proj.{kind}"))
                getattr(blk.c_fc, kind).copy_(w.pop(f"{p}linear1.{kind}"))
                getattr(blk.mlp_proj, kind).copy_(w.pop(f"{p}linear2.{kind}"))
            for kind in ("weight", "bias"):
                getattr(blk.ln_1, kind).copy_(w.pop(f"{p}norm1.{kind}"))
                getattr(blk.ln_2, kind).copy_(w.pop(f"{p}norm2.{kind}"))
        model.ln_f.weight.copy_(w.pop("final_norm.weight"))
        model.ln_f.bias.copy_(w.pop("final_norm.bias"))
        if "lm_head.weight" in w:
            model.lm_head.weight.copy_(w.pop("lm_head.weight"))
    assert not w, f"{run}: weights not mapped: {sorted(w)}"
    return model, vocab, cfg


def char_ids(text, vocab):
    """attn's CharTokenizer: a code point's index in the vocabulary, 1 ([UNK]) if absent."""
    index = {s: i for i, s in enumerate(vocab)}
    return [index.get(ch, 1) for ch in text]


@torch.no_grad()
def generate_greedy(model, prompts, new_tokens, use_cache=True):
    """prompts: [B, P] ids -> [B, new_tokens] greedy ids, with the model's own KV cache loop."""
    model.eval()
    ids = prompts
    if not use_cache:
        out = ids
        for _ in range(new_tokens):
            nxt = model(out[:, -model.block_size:])[:, -1].argmax(-1, keepdim=True)
            out = torch.cat([out, nxt], dim=1)
        return out[:, prompts.shape[1]:]
    caches = [{} for _ in model.h]
    logits = model(ids, caches, 0)
    pos = ids.shape[1]
    new = []
    for _ in range(new_tokens):
        nxt = logits[:, -1].argmax(-1, keepdim=True)
        new.append(nxt)
        logits = model(nxt, caches, pos)
        pos += 1
    return torch.cat(new, dim=1)


def make_adamw(model, t):
    """AdamW over nanoGPT's decay groups with the hyperparameters of attn's "training"."""
    return torch.optim.AdamW(model.decay_groups(t.get("weight_decay", 0.1)), lr=t["lr"],
                             betas=(t.get("beta1", 0.9), t.get("beta2", 0.99)),
                             eps=t.get("eps", 1e-8))


def train_step(model, opt, ids, batch, block, accum, clip, bf16=False):
    """One optimizer step on `accum` micro-batches of `batch` random windows of ids. bf16:
    forward under torch.autocast("cpu", torch.bfloat16), PyTorch's mixed precision (bf16
    matmuls, f32 weights and optimizer), the counterpart of attn's --precision bf16."""
    for _ in range(accum):
        off = torch.randint(0, len(ids) - block, (batch,))
        x = torch.stack([ids[o:o + block] for o in off])
        y = torch.stack([ids[o + 1:o + block + 1] for o in off])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(x)
            loss = F.cross_entropy(logits.view(-1, logits.shape[-1]).float(), y.view(-1)) / accum
        loss.backward()
    if clip > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    opt.zero_grad(set_to_none=True)


def warmup_then_decay_lr(t, step):
    """attn's optim::scheduled_lr for constant | warmup_cosine | warmup_linear (t: "training")."""
    base, floor, warm, total = t["lr"], t.get("min_lr", 0.0), t.get("warmup_steps", 0), t["max_steps"]
    kind = t.get("schedule", "warmup_cosine")
    if kind == "constant":
        return base
    if step < warm:
        return base * step / warm
    progress = min(1.0, (step - warm) / max(1, total - warm))
    shape = 0.5 * (1 + math.cos(math.pi * progress)) if kind == "warmup_cosine" else 1 - progress
    return floor + (base - floor) * shape

#!/usr/bin/python3
"""Writes tests/fixtures/seq2seq_*.{json,bin}: PyTorch's nn.Transformer wrapped with
embeddings, and what attn's Seq2Seq must reproduce (tests/models/seq2seq_test.cpp).

Run with Debian's interpreter (it has python3-torch), from the repo root:

    /usr/bin/python3 scripts/fixtures_seq2seq.py --out tests/fixtures

The reference is torch.nn.Transformer itself (batch_first, ReLU, dropout 0), in float64
from float32-representable values, with the wrapping attn's Seq2Seq documents
(src/attn/models/seq2seq.h): embeddings scaled by sqrt(C), positions added, the final
encoder/decoder norms nn.Transformer always applies, an output layer tied to the target
embedding or separate with a bias, label-smoothed cross-entropy (0.1) ignoring -100.
Source padding (key 0 of row 1's last two positions) goes in as src_key_padding_mask and
memory_key_padding_mask; the decoder gets nn.Transformer's causal tgt_mask. Every tensor
is stored under attn's parameter name (ATTN names below; in_proj_weight's packed [3C, C]
rows split into q_proj, k_proj, v_proj).

Cases: post-norm (the paper) with sinusoidal positions and a tied output; pre-norm with
learned positions, an untied output and a shared source/target embedding.
"""

import argparse
import math
import os

import torch
import torch.nn.functional as F

from fixtures_lm import sinusoidal  # attn's nn::sinusoidal_table, shared with the LM fixtures
from make_fixtures import Case

V, B, S, T = 11, 2, 6, 5
SMOOTHING = 0.1


class Wrapped(torch.nn.Module):
    def __init__(self, C, H, L, norm_first, positional, tied, shared):
        super().__init__()
        self.C, self.positional, self.tied, self.shared = C, positional, tied, shared
        self.src_embedding = torch.nn.Embedding(V, C)
        if not shared:
            self.tgt_embedding = torch.nn.Embedding(V, C)
        if positional == "learned":
            self.src_pos = torch.nn.Embedding(16, C)
            self.tgt_pos = torch.nn.Embedding(16, C)
        self.transformer = torch.nn.Transformer(
            d_model=C, nhead=H, num_encoder_layers=L, num_decoder_layers=L,
            dim_feedforward=2 * C, dropout=0.0, batch_first=True, norm_first=norm_first)
        if not tied:
            self.output = torch.nn.Linear(C, V)

    def tgt_table(self):
        return self.src_embedding if self.shared else self.tgt_embedding

    def embed(self, table, pos, ids):
        x = table(ids) * math.sqrt(self.C)
        if self.positional == "learned":
            return x + pos(torch.arange(ids.shape[1]))
        return x + sinusoidal(ids.shape[1], self.C)

    def forward(self, src, src_pad, tgt_in, tgt_out):
        src_x = self.embed(self.src_embedding, getattr(self, "src_pos", None), src)
        tgt_x = self.embed(self.tgt_table(), getattr(self, "tgt_pos", None), tgt_in)
        causal = self.transformer.generate_square_subsequent_mask(tgt_in.shape[1]).double()
        h = self.transformer(src_x, tgt_x, tgt_mask=causal, src_key_padding_mask=src_pad,
                             memory_key_padding_mask=src_pad)
        if self.tied:
            logits = h @ self.tgt_table().weight.t()
        else:
            logits = self.output(h)
        loss = F.cross_entropy(logits.reshape(-1, V), tgt_out.reshape(-1),
                               label_smoothing=SMOOTHING, ignore_index=-100)
        return logits, loss


def attn_names(m):
    """attn parameter name -> (torch parameter, row slice or None), explicitly."""
    C = m.C
    out = {"src_embedding.weight": (m.src_embedding.weight, None)}
    if not m.shared:
        out["tgt_embedding.weight"] = (m.tgt_embedding.weight, None)
    if m.positional == "learned":
        out["src_pos.weight"] = (m.src_pos.weight, None)
        out["tgt_pos.weight"] = (m.tgt_pos.weight, None)

    def attention(prefix, mha):
        for kind, packed in (("weight", mha.in_proj_weight), ("bias", mha.in_proj_bias)):
            for j, part in enumerate(("q_proj", "k_proj", "v_proj")):
                out[f"{prefix}.{part}.{kind}"] = (packed, slice(j * C, (j + 1) * C))
            out[f"{prefix}.out_proj.{kind}"] = (getattr(mha.out_proj, kind), None)

    def plain(prefix, module, names):
        for n in names:
            for kind in ("weight", "bias"):
                out[f"{prefix}.{n}.{kind}"] = (getattr(getattr(module, n), kind), None)

    for i, layer in enumerate(m.transformer.encoder.layers):
        p = f"encoder.layers.{i}"
        attention(p + ".self_attn", layer.self_attn)
        plain(p, layer, ("linear1", "linear2", "norm1", "norm2"))
    plain("encoder", m.transformer.encoder, ("norm",))
    for i, layer in enumerate(m.transformer.decoder.layers):
        p = f"decoder.layers.{i}"
        attention(p + ".self_attn", layer.self_attn)
        attention(p + ".multihead_attn", layer.multihead_attn)
        plain(p, layer, ("linear1", "linear2", "norm1", "norm2", "norm3"))
    plain("decoder", m.transformer.decoder, ("norm",))
    if not m.tied:
        plain("", m, ("output",))
        out = {k.lstrip("."): v for k, v in out.items()}
    return out


def pick(t, rows):
    return t if rows is None else t[rows]


def case_seq2seq(name, seed, norm_first, positional, tied, shared, C=8, H=2, L=2):
    c = Case(name, seed)
    model = Wrapped(C, H, L, norm_first, positional, tied, shared)
    # Random, float32-representable values everywhere. Matrices dominate and norm gains stay
    # near 1, so every position's memory differs (large random biases would make all memory
    # rows alike and the cross-attention query gradients vanish to f32 noise).
    with torch.no_grad():
        for n, p in model.named_parameters():
            if p.dim() == 2:
                p.copy_(torch.randn(p.shape) * 0.3)
            elif "norm" in n and n.endswith("weight"):
                p.copy_(1.0 + torch.randn(p.shape) * 0.1)
            else:
                p.copy_(torch.randn(p.shape) * 0.1)
    model = model.double().train()
    src = torch.randint(1, V, (B, S))
    src_valid = torch.ones(B, S, dtype=torch.bool)
    src_valid[1, 4:] = False
    src[1, 4:] = 0
    tgt_in = torch.randint(0, V, (B, T))
    tgt_out = torch.randint(0, V, (B, T))
    tgt_out[1, 3:] = -100  # padded target positions are ignored
    names = attn_names(model)
    c.put("src", src.to(torch.int32))
    c.put("src_valid", src_valid)
    c.put("tgt_in", tgt_in.to(torch.int32))
    c.put("tgt_out", tgt_out.to(torch.int32))
    for n, (p, rows) in names.items():
        c.put(n, pick(p, rows))
    logits, loss = model(src, ~src_valid, tgt_in, tgt_out)
    loss.backward()
    c.put("logits", logits)
    c.put("loss", loss.reshape(1))
    for n, (p, rows) in names.items():
        c.put("grad." + n, pick(p.grad, rows))
    c.params = {"vocab_size": V, "batch": B, "src_time": S, "tgt_time": T, "d_model": C,
                "num_heads": H, "layers": L, "d_ff": 2 * C, "max_len": 16,
                "norm_first": norm_first, "positional": positional, "tie_output": tied,
                "share_embeddings": shared, "label_smoothing": SMOOTHING,
                "ignore_index": -100, "layer_norm_eps": 1e-5, "activation": "relu",
                "note": "in_proj_weight [3C, C] rows split into q_proj/k_proj/v_proj"}
    return c


def all_cases():
    return [
        lambda: case_seq2seq("seq2seq_post_norm", 201, False, "sinusoidal", True, False),
        lambda: case_seq2seq("seq2seq_pre_norm", 202, True, "learned", False, True),
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

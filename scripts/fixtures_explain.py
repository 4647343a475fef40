#!/usr/bin/python3
"""Writes tests/fixtures/explain/<case>.{json,bin}: PyTorch's numbers for every step of the
worked attention example that `attn explain` prints (src/attn/viz/explain.h).

Run with Debian's interpreter (it has torch), from anywhere:

    /usr/bin/python3 scripts/fixtures_explain.py

Why: the C++ side draws its example weights from attn's own counter RNG, which Python does not
reimplement. So each case here draws its inputs (X, W_Q, W_K, W_V, W_O) with numpy from a fixed
seed, stores them, and stores the expected intermediates; tests/viz/explain_test.cpp feeds the
stored inputs to attn::viz::explain and compares every step, and the printed text.

Notation matches explain.h: W_* are [in, out] (Q = X @ W_Q); head h uses columns h*d_k..; no
biases. The reference is computed in float64 from the float32 inputs and rounded to float32; it
is also checked against PyTorch's own float32 nn.MultiheadAttention (whose in_proj_weight holds
the transposes) and F.scaled_dot_product_attention.

Format (the one tests/fixture.h reads, as scripts/make_fixtures.py writes it): <case>.bin holds
the tensors as raw little-endian data, concatenated; <case>.json = {"magic": "attn-fixture",
"version": 1, "generator", "torch", "tensors": {name: {dtype, shape, offset, nbytes}}, "params"}.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

MAGIC = "attn-fixture"
VERSION = 1
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                       "explain")

# name -> (numpy seed, tokens, d_model, heads, causal)
CASES = {
    "h1": (101, ["the", "cat", "sat"], 4, 1, False),
    "h1_causal": (102, ["the", "cat", "sat"], 4, 1, True),
    "h2": (103, ["a", "dog", "ran", "home"], 6, 2, False),
    "h2_causal": (104, ["a", "dog", "ran", "home"], 6, 2, True),
}


def write_case(name, tensors, params):
    blob = bytearray()
    meta = {}
    for key, arr in tensors.items():
        if arr.dtype == np.uint8:
            code, data = "u8", arr.astype("u1").tobytes()
        else:
            assert not np.isnan(arr).any(), f"{name}/{key} has NaN"
            code, data = "f32", arr.astype("<f4").tobytes()
        meta[key] = {"dtype": code, "shape": list(arr.shape), "offset": len(blob),
                     "nbytes": len(data)}
        blob += data
    lines = ["{", f' "magic": {json.dumps(MAGIC)},', f' "version": {VERSION},',
             ' "generator": "scripts/fixtures_explain.py",',
             f' "torch": {json.dumps(torch.__version__)},', ' "tensors": {',
             ",\n".join(f"  {json.dumps(k)}: {json.dumps(m)}" for k, m in meta.items()), " },",
             f' "params": {json.dumps(params, sort_keys=True)}', "}"]
    with open(os.path.join(OUT_DIR, name + ".bin"), "wb") as f:
        f.write(bytes(blob))
    with open(os.path.join(OUT_DIR, name + ".json"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return len(blob)


def sdpa_f32(q, k, v, allow):
    """PyTorch's fused attention (public since 2.0; torch 1.13 has the private twin)."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=allow)
    out, _ = F._scaled_dot_product_attention(q, k, v, attn_mask=allow)
    return out


def make_case(seed, tokens, c, heads, causal):
    rng = np.random.RandomState(seed)
    t, dk = len(tokens), c // heads
    a = math.sqrt(6.0 / (2 * c))
    f32 = {"x": rng.uniform(-1, 1, (t, c)).astype(np.float32)}
    for w in ("w_q", "w_k", "w_v", "w_o"):
        f32[w] = rng.uniform(-a, a, (c, c)).astype(np.float32)
    d = {k: torch.from_numpy(v).double() for k, v in f32.items()}
    allow = torch.ones(t, t, dtype=torch.bool)
    if causal:
        allow = torch.tril(allow)

    q, k, v = d["x"] @ d["w_q"], d["x"] @ d["w_k"], d["x"] @ d["w_v"]
    split = lambda m: m.reshape(t, heads, dk).transpose(0, 1)  # [T,C] -> [H,T,dk]
    qh, kh, vh = split(q), split(k), split(v)
    scores = qh @ kh.transpose(1, 2)
    scaled = scores / math.sqrt(dk)
    masked = scaled.masked_fill(~allow, float("-inf"))
    weights = torch.softmax(masked, dim=-1)
    out = weights @ vh
    concat = out.transpose(0, 1).reshape(t, c)
    y = concat @ d["w_o"]

    # PyTorch's own float32 paths must agree with the float64 reference.
    sdpa = sdpa_f32(qh.float(), kh.float(), vh.float(), allow)
    assert torch.allclose(sdpa.double(), out, atol=1e-5), "sdpa differs"
    mha = torch.nn.MultiheadAttention(c, heads, bias=False, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([d["w_q"].T, d["w_k"].T, d["w_v"].T]).float())
        mha.out_proj.weight.copy_(d["w_o"].T.float())
    xb = d["x"].float()[None]
    y32, w32 = mha(xb, xb, xb, attn_mask=(~allow) if causal else None, need_weights=True,
                   average_attn_weights=False)
    assert torch.allclose(y32[0].double(), y, atol=1e-5), "MultiheadAttention output differs"
    assert torch.allclose(w32[0].double(), weights, atol=1e-5), "MultiheadAttention weights differ"

    np32 = lambda m: m.detach().float().numpy()
    tensors = dict(f32)
    tensors.update({"q": np32(q), "k": np32(k), "v": np32(v), "scores": np32(scores),
                    "scaled": np32(scaled), "weights": np32(weights), "out": np32(out),
                    "concat": np32(concat), "y": np32(y),
                    "allow": allow.numpy().astype(np.uint8),
                    "softmax_demo": np32(torch.softmax(torch.tensor([1.0, 2.0, 3.0]).double(),
                                                       0))})
    params = {"tokens": tokens, "heads": heads, "causal": causal, "seed": seed}
    return tensors, params


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, spec in CASES.items():
        tensors, params = make_case(*spec)
        n = write_case(name, tensors, params)
        print(f"{name}: {n} bytes")


if __name__ == "__main__":
    main()

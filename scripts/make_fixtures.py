#!/usr/bin/python3
"""Writes the PyTorch reference fixtures that attn's C++ tests compare against.

Run with Debian's interpreter (the one that has python3-torch), from the repo root:

    /usr/bin/python3 scripts/make_fixtures.py --out tests/fixtures

Why: every autograd op and nn module in attn must reproduce PyTorch within 1e-5 (DESIGN.md,
"Contracts"), values *and* gradients. The C++ tests cannot call PyTorch, so this script dumps
small, seeded cases once and the outputs are committed. Re-running it rewrites the same bytes
(each case seeds its own RNG, so adding a case does not change the others).

Format, per case: `<case>.bin` holds every tensor as raw little-endian data, concatenated;
`<case>.json` = {"magic": "attn-fixture", "version": 1, "generator": ..., "torch": ...,
"tensors": {name: {"dtype": "f32"|"i32"|"u8", "shape", "offset", "nbytes"}}, "params": {...}}.
tests/fixture.h reads it.

Conventions inside a case:
  * inputs under their own names, the output as `y` (or as named in the case);
  * `gout`: fixed random weights; the scalar loss is sum(y * gout), so a C++ test seeds the
    same upstream gradient; `grad.<name>` = d loss / d <name> for every float input/parameter
    (the classifier case has no gout: its loss is already a scalar, backpropagated as is).
Inputs are drawn as float32; the reference is computed in float64 from those exact values
and rounded to float32, so a fixture holds the true answer to f32 precision rather than
PyTorch's own f32 rounding noise. Most cases also assert that PyTorch's own float32 result
(the nn module itself, for the nn-level cases) or a hand-written formula agrees.
"""

import argparse
import json
import math
import os

import torch
import torch.nn.functional as F

MAGIC = "attn-fixture"
VERSION = 1
KPROJ_BIAS_NOTE = ("grad.*k_proj.bias is 0 in exact arithmetic (adding q.b_k to every score of "
                   "a query row leaves its softmax unchanged); compare it absolutely")
DTYPES = {torch.float32: ("f32", "<f4"), torch.int32: ("i32", "<i4"), torch.uint8: ("u8", "u1")}


class Case:
    """Collects named tensors and parameters of one case, then writes .bin + .json."""

    def __init__(self, name, seed):
        self.name = name
        self.tensors = {}
        self.params = {}
        torch.manual_seed(seed)

    def put(self, name, t):
        t = t.detach()
        if t.dtype == torch.float64:
            t = t.float()
        if t.dtype == torch.bool:
            t = t.to(torch.uint8)
        assert t.dtype in DTYPES, f"{self.name}/{name}: unsupported dtype {t.dtype}"
        assert not torch.isnan(t.double()).any(), f"{self.name}/{name} contains NaN"
        self.tensors[name] = t.contiguous()

    def put_grads(self, named):
        for name, t in named.items():
            assert t.grad is not None, f"{self.name}: no gradient for {name}"
            self.put("grad." + name, t.grad)

    def write(self, out_dir):
        blob = bytearray()
        meta = {}
        for name, t in self.tensors.items():
            code, np_dtype = DTYPES[t.dtype]
            data = t.numpy().astype(np_dtype).tobytes()
            meta[name] = {"dtype": code, "shape": list(t.shape), "offset": len(blob),
                          "nbytes": len(data)}
            blob += data
        doc = {"magic": MAGIC, "version": VERSION, "generator": "scripts/make_fixtures.py",
               "torch": torch.__version__, "tensors": meta, "params": self.params}
        with open(os.path.join(out_dir, self.name + ".bin"), "wb") as f:
            f.write(bytes(blob))
        with open(os.path.join(out_dir, self.name + ".json"), "w") as f:
            f.write(to_json(doc))
        return len(blob)


def to_json(doc):
    """JSON with one line per tensor, so a diff of a regenerated fixture stays readable."""
    lines = ["{"]
    for key in ("magic", "version", "generator", "torch"):
        lines.append(f" {json.dumps(key)}: {json.dumps(doc[key])},")
    lines.append(' "tensors": {')
    lines.append(",\n".join(f"  {json.dumps(n)}: {json.dumps(m)}"
                            for n, m in doc["tensors"].items()))
    lines.append(" },")
    lines.append(f' "params": {json.dumps(doc["params"], sort_keys=True)}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def randn(*shape, scale=1.0):
    """float32 draw (what the C++ side gets), promoted to float64 for the reference."""
    return (torch.randn(*shape) * scale).float().double().requires_grad_(True)


def f64(t):
    return t.detach().float().double().requires_grad_(True)


def backprop(case, y, inputs, out_name="y"):
    """Dumps y, gout and d sum(y*gout) / d every input; inputs: name -> float64 leaf."""
    gout = torch.randn(*y.shape).float().double()
    (y * gout).sum().backward()
    case.put(out_name, y)
    case.put("gout", gout)
    for name, t in inputs.items():
        case.put(name, t)
    case.put_grads(inputs)


def check_f32(case, got64, want32, tol=1e-5):
    """Asserts PyTorch's own float32 result matches the float64 reference."""
    err = (got64.detach().float() - want32.detach()).abs().max().item()
    scale = max(1.0, want32.detach().abs().max().item())
    assert err <= tol * scale, f"{case.name}: float32 PyTorch differs from reference by {err}"


# ---------------------------------------------------------------- op-level cases


def case_linear(name, seed, bias):
    c = Case(name, seed)
    ins = {"x": randn(2, 3, 5), "w": randn(4, 5)}
    if bias:
        ins["b"] = randn(4)
    y = F.linear(ins["x"], ins["w"], ins.get("b"))
    check_f32(c, y, F.linear(*(t.float() for t in ins.values())))
    backprop(c, y, ins)
    c.params = {"bias": bias}
    return c


def case_layer_norm(name, seed, eps):
    c = Case(name, seed)
    ins = {"x": randn(2, 3, 6, scale=2.0), "gamma": randn(6), "beta": randn(6)}
    y = F.layer_norm(ins["x"], (6,), ins["gamma"], ins["beta"], eps)
    check_f32(c, y, F.layer_norm(ins["x"].float(), (6,), ins["gamma"].float(),
                                 ins["beta"].float(), eps))
    backprop(c, y, ins)
    c.params = {"eps": eps}
    return c


def case_unary(name, seed, fn, scale=2.0, **params):
    c = Case(name, seed)
    x = randn(2, 3, 5, scale=scale)
    y = fn(x)
    check_f32(c, y, fn(x.float()))
    backprop(c, y, {"x": x})
    c.params = params
    return c


def case_embedding(name, seed):
    c = Case(name, seed)
    table = randn(10, 4)
    # Repeated ids (3 appears three times, 7 twice) so the gradient must accumulate.
    ids = torch.tensor([[3, 1, 7, 3, 0], [9, 3, 7, 2, 5]], dtype=torch.int32)
    y = F.embedding(ids.long(), table)
    backprop(c, y, {"table": table})
    c.put("ids", ids)
    return c


def case_softmax(name, seed):
    c = Case(name, seed)
    x = randn(2, 3, 5, scale=3.0)
    y = torch.softmax(x, dim=-1)
    check_f32(c, y, torch.softmax(x.float(), dim=-1))
    backprop(c, y, {"x": x})
    c.params = {"axis": -1}
    return c


def masked_softmax_attention(q, k, v, allow, bias, scale):
    """q [B,H,Tq,D], k/v [B,H,Tk,D], allow bool [B|1,Tq,Tk] or None, bias [..,Tq,Tk] or None.

    attn's contract: masked entries get probability 0 and a query row with no allowed key
    gets all-zero probabilities (PyTorch would give NaN). Masked scores are filled with a
    huge *finite* negative so no -inf - -inf NaN appears, then empty rows are zeroed, which
    also zeroes their gradient.
    """
    s = torch.matmul(q, k.transpose(-1, -2)) * scale
    if bias is not None:
        s = s + bias.unsqueeze(-3) if bias.dim() == 3 else s + bias
    if allow is None:
        allow = torch.ones(s.shape[-2:], dtype=torch.bool)
    allow4 = allow.unsqueeze(-3) if allow.dim() == 3 else allow
    allow4 = allow4 & torch.isfinite(s)
    p = torch.softmax(s.masked_fill(~allow4, -1e30), dim=-1)
    p = p * allow4.any(dim=-1, keepdim=True)
    return torch.matmul(p, v), p


def case_attention(name, seed, tk, mask_kind):
    c = Case(name, seed)
    b, h, tq, d = 2, 2, 4, 8
    ins = {"q": randn(b, h, tq, d), "k": randn(b, h, tk, d), "v": randn(b, h, tk, d)}
    scale = 1.0 / math.sqrt(d)
    allow, bias = None, None
    if mask_kind == "bool":
        allow = torch.rand(b, tq, tk) < 0.7
        allow[0, 0, 0] = True
        allow[1, 2, :] = False  # one fully masked query row: zeros, not NaN
        allow[1, 3, :] = True
    elif mask_kind == "causal":
        assert tq == tk
        allow = torch.tril(torch.ones(tq, tk, dtype=torch.bool))
    elif mask_kind == "bias":
        bias = (torch.randn(tq, tk) * 2.0).float().double()
        bias[1, 0] = -math.inf  # one forbidden entry, expressed through the bias
    y, p = masked_softmax_attention(ins["q"], ins["k"], ins["v"], allow, bias, scale)
    # PyTorch float32 cross-check on rows that have at least one allowed key.
    s32 = torch.matmul(ins["q"].float(), ins["k"].float().transpose(-1, -2)) * scale
    if bias is not None:
        s32 = s32 + bias.float()
    if allow is not None:
        a4 = allow.unsqueeze(1) if allow.dim() == 3 else allow
        s32 = s32.masked_fill(~a4, -math.inf)
    y32 = torch.nan_to_num(torch.matmul(torch.softmax(s32, dim=-1), ins["v"].float()))
    check_f32(c, y, y32)
    backprop(c, y, ins)
    c.put("probs", p)
    if allow is not None:
        c.put("allow", allow)
    if bias is not None:
        c.put("bias", bias)
    c.params = {"scale": scale, "mask": mask_kind, "dropout_p": 0.0,
                "note": "allow u8 1 = may attend; fully masked rows give zeros (attn contract)"}
    return c


def lengths_to_valid(lengths, t):
    """u8 [B, T], 1 = real token; padding only at the end of each row."""
    return (torch.arange(t)[None, :] < torch.tensor(lengths)[:, None]).to(torch.uint8)


def case_mean_pool(name, seed):
    c = Case(name, seed)
    x = randn(2, 5, 4)
    valid = lengths_to_valid([5, 3], 5)
    m = valid.double().unsqueeze(-1)
    y = (x * m).sum(1) / m.sum(1)
    backprop(c, y, {"x": x})
    c.put("valid", valid)
    return c


def case_max_pool(name, seed):
    c = Case(name, seed)
    x = randn(2, 5, 4)
    valid = lengths_to_valid([5, 3], 5)
    with torch.no_grad():
        x[1, 3:, :] += 10.0  # padded positions hold the largest values: the mask must matter
    y = x.masked_fill(valid.unsqueeze(-1) == 0, -math.inf).max(dim=1).values
    backprop(c, y, {"x": x})
    c.put("valid", valid)
    c.params = {"note": "max over valid positions; inputs have no ties"}
    return c


def case_bce(name, seed):
    c = Case(name, seed)
    logits = randn(6, scale=2.0)
    targets = torch.tensor([1.0, 0.0, 1.0, 0.0, 0.3, 0.8]).double()
    y = F.binary_cross_entropy_with_logits(logits, targets, reduction="mean").reshape(1)
    check_f32(c, y, F.binary_cross_entropy_with_logits(logits.float(), targets.float()))
    backprop(c, y, {"logits": logits}, out_name="loss")
    c.put("targets", targets)
    c.params = {"reduction": "mean"}
    return c


def case_cross_entropy(name, seed):
    c = Case(name, seed)
    n, classes, eps = 6, 5, 0.1
    logits = randn(n, classes, scale=2.0)
    targets = torch.tensor([2, -100, 0, 4, -100, 1], dtype=torch.int32)
    y = F.cross_entropy(logits, targets.long(), ignore_index=-100, label_smoothing=eps)
    # Manual form of the same loss, so a PyTorch quirk could not slip in unnoticed.
    keep = targets != -100
    logp = torch.log_softmax(logits.detach()[keep], dim=-1)
    nll = -logp.gather(1, targets[keep].long()[:, None]).squeeze(1)
    manual = ((1 - eps) * nll - eps * logp.mean(dim=1)).mean()
    assert abs(manual.item() - y.item()) < 1e-12, f"{name}: manual {manual} vs torch {y}"
    y = y.reshape(1)
    backprop(c, y, {"logits": logits}, out_name="loss")
    c.put("targets", targets)
    c.params = {"label_smoothing": eps, "ignore_index": -100, "reduction": "mean"}
    return c


# ---------------------------------------------------------------- nn-level cases


def split_mha(prefix, mha):
    """nn.MultiheadAttention's packed in_proj -> attn's q_proj/k_proj/v_proj names.

    Returns name -> float64 leaf tensor; the module is rebuilt from these leaves by
    mha_params_into so gradients land on the split tensors directly.
    """
    e = mha.embed_dim
    w, b = mha.in_proj_weight.detach(), mha.in_proj_bias.detach()
    out = {}
    for i, part in enumerate(["q_proj", "k_proj", "v_proj"]):
        out[f"{prefix}{part}.weight"] = f64(w[i * e:(i + 1) * e])
        out[f"{prefix}{part}.bias"] = f64(b[i * e:(i + 1) * e])
    out[f"{prefix}out_proj.weight"] = f64(mha.out_proj.weight)
    out[f"{prefix}out_proj.bias"] = f64(mha.out_proj.bias)
    return out


def mha_forward(p, prefix, x, heads, key_padding_mask=None, attn_mask=None):
    """F.multi_head_attention_forward over the split leaves (self-attention, batch first)."""
    xt = x.transpose(0, 1)  # functional form is sequence-first
    in_w = torch.cat([p[prefix + n + ".weight"] for n in ("q_proj", "k_proj", "v_proj")])
    in_b = torch.cat([p[prefix + n + ".bias"] for n in ("q_proj", "k_proj", "v_proj")])
    y, w = F.multi_head_attention_forward(
        xt, xt, xt, x.shape[-1], heads, in_w, in_b, None, None, False, 0.0,
        p[prefix + "out_proj.weight"], p[prefix + "out_proj.bias"], training=True,
        key_padding_mask=key_padding_mask, need_weights=True, attn_mask=attn_mask,
        average_attn_weights=False)
    return y.transpose(0, 1), w


def randomize_(module):
    """PyTorch initialises biases and LayerNorm to 0/1; random values test those paths too."""
    with torch.no_grad():
        for t in module.parameters():
            t.copy_(torch.randn(t.shape) * 0.5)


def case_mha(name, seed, masking):
    c = Case(name, seed)
    e, heads, b, t = 8, 2, 2, 5
    mha = torch.nn.MultiheadAttention(e, heads, bias=True, batch_first=True)
    randomize_(mha)
    # train() with dropout 0: PyTorch 1.13's eval-mode "fast path" would be taken otherwise.
    mha.train()
    x = randn(b, t, e)
    p = split_mha("", mha)
    kpm, attn_mask = None, None
    if masking == "key_padding":
        valid = lengths_to_valid([5, 3], t)
        kpm = valid == 0
        c.put("key_padding_mask", kpm)
        c.put("valid", valid)
    else:
        attn_mask = ~torch.tril(torch.ones(t, t, dtype=torch.bool))
        c.put("attn_mask", attn_mask)
        c.put("allow", ~attn_mask)
    y, w = mha_forward(p, "", x, heads, kpm, attn_mask)
    y32, w32 = mha(x.float(), x.float(), x.float(), key_padding_mask=kpm, attn_mask=attn_mask,
                   average_attn_weights=False)
    check_f32(c, y, y32)
    check_f32(c, w, w32)
    c.put("attn_weights", w)
    backprop(c, y, {"x": x, **p})
    c.params = {"embed_dim": e, "num_heads": heads, "batch_first": True, "bias": True,
                "masking": masking, "average_attn_weights": False, "dropout": 0.0,
                "k_proj_bias_grad": KPROJ_BIAS_NOTE}
    if masking == "key_padding":
        c.params["key_padding_mask"] = "u8 [B,T], 1 = PAD (PyTorch); valid: 1 = real token"
    else:
        c.params["attn_mask"] = "u8 [T,T], 1 = may NOT attend (PyTorch bool); allow = 1 - it"
    return c


def case_encoder_layer(name, seed, norm_first):
    c = Case(name, seed)
    d, heads, ff, b, t, eps = 8, 2, 16, 2, 5, 1e-5
    layer = torch.nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation="relu",
                                             layer_norm_eps=eps, batch_first=True,
                                             norm_first=norm_first)
    randomize_(layer)
    # train() with dropout 0.0: in eval mode PyTorch 1.13 may take the "fast path", which
    # returns 0 at padded positions instead of the ordinary computation.
    layer.train()
    x = randn(b, t, d)
    valid = lengths_to_valid([5, 4], t)
    kpm = valid == 0
    y32 = layer(x.float(), src_key_padding_mask=kpm)

    p = split_mha("self_attn.", layer.self_attn)
    for mod in ("linear1", "linear2", "norm1", "norm2"):
        for kind in ("weight", "bias"):
            p[f"{mod}.{kind}"] = f64(getattr(getattr(layer, mod), kind))

    def sa(h):
        return mha_forward(p, "self_attn.", h, heads, kpm)[0]

    def ffn(h):
        h = F.relu(F.linear(h, p["linear1.weight"], p["linear1.bias"]))
        return F.linear(h, p["linear2.weight"], p["linear2.bias"])

    def n1(h):
        return F.layer_norm(h, (d,), p["norm1.weight"], p["norm1.bias"], eps)

    def n2(h):
        return F.layer_norm(h, (d,), p["norm2.weight"], p["norm2.bias"], eps)

    if norm_first:
        h = x + sa(n1(x))
        y = h + ffn(n2(h))
    else:
        h = n1(x + sa(x))
        y = n2(h + ffn(h))
    check_f32(c, y, y32)
    backprop(c, y, {"x": x, **p})
    c.put("src_key_padding_mask", kpm)
    c.put("valid", valid)
    c.params = {"d_model": d, "nhead": heads, "dim_feedforward": ff, "dropout": 0.0,
                "activation": "relu", "layer_norm_eps": eps, "batch_first": True,
                "norm_first": norm_first, "k_proj_bias_grad": KPROJ_BIAS_NOTE,
                "src_key_padding_mask": "u8, 1 = PAD (PyTorch); valid: 1 = real token"}
    return c


def case_classifier(name, seed):
    """The seed article's Keras classifier in miniature, in plain torch ops.

    Embedding(20, 8) -> MultiHeadAttention(num_heads=2, key_dim=4) self-attention with
    separate q/k/v Dense layers as Keras has them (keys at padding masked) ->
    GlobalAveragePooling1D over real tokens -> Dense(1) -> BCE with logits (mean).
    """
    c = Case(name, seed)
    vocab, e, heads, key_dim = 20, 8, 2, 4
    ids = torch.tensor([[5, 3, 17, 9, 2, 11], [4, 8, 1, 0, 0, 0], [12, 19, 6, 7, 0, 0]],
                       dtype=torch.int32)
    labels = torch.tensor([1.0, 0.0, 1.0]).double()
    valid = (ids != 0).to(torch.uint8)
    p = {"embedding.weight": randn(vocab, e)}
    for part in ("q_proj", "k_proj", "v_proj"):
        p[f"attn.{part}.weight"] = randn(heads * key_dim, e, scale=0.5)
        p[f"attn.{part}.bias"] = randn(heads * key_dim, scale=0.5)
    p["attn.out_proj.weight"] = randn(e, heads * key_dim, scale=0.5)
    p["attn.out_proj.bias"] = randn(e, scale=0.5)
    p["head.weight"] = randn(1, e, scale=0.5)
    p["head.bias"] = randn(1, scale=0.5)

    b, t = ids.shape
    x = F.embedding(ids.long(), p["embedding.weight"])

    def proj(part):  # [B,T,E] -> [B,H,T,key_dim]
        y = F.linear(x, p[f"attn.{part}.weight"], p[f"attn.{part}.bias"])
        return y.reshape(b, t, heads, key_dim).transpose(1, 2)

    allow = (valid != 0)[:, None, :].expand(b, t, t)  # every query may see the real keys
    o, _ = masked_softmax_attention(proj("q_proj"), proj("k_proj"), proj("v_proj"), allow,
                                    None, 1.0 / math.sqrt(key_dim))
    o = o.transpose(1, 2).reshape(b, t, heads * key_dim)
    a = F.linear(o, p["attn.out_proj.weight"], p["attn.out_proj.bias"])
    m = valid.double().unsqueeze(-1)
    pooled = (a * m).sum(1) / m.sum(1)
    logits = F.linear(pooled, p["head.weight"], p["head.bias"])  # [B, 1]
    loss = F.binary_cross_entropy_with_logits(logits.squeeze(1), labels).reshape(1)
    loss.backward()
    c.put("ids", ids)
    c.put("valid", valid)
    c.put("labels", labels)
    c.put("logits", logits)
    c.put("loss", loss)
    for n, v in p.items():
        c.put(n, v)
    c.put_grads(p)
    c.params = {"vocab": vocab, "embed_dim": e, "num_heads": heads, "key_dim": key_dim,
                "padding_id": 0, "pooling": "mean over valid tokens",
                "loss": "binary_cross_entropy_with_logits, mean",
                "note": "keys at padding are masked; padded queries are pooled out",
                "k_proj_bias_grad": KPROJ_BIAS_NOTE}
    return c


def all_cases():
    """One builder per case; each case gets a fixed seed of its own."""
    return [
        lambda: case_linear("linear", 1, bias=True),
        lambda: case_linear("linear_nobias", 2, bias=False),
        lambda: case_layer_norm("layer_norm_eps1e-5", 3, 1e-5),
        lambda: case_layer_norm("layer_norm_eps1e-3", 4, 1e-3),
        lambda: case_unary("gelu_erf", 5, lambda x: F.gelu(x), approximate="none"),
        lambda: case_unary("gelu_tanh", 6, lambda x: F.gelu(x, approximate="tanh"),
                           approximate="tanh"),
        lambda: case_unary("relu", 7, F.relu),
        lambda: case_unary("sigmoid", 8, torch.sigmoid, scale=3.0),
        lambda: case_embedding("embedding", 9),
        lambda: case_softmax("softmax", 10),
        lambda: case_attention("attention_self_nomask", 11, 4, "none"),
        lambda: case_attention("attention_cross_nomask", 12, 3, "none"),
        lambda: case_attention("attention_bool_mask", 13, 3, "bool"),
        lambda: case_attention("attention_causal", 14, 4, "causal"),
        lambda: case_attention("attention_bias", 15, 3, "bias"),
        lambda: case_mean_pool("mean_pool", 16),
        lambda: case_max_pool("max_pool", 17),
        lambda: case_bce("bce_with_logits", 18),
        lambda: case_cross_entropy("cross_entropy", 19),
        lambda: case_mha("mha_key_padding", 20, "key_padding"),
        lambda: case_mha("mha_causal", 21, "causal"),
        lambda: case_encoder_layer("encoder_layer_post_norm", 22, norm_first=False),
        lambda: case_encoder_layer("encoder_layer_pre_norm", 23, norm_first=True),
        lambda: case_classifier("classifier", 24),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tests/fixtures", help="output directory")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)  # deterministic reductions
    total = 0
    for build in all_cases():
        case = build()
        n = case.write(args.out)
        total += n
        print(f"{case.name:28s} {len(case.tensors):3d} tensors {n:7d} bytes")
    print(f"total payload {total} bytes")


if __name__ == "__main__":
    main()

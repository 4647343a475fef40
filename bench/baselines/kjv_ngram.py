#!/usr/bin/python3
"""Interpolated modified Kneser-Ney character n-gram on the King James Bible.

Chen & Goodman (1998), "An Empirical Study of Smoothing Techniques for Language
Modeling", section 3 (interpolated, three discounts per order):

  P_k(w | h) = (max(c_k(hw) - D_k(c_k(hw)), 0) + g_k(h) * P_{k-1}(w | h')) / c_k(h)
  g_k(h)     = D_k1 * N1(h.) + D_k2 * N2(h.) + D_k3+ * N3+(h.)
  P_0(w)     = 1 / |V|           (uniform over the 63 symbols)

h' is h without its first character. c_k is the raw count at the highest order
n and the continuation count N1+(. hw) (distinct left neighbours) below it;
c_k(h) = sum_w c_k(hw), and N1/N2/N3+(h.) count the words after h whose c_k is
1, 2, >= 3. A context with c_k(h) = 0 (never seen, or cut off at the start of
the text) passes P_{k-1} through unchanged. The discounts come from the
count-of-counts n1..n4 of each order: Y = n1 / (n1 + 2 n2), D1 = 1 - 2Y n2/n1,
D2 = 2 - 3Y n3/n2, D3+ = 3 - 4Y n4/n3. Every P_k sums to 1 over the vocabulary;
the script checks this on sample contexts, seen and unseen.

Counts live in sorted numpy arrays of n-gram ids (6 bits per symbol, ids
1..63, 0 meaning "before the start of the text"), so orders up to 10 fit in
int64; lookups are binary searches, vectorised over all positions.

The model is trained on train.txt; test.txt is scored as one stream (its first
characters see shorter contexts). Two things are tuned on valid.txt: the order
n, and one multiplier for all counted discounts (grid 0.80..1.60; --no-tune
keeps the count-of-counts values). Both variants are reported for every n.

Usage: /usr/bin/python3 bench/baselines/kjv_ngram.py [DATA_DIR] [--orders 2-10] [--no-tune]
"""

import argparse
import sys
import time

import numpy as np

BITS = 6  # 63 symbols + the padding id 0 fit in 6 bits
MAX_ORDER = 10  # 10 * 6 = 60 bits: ids of up to 10 characters fit in int64


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def ngram_ids(x, k):
    """x [N] symbol ids -> [N-k+1] ids of every k-gram."""
    ids = np.zeros(len(x) - k + 1, dtype=np.int64)
    for j in range(k):
        ids = (ids << BITS) | x[j : len(x) - k + 1 + j]
    return ids


def discounts(nk):
    """Count-of-counts n1..n4 -> [0, D1, D2, D3+] (Chen & Goodman 1998, eq. 26).
    An order without singletons (the unigrams of a large text) gets D = 0
    there; each D_i is kept within [0, i] so that no probability goes negative."""
    n1, n2, n3, n4 = nk
    y = n1 / (n1 + 2 * n2) if n1 + 2 * n2 > 0 else 0.0
    d = [0.0]
    for i, (ni, nnext) in enumerate(((n1, n2), (n2, n3), (n3, n4)), start=1):
        d.append(min(max(i - (i + 1) * y * nnext / ni, 0.0), float(i)) if ni > 0 else 0.0)
    return np.array(d)


class Table:
    """Counts of the k-grams of one order: sorted ids `u` with counts `c`, and
    per context (the first k-1 symbols) its total and N1, N2, N3+."""

    def __init__(self, u, c):
        self.u, self.c = u, c
        ctx = u >> BITS  # sorted, because u is
        self.ctx, start = np.unique(ctx, return_index=True)
        self.total = np.add.reduceat(c, start)
        self.n1 = np.add.reduceat((c == 1).astype(np.int64), start)
        self.n2 = np.add.reduceat((c == 2).astype(np.int64), start)
        self.n3 = np.add.reduceat((c >= 3).astype(np.int64), start)
        nk = [int(np.sum(c == i)) for i in (1, 2, 3, 4)]
        self.d_counted = discounts(nk)
        self.d = self.d_counted

    def lookup(self, keys, u, values):
        """values[i] where u[i] == keys, else 0."""
        pos = np.searchsorted(u, keys)
        pos = np.minimum(pos, len(u) - 1)
        hit = u[pos] == keys
        return np.where(hit, values[pos], 0), pos, hit


class KneserNey:
    def __init__(self, train_ids, max_order):
        self.raw = {}  # order -> Table of raw counts
        self.cont = {}  # order -> Table of continuation counts
        for k in range(1, max_order + 1):
            u, c = np.unique(ngram_ids(train_ids, k), return_counts=True)
            self.raw[k] = Table(u, c)
            if k >= 2:
                # N1+(. w_2..w_k) = how many distinct k-grams end in that (k-1)-gram.
                suffix = u & ((1 << (BITS * (k - 1))) - 1)
                su, sc = np.unique(suffix, return_counts=True)
                self.cont[k - 1] = Table(su, sc)

    def scale_discounts(self, scale):
        """Multiplies every order's count-of-counts discounts by `scale` (1 = as counted)."""
        for t in list(self.raw.values()) + list(self.cont.values()):
            t.d = np.minimum(t.d_counted * scale, [0.0, 1.0, 2.0, 3.0])

    def probs(self, windows, n, vocab):
        """windows [M, n] (symbol ids, 0 = before the start of the text; the last
        column is the predicted symbol) -> [M] probabilities under the order-n model."""
        p = np.full(len(windows), 1.0 / vocab)
        for k in range(1, n + 1):
            t = self.raw[k] if k == n else self.cont[k]
            cols = windows[:, n - k :]
            ids = np.zeros(len(windows), dtype=np.int64)
            for j in range(k):
                ids = (ids << BITS) | cols[:, j]
            # A context that runs past the start of the text is unseen.
            valid = np.all(cols[:, : k - 1] > 0, axis=1)
            count, _, _ = t.lookup(ids, t.u, t.c)
            total, pos, hit = t.lookup(ids >> BITS, t.ctx, t.total)
            seen = hit & valid
            gamma = t.d[1] * t.n1[pos] + t.d[2] * t.n2[pos] + t.d[3] * t.n3[pos]
            disc = t.d[np.minimum(count, 3)]
            num = np.maximum(count - disc, 0.0) + gamma * p
            p = np.where(seen, num / np.where(seen, total, 1), p)
        return p


def windows_of(x, n):
    """x [N] -> [N, n]: each symbol with its n-1 predecessors (0-padded)."""
    padded = np.concatenate([np.zeros(n - 1, dtype=np.int64), x])
    return np.lib.stride_tricks.sliding_window_view(padded, n)


def bpc(model, x, n, vocab):
    return float(-np.mean(np.log2(model.probs(windows_of(x, n), n, vocab))))


def check_normalized(model, x, n, vocab, rng):
    """Sum of P(w | h) over all w is 1 for contexts from x and for random ones."""
    contexts = [x[i : i + n - 1] for i in rng.integers(0, len(x) - n, size=20)]
    contexts += [rng.integers(1, vocab + 1, size=n - 1) for _ in range(5)]  # mostly unseen
    contexts.append(np.zeros(n - 1, dtype=np.int64))  # start of text
    for h in contexts:
        w = np.concatenate([np.tile(h, (vocab, 1)), np.arange(1, vocab + 1)[:, None]], axis=1)
        total = model.probs(w, n, vocab).sum()
        if abs(total - 1.0) > 1e-9:
            sys.exit(f"order {n}: probabilities sum to {total!r} for context {h}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?", default="data/kjv")
    ap.add_argument("--orders", default=f"2-{MAX_ORDER}", help="orders to try on valid, a-b")
    ap.add_argument("--no-tune", dest="tune", action="store_false",
                    help="skip tuning a discount multiplier on valid")
    args = ap.parse_args()
    lo, hi = (int(v) for v in args.orders.split("-"))
    if not 1 <= lo <= hi <= MAX_ORDER:
        sys.exit(f"--orders must lie within 1-{MAX_ORDER}")

    t0 = time.time()
    texts = {s: read(f"{args.data}/{s}.txt") for s in ("train", "valid", "test")}
    symbols = sorted(set("".join(texts.values())))
    index = {ch: i + 1 for i, ch in enumerate(symbols)}
    vocab = len(symbols)
    ids = {s: np.array([index[ch] for ch in t], dtype=np.int64) for s, t in texts.items()}
    print(f"{vocab} symbols; train {len(ids['train'])}, valid {len(ids['valid'])}, "
          f"test {len(ids['test'])} chars", flush=True)

    model = KneserNey(ids["train"], hi)
    print(f"counted orders 1-{hi} in {time.time() - t0:.1f} s", flush=True)
    rng = np.random.default_rng(0)
    results = {}  # n -> (valid, test) with counted discounts, then with the tuned scale
    for n in range(lo, hi + 1):
        model.scale_discounts(1.0)
        check_normalized(model, ids["valid"], n, vocab, rng)
        counted = (bpc(model, ids["valid"], n, vocab), bpc(model, ids["test"], n, vocab))
        tuned_scale = 1.0
        if args.tune:
            # One multiplier for all discounts, picked on valid from a fixed grid.
            grid = [round(0.8 + 0.05 * i, 2) for i in range(17)]
            scores = {}
            for scale in grid:
                model.scale_discounts(scale)
                scores[scale] = bpc(model, ids["valid"], n, vocab)
            tuned_scale = min(scores, key=scores.get)
            model.scale_discounts(tuned_scale)
            check_normalized(model, ids["valid"], n, vocab, rng)
        tuned = (bpc(model, ids["valid"], n, vocab), bpc(model, ids["test"], n, vocab))
        results[n] = (counted, tuned, tuned_scale)
        d = model.raw[n].d_counted
        tuned_text = (f"   x{tuned_scale:.2f} tuned: valid {tuned[0]:.4f} test {tuned[1]:.4f}"
                      if args.tune else "")
        print(f"n={n:2d}  counted discounts: valid {counted[0]:.4f} test {counted[1]:.4f}"
              f"{tuned_text} bpc   (order-{n} D1 {d[1]:.3f} D2 {d[2]:.3f} D3+ {d[3]:.3f})",
              flush=True)
    for label, which in (("counted discounts", 0), ("tuned discounts", 1)):
        if which == 1 and not args.tune:
            continue
        best = min(results, key=lambda n: results[n][which][0])
        line = [f"best n on valid {best}: test {results[best][which][1]:.3f}"]
        line += [f"n={n}: test {results[n][which][1]:.3f}" for n in (8, 10) if n in results]
        print(f"{label}: " + ", ".join(line) + " bpc")
    print(f"total {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()

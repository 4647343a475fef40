#!/usr/bin/python3
"""PyTorch training tokens/s of the seed classifier (examples/spam_classifier.json: token
embedding + sinusoidal positions, embedding dropout, post-norm nn.TransformerEncoderLayer
stack with ReLU, mean pooling over real tokens, a linear head, label-smoothed cross-entropy,
AdamW, clipping) on batches of `batch_size` × `max_len` token ids with no padding, over
`steps` optimizer steps after two untimed ones: the PyTorch half of bench/compare_torch.sh's
classifier_train row (attn trains the same config on documents longer than max_len, so
its batches have the same shape). Prints one JSON line.

    /usr/bin/python3 bench/torch/torch_classifier_speed.py CONFIG [steps=10] [threads=2]
"""

import json
import sys
import time

import torch
import torch.nn.functional as F

from torch_gpt import sinusoidal


class Classifier(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        d = m["d_model"]
        self.embedding = torch.nn.Embedding(m["vocab_size"], d)
        self.register_buffer("positions", sinusoidal(m["max_len"], d))
        self.embedding_dropout = torch.nn.Dropout(m.get("embedding_dropout", 0.0))
        self.layers = torch.nn.ModuleList(
            torch.nn.TransformerEncoderLayer(d, m["num_heads"], m["d_ff"], m.get("dropout", 0.0),
                                             activation="relu", batch_first=True,
                                             norm_first=m.get("norm_first", False))
            for _ in range(m.get("num_layers", 1)))
        self.head = torch.nn.Linear(d, m.get("num_classes", 2))

    def forward(self, ids, valid):
        x = self.embedding(ids) + self.positions[: ids.shape[1]]
        x = self.embedding_dropout(x)
        for layer in self.layers:
            x = layer(x, src_key_padding_mask=~valid)
        pooled = (x * valid[..., None]).sum(1) / valid.sum(1, keepdim=True)
        return self.head(pooled)


def main():
    cfg = json.load(open(sys.argv[1]))
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    m, t = cfg["model"], cfg["training"]
    model = Classifier(m)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=t["lr"], weight_decay=t.get("weight_decay", 0.01))
    B, T = t["batch_size"], m["max_len"]
    t0 = None
    for step in range(2 + steps):
        if step == 2:
            t0 = time.perf_counter()
        ids = torch.randint(0, m["vocab_size"], (B, T))
        valid = torch.ones(B, T, dtype=torch.bool)
        labels = torch.randint(0, 2, (B,))
        loss = F.cross_entropy(model(ids, valid), labels,
                               label_smoothing=t.get("label_smoothing", 0.0))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), t.get("clip_norm", 1.0))
        opt.step()
        opt.zero_grad(set_to_none=True)
    secs = time.perf_counter() - t0
    print(json.dumps({"tokens_per_s": steps * B * T / secs, "steps": steps, "threads": threads,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Training a decoder-LM config for the same wall time in attn and in PyTorch, on the
# same machine, one after the other (never at once: they would share the cores), then
# bits per character on the test split with the best-validation weights of each.
# attn is stopped by SIGINT after the budget (it saves its state and keeps the best
# weights, as for any interrupted run); PyTorch (bench/torch/torch_lm_train.py) stops
# itself. Curves (validation bpc vs wall time) go to OUT/{attn,torch}/ and a table is
# printed.
#   usage: bench/compare_lm_train.sh [minutes=60] [config=examples/kjv_char_lm.json]
#                                    [data=data/kjv] [threads=2] [out=bench/results/lm_train]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-60} config=${2:-examples/kjv_char_lm.json} data=${3:-data/kjv} threads=${4:-2}
out=${5:-bench/results/lm_train}
mkdir -p "$out" && out=$(realpath "$out") && data=$(realpath "$data") && config=$(realpath "$config")
for f in train valid test; do
  [ -f "$data/$f.txt" ] || { echo "compare_lm_train: $data/$f.txt is missing: run build/attn data fetch kjv --out $data" >&2; exit 2; }
done
cmake --build build --target attn >/dev/null
rm -rf "$out" && mkdir -p "$out/torch"
seconds=$(/usr/bin/python3 -c "print(int($minutes * 60))")

echo "attn: $config for $minutes min on $threads threads"
set +e
timeout --preserve-status -s INT "$seconds" build/attn train --config "$config" --train "$data/train.txt" \
  --valid "$data/valid.txt" --out "$out/attn" --threads "$threads" 2>"$out/attn.log"
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 130 ] || { echo "attn train failed ($rc):" >&2; tail -5 "$out/attn.log" >&2; exit 1; }
[ -f "$out/attn/model.safetensors" ] || { echo "attn: no validation within $minutes min (see training.eval_every)" >&2; exit 1; }
build/attn evaluate --checkpoint "$out/attn" --data "$data/test.txt" --json --threads "$threads" \
  >"$out/attn/test.json"

echo "torch: the same config for $minutes min on $threads threads"
(cd bench/torch && /usr/bin/python3 torch_lm_train.py --config "$config" \
  --train "$data/train.txt" --valid "$data/valid.txt" --test "$data/test.txt" \
  --minutes "$minutes" --threads "$threads" --out "$out/torch") >"$out/torch.log"

/usr/bin/python3 - "$out" "$minutes" <<'PY'
import json, sys
out, minutes = sys.argv[1], sys.argv[2]
attn_curve = [json.loads(l) for l in open(f"{out}/attn/metrics.jsonl")]
torch_curve = [json.loads(l) for l in open(f"{out}/torch/curve.jsonl")]
a_test = json.load(open(f"{out}/attn/test.json"))["bits_per_char"]
t = json.load(open(f"{out}/torch/result.json"))
# Steps done and run-wide tokens/s (validation and saves included), as result.json's.
last = [json.loads(l) for l in open(f"{out}/attn/steps.jsonl")][-1]
cfg = json.load(open(f"{out}/attn/config.json"))
tokens_per_step = (cfg["training"]["batch_size"] * cfg["model"]["block_size"]
                   * cfg["training"].get("grad_accum_steps", 1))
a_steps, a_tps = last["step"], last["step"] * tokens_per_step / last["seconds"]
print(f"\nvalidation bits per character vs wall time ({minutes} min each)")
print(f"{'attn s':>8} {'attn bpc':>9} | {'torch s':>8} {'torch bpc':>9}")
for i in range(max(len(attn_curve), len(torch_curve))):
    a = attn_curve[i] if i < len(attn_curve) else None
    b = torch_curve[i] if i < len(torch_curve) else None
    fa = f"{a['seconds']:8.0f} {a['val_bpc']:9.4f}" if a else " " * 18
    fb = f"{b['seconds']:8.0f} {b['val_bpc']:9.4f}" if b else ""
    print(f"{fa} | {fb}")
print(f"\n{'':24}{'attn':>10}{'torch':>10}")
print(f"{'steps':24}{a_steps:>10}{t['steps']:>10}")
print(f"{'mean train tokens/s':24}{a_tps:>10.0f}{t['tokens_per_s']:>10.0f}")
print(f"{'test bits per char':24}{a_test:>10.4f}{t['test_bpc']:>10.4f}")
PY

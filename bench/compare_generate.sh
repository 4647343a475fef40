#!/usr/bin/env bash
# Greedy generation tokens/s of a trained decoder LM, attn vs PyTorch, measured side by
# side in one run: build/generate_bench and bench/torch/torch_generate.py load the same
# run directory's weights, decode the same KJV prompt at batch 1 and 8 with a KV cache
# (each framework its own), and must produce the same greedy ids. Prints one table.
#   usage: bench/compare_generate.sh [RUN=runs/kjv] [threads=2] [prompt_len=32] [new_tokens=96] [reps=3]
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:-runs/kjv} threads=${2:-2} prompt=${3:-32} new=${4:-96} reps=${5:-3}
[ -f "$run/model.safetensors" ] || {
  echo "compare_generate: $run has no model.safetensors: train one first, e.g." >&2
  echo "  build/attn train --config examples/kjv_char_lm.json --train data/kjv/train.txt --valid data/kjv/valid.txt --out $run" >&2
  exit 2
}
run=$(realpath "$run")
cmake --build build --target generate_bench >/dev/null
blas=$(/usr/bin/python3 - <<'PY'
import torch, re
libs = open("/proc/self/maps").read()
print(sorted(set(re.findall(r"/\S*(?:blas|mkl)\S*\.so[.\d]*", libs))) or "none found")
PY
)
echo "PyTorch's BLAS: $blas"
attn_out=$(build/generate_bench "$threads" "$prompt" "$new" "$reps" "$run")
torch_out=$(cd bench/torch && /usr/bin/python3 torch_generate.py "$run" "$threads" "$prompt" "$new" "$reps")
echo "$attn_out"
echo "$torch_out"
/usr/bin/python3 - "$(tail -1 <<<"$attn_out")" "$(tail -1 <<<"$torch_out")" "$run" <<'PY'
import json, sys
a, t, run = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
same = a["ids"] == t["ids"]
print(f"\ngreedy generation on {run} (tokens/s, KV cache, same prompt and weights)")
print(f"{'batch':<8}{'attn':>12}{'torch':>12}{'ratio':>10}")
for b in ("b1", "b8"):
    print(f"{b[1:]:<8}{a[b]:>12.1f}{t[b]:>12.1f}{a[b] / t[b]:>9.2f}x")
print("greedy ids identical:", "yes" if same else "NO")
sys.exit(0 if same else 1)
PY

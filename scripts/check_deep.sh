#!/usr/bin/env bash
# Deep check (nightly-style, too slow for CI): a short real `attn train`,
# `evaluate` and `predict` under valgrind memcheck; any invalid read/write, use
# of uninitialised memory or definite leak fails. valgrind 3.19 cannot execute
# AVX-512, so this uses its own build without -march=native (BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-deep}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTN_NATIVE=OFF \
  -DATTN_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target attn_cli
attn="$build/attn"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# A small two-class corpus: spam rows draw from one word list, ham from another.
spam=(win cash prize free offer click money cheap deal now)
ham=(meeting lunch report project notes agenda team review draft call)
make_split() {  # file count seed
  local file=$1 n=$2 s=$3 i j words label
  : >"$file"
  for ((i = 0; i < n; i++)); do
    words=""
    if (((i + s) % 2)); then label=spam; else label=ham; fi
    for ((j = 0; j < 8; j++)); do
      if [ $label = spam ]; then words+="${spam[$(((i * 7 + j * 3 + s) % 10))]} "
      else words+="${ham[$(((i * 5 + j * 3 + s) % 10))]} "; fi
    done
    printf '{"text": "%s", "label": "%s"}\n' "$words" "$label" >>"$file"
  done
}
make_split "$dir/train.jsonl" 96 1
make_split "$dir/valid.jsonl" 32 2
cat >"$dir/config.json" <<'JSON'
{"name": "deep", "tokenizer": {"type": "word", "max_tokens": 64}, "data": {"max_len": 12},
 "model": {"vocab_size": 64, "max_len": 12, "d_model": 16, "num_layers": 1, "num_heads": 2,
           "d_ff": 32, "dropout": 0.1, "positional": "sinusoidal"},
 "training": {"optimizer": "adamw", "lr": 0.01, "batch_size": 16, "epochs": 2, "seed": 1,
              "checkpoint_every_steps": 3}}
JSON
vg=(valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --track-origins=yes -q)
echo "check-deep: attn train under valgrind"
"${vg[@]}" "$attn" train --config "$dir/config.json" --train "$dir/train.jsonl" \
  --valid "$dir/valid.jsonl" --out "$dir/run" --threads 2
echo "check-deep: --resume, evaluate and predict under valgrind"
"${vg[@]}" "$attn" train --out "$dir/run" --train "$dir/train.jsonl" --valid "$dir/valid.jsonl" \
  --resume --epochs 3 --threads 2
"${vg[@]}" "$attn" evaluate --checkpoint "$dir/run" --data "$dir/valid.jsonl"
head -5 "$dir/valid.jsonl" | "${vg[@]}" "$attn" predict --checkpoint "$dir/run" >/dev/null
echo "check-deep: ok (valgrind memcheck found no errors)"

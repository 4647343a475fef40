#!/bin/sh
# Compression baselines for the King James Bible test split, in bits per
# character (chars = bytes here: the text is ASCII, newlines included).
#   alone:        8 * C(test) / chars(test)
#   conditioned:  8 * (C(train + test) - C(train)) / chars(test)
# where C(x) is the compressed size of x with bzip2 -9 or xz -9e.
# bzip2 works on 900 kB blocks, so its conditioning only helps the block that
# holds the end of train; xz -9e's 64 MiB dictionary sees all of train.
# Usage: bench/baselines/kjv_compress.sh [DATA_DIR]   (default data/kjv, from
#        `attn data fetch kjv --out data/kjv`)
set -eu
data=${1:-data/kjv}
for f in train test; do
  [ -r "$data/$f.txt" ] || { echo "missing $data/$f.txt; run: attn data fetch kjv --out $data" >&2; exit 2; }
done

size() { wc -c | tr -d ' '; }
chars=$(size <"$data/test.txt")

bpc() { awk -v b="$1" -v c="$chars" 'BEGIN { printf "%.3f", 8 * b / c }'; }

echo "test: $chars chars"
for tool in "bzip2 -9" "xz -9e"; do
  alone=$($tool -c <"$data/test.txt" | size)
  train=$($tool -c <"$data/train.txt" | size)
  both=$(cat "$data/train.txt" "$data/test.txt" | $tool -c | size)
  cond=$((both - train))
  printf '%-8s alone: %7d bytes %s bpc   conditioned on train: %7d bytes %s bpc\n' \
    "$tool" "$alone" "$(bpc "$alone")" "$cond" "$(bpc "$cond")"
done

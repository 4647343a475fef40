#!/bin/sh
# English -> Spanish baselines on the KJV -> Reina-Valera 1909 test split
# (copy the source, IBM Model 1 word by word, TF-IDF retrieval of a training
# verse), scored with `attn score` (BLEU and chrF) on all 750 test verses and
# on Jonah, Mark and Jude apart. Hypotheses go to DATA_DIR/baselines/.
# Usage: bench/baselines/kjv_rv1909_baselines.sh [DATA_DIR] [ATTN]
#        (defaults data/kjv-rv1909, from `attn data fetch kjv-rv1909`, and build/attn)
set -eu
data=${1:-data/kjv-rv1909}
attn=${2:-build/attn}
here=$(dirname "$0")
for f in train.tsv test.en.txt test.es.txt; do
  [ -r "$data/$f" ] || { echo "missing $data/$f; run: $attn data fetch kjv-rv1909 --out $data" >&2; exit 2; }
done
[ -x "$attn" ] || { echo "missing $attn; build it first (make cli)" >&2; exit 2; }

/usr/bin/python3 "$here/kjv_rv1909_baselines.py" "$data" --out "$data/baselines"

# One line per method and test part: BLEU and chrF as `attn score` prints them.
printf '%-6s %-6s %s\n' method part scores
for method in copy ibm1 tfidf; do
  for part in test test.Jonah test.Mark test.Jude; do
    hyp="$data/baselines/$method.$part.txt"
    ref="$data/$part.es.txt"
    bleu=$("$attn" score --metric bleu --hyp "$hyp" --ref "$ref")
    chrf=$("$attn" score --metric chrf --hyp "$hyp" --ref "$ref")
    printf '%-6s %-11s %s | %s\n' "$method" "$part" "$bleu" "$chrf"
  done
done

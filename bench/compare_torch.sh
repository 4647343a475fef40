#!/usr/bin/env bash
# attn vs Debian's PyTorch on the same work, same thread count, in one run (never at
# once: each row runs attn, then PyTorch). Rows (bench/results/latest.{md,json}):
#   train_f32            training tokens/s of examples/gpt_10m.json at batch 16 on KJV text
#   train_bf16           the same, attn --precision bf16 vs PyTorch under torch.autocast(bf16)
#                        (empty on CPUs without AVX-512 BF16; the gemm_bf16 rows are left out there)
#   attention_fwd_bwd_N  causal attention forward+backward seconds, B=1 H=8 D=64, vs naive
#   attention_mem_N      extra peak memory of that call, MB (N = 16384: attn only)
#   gemm_<M>x<N>x<K>     GFLOP/s of each gpt_10m linear layer's products (micro_bench) vs torch.mm
#   gemm_bf16_<shape>    the same products with --precision bf16 vs torch.mm on bfloat16
#   generate_b1/b8       greedy tokens/s with a KV cache on the same weights (ids checked)
#   classifier_train     training tokens/s of the seed classifier (spam_classifier.json)
# Also the attention GFLOP/s as % of the machine's OpenBLAS sgemm GFLOP/s.
#   usage: bench/compare_torch.sh [threads=2] [Ns="512 1024 2048 4096"]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2} ns=${2:-"512 1024 2048 4096"}
out=bench/results && mkdir -p "$out" && work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
cmake --build build --target attn attention_n_bench generate_bench micro_bench >/dev/null
[ -f data/kjv/train.txt ] || build/attn data fetch kjv --out data/kjv >/dev/null
py=/usr/bin/python3
rows="$work/rows.jsonl"
row() {  # name attn torch unit higher_is_better(1|0); "null" = not measured
  $py -c 'import json,sys; n,a,t,u,h=sys.argv[1:]; a,t=(float(v) if v!="null" else None for v in (a,t))
r=None if a is None or t is None else (a/t if h=="1" else t/a)
print(json.dumps({"name":n,"attn":a,"torch":t,"unit":u,"ratio":r}))' "$@" >>"$rows"
}
echo "PyTorch's BLAS: $($py -c 'import torch,re; print(sorted(set(re.findall(r"/\S*(?:blas|mkl)\S*\.so[.\d]*", open("/proc/self/maps").read()))))')"

# train_f32: the issue's shape (6 layers, 6 heads, d_model 384, context 256) at batch 16.
$py -c 'import json,sys; c=json.load(open("examples/gpt_10m.json")); c["training"]["batch_size"]=16
c["training"]["eval_every"]=1000; json.dump(c,open(sys.argv[1],"w"))' "$work/gpt16.json"
# train_bf16: the same with attn --precision bf16 against PyTorch under torch.autocast(bf16).
# Without AVX-512 BF16 attn runs bf16 in f32 and PyTorch emulates bf16 (over ten minutes
# for its 12 steps on a 2-core Zen 3), so the row would compare nothing: it is left empty.
precisions="f32 bf16"
if ! grep -qw avx512_bf16 /proc/cpuinfo; then
  precisions=f32
  echo "train_bf16: not measured, this CPU has no AVX-512 BF16 (attn would train in f32)"
  row train_bf16 null null tokens/s 1
fi
for precision in $precisions; do
  rm -rf "$work/train"
  build/attn train --config "$work/gpt16.json" --train data/kjv/train.txt --valid data/kjv/valid.txt \
    --out "$work/train" --max-steps 12 --log-every 1 --threads "$threads" --precision $precision \
    2>/dev/null >/dev/null
  # Tokens over seconds from step 2 to the last (as PyTorch's figure: two untimed steps).
  attn_tps=$($py -c 'import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]
print((l[-1]["step"]-l[1]["step"])*16*256/(l[-1]["seconds"]-l[1]["seconds"]))' "$work/train/steps.jsonl")
  torch_tps=$(cd bench/torch && $py torch_train_speed.py "$work/gpt16.json" ../../data/kjv/train.txt 10 "$threads" $precision | $py -c 'import json,sys; print(json.load(sys.stdin)["tokens_per_s"])')
  row train_$precision "$attn_tps" "$torch_tps" tokens/s 1
done

# classifier_train: the seed classifier (examples/spam_classifier.json, one post-norm layer,
# d_model 64, batch 32 × 512 tokens) on synthetic documents longer than max_len, so every
# batch is 32 × 512 real tokens on both sides; ~29k distinct words fill the 30k vocabulary.
$py - "$work/cls.jsonl" "$work/cls_valid.jsonl" <<'PY'
import json, random, sys
r = random.Random(0)
for path, n in ((sys.argv[1], 640), (sys.argv[2], 32)):
    with open(path, "w") as f:
        for i in range(n):
            words = " ".join(f"w{r.randrange(29000)}" for _ in range(700))
            f.write(json.dumps({"from": f"a{i}@example.com", "text": words,
                                "label": "spam" if i % 2 else "ham"}) + "\n")
PY
$py -c 'import json,sys; c=json.load(open("examples/spam_classifier.json")); c["training"]["early_stopping_patience"]=0
json.dump(c,open(sys.argv[1],"w"))' "$work/cls.json"
build/attn train --config "$work/cls.json" --train "$work/cls.jsonl" --valid "$work/cls_valid.jsonl" --out "$work/cls" \
  --max-steps 12 --log-every 1 --threads "$threads" >/dev/null 2>&1
attn_cls=$($py -c 'import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]
print((l[-1]["step"]-l[1]["step"])*32*512/(l[-1]["seconds"]-l[1]["seconds"]))' "$work/cls/steps.jsonl")
torch_cls=$(cd bench/torch && $py torch_classifier_speed.py ../../examples/spam_classifier.json 10 "$threads" | $py -c 'import json,sys; print(json.load(sys.stdin)["tokens_per_s"])')
row classifier_train "$attn_cls" "$torch_cls" tokens/s 1

# Attention at long N (each N in its own processes, so peak memory is per call).
sgemm=0
for n in $ns; do
  a=$(build/attention_n_bench "$n" 1 "$threads" 2)
  t=$(cd bench/torch && $py torch_attention.py "$n" 1 "$threads" 2)
  get() { $py -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
  row "attention_fwd_bwd_$n" "$(get "$a" fwd_bwd_s)" "$(get "$t" fwd_bwd_s)" seconds 0
  row "attention_mem_$n" "$(get "$a" extra_peak_mb)" "$(get "$t" extra_peak_mb)" MB 0
  row "attention_gflops_$n" "$(get "$a" gflops)" "$(get "$t" gflops)" GFLOP/s 1
  sgemm=$(get "$a" sgemm_gflops)
done

# N = 16384 in attn only: PyTorch's naive N×N probabilities alone would be 8.6 GB.
if [ "${ATTN_BENCH_16K:-1}" = 1 ]; then
  a=$(build/attention_n_bench 16384 1 "$threads" 1)
  get() { $py -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
  row attention_fwd_bwd_16384 "$(get "$a" fwd_bwd_s)" null seconds 0
  row attention_mem_16384 "$(get "$a" extra_peak_mb)" null MB 0
fi

# GEMM on the gpt_10m shapes (every linear layer, forward and both backward products).
# (attn first, to a file, so PyTorch's start-up does not overlap attn's timings.)
# Without AVX-512 BF16 the bf16 rows would time attn's portable kernel (never used for
# training there) against PyTorch's emulated bf16: the f32 rows only.
gemm_filter=BM_Gemm
grep -qw avx512_bf16 /proc/cpuinfo || gemm_filter=BM_Gemm/
build/micro_bench --threads="$threads" --benchmark_filter="$gemm_filter" --benchmark_format=json \
  2>/dev/null >"$work/gemm.json"
(cd bench/torch && $py torch_gemm.py "$threads" <"$work/gemm.json") | while read -r line; do
  $py -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["name"], r["attn_gflops"], r["torch_gflops"])' "$line"
done | while read -r name a t; do row "$name" "$a" "$t" GFLOP/s 1; done

# Generation on one set of gpt_10m weights (a one-step run with a tiny validation).
# A constant schedule, so the one step moves the weights off their random start (whose
# near-uniform logits would make the greedy-ids check fragile).
$py -c 'import json,sys; c=json.load(open(sys.argv[1])); t=c["training"]; t["eval_every"]=1; t["eval_tokens"]=512
t["schedule"]="constant"; t["warmup_steps"]=0
json.dump(c,open(sys.argv[2],"w"))' "$work/gpt16.json" "$work/gpt_gen.json"
build/attn train --config "$work/gpt_gen.json" --train data/kjv/train.txt --valid data/kjv/valid.txt \
  --out "$work/gen" --max-steps 1 --threads "$threads" >/dev/null 2>&1
gen=$(bench/compare_generate.sh "$work/gen" "$threads" 32 128 3) || echo "warning: attn and PyTorch greedy ids differ (see above)"
echo "$gen" | tail -5
b1=$(echo "$gen" | awk '$1=="1"{print $2, $3}' | tail -1) b8=$(echo "$gen" | awk '$1=="8"{print $2, $3}' | tail -1)
row generate_b1 ${b1% *} ${b1#* } tokens/s 1
row generate_b8 ${b8% *} ${b8#* } tokens/s 1

$py - "$rows" "$out" "$sgemm" "$threads" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
out, sgemm, threads = sys.argv[2], float(sys.argv[3]), sys.argv[4]
json.dump(rows, open(f"{out}/latest.json", "w"), indent=1)
lines = [f"attn vs PyTorch, {threads} threads; OpenBLAS sgemm peak {sgemm:.1f} GFLOP/s "
         "(2048^3, same threads)", "",
         "| name | attn | torch | unit | attn advantage |", "|---|---|---|---|---|"]
for r in rows:
    a = "not measured" if r["attn"] is None else f"{r['attn']:.4g}"
    ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
    if r["unit"] == "GFLOP/s" and r["attn"] is not None:
        ratio += f" ({100 * r['attn'] / sgemm:.0f}% of sgemm)"
    t = "not measured" if r["torch"] is None else f"{r['torch']:.4g}"
    lines.append(f"| {r['name']} | {a} | {t} | {r['unit']} | {ratio} |")
open(f"{out}/latest.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY

#!/usr/bin/env bash
# The whole GPU comparison matrix on one card, about 6 minutes on one H100.
#
#   OUT=bench_out PYTHONPATH=src bash benchmarks/gpu_suite.sh
#   DEVICE=cpu EXTRA=--smoke bash benchmarks/gpu_suite.sh     # dry run of the script itself on CPU
#
# One bench_model.py process per configuration (an OOM or compile error ends only that process;
# bench_model.py also records per-measurement failures in its JSON); a per-configuration time
# limit; then one markdown table with speed-ups against the released-code configuration measured
# in this same run. Writes $OUT/<name>.json, $OUT/<name>.log and $OUT/table.md.
set -u
cd "$(dirname "$0")/.."
OUT="${OUT:-./bench_out}"
PYTHON="${PYTHON:-python}"
LIMIT="${LIMIT:-150}"  # seconds per configuration (COMPILE_LIMIT, default 420, for the compiled one)
DEVICE="${DEVICE:-cuda}"
EXTRA="${EXTRA:-}"
export PYTHONPATH="${PYTHONPATH:-src}"
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,clocks.sm,clocks.max.sm --format=csv > "$OUT/gpu.txt" 2>&1 || true

# Reference renders take ~11 s per frame: 1 warm-up + 2 timed. Training steps: 2 warm-up + 5 timed.
REF="--warmup 2 --repeats 5 --render-warmup 1 --render-repeats 2 --chunk 2400"
FAST="--warmup 3 --repeats 10 --render-warmup 1 --render-repeats 3 --chunk 4800"

FILES=()
bench() {  # file name, row label, then bench_model.py arguments
  local file="$1" label="$2"; shift 2
  echo "== $label: $*"
  FILES+=("$OUT/$file.json")
  rm -f "$OUT/$file.json"
  # shellcheck disable=SC2086  # EXTRA is a word list on purpose
  timeout "$LIMIT" "$PYTHON" benchmarks/bench_model.py --device "$DEVICE" --label "$label" --json "$OUT/$file.json" "$@" $EXTRA \
    > "$OUT/$file.log" 2>&1
  local rc=$?
  tail -n 3 "$OUT/$file.log"
  if [ ! -s "$OUT/$file.json" ]; then
    printf '{"label": "%s", "device_name": "-", "results": [{"name": "all", "error": "exit code %s (124 = time limit), see %s.log"}]}\n' \
      "$label" "$rc" "$file" > "$OUT/$file.json"
  elif [ $rc -ne 0 ]; then  # partial record: say that the rest did not finish
    "$PYTHON" -c 'import json, sys; p = sys.argv[1]; r = json.load(open(p)); r["results"].append({"name": "rest", "error": "exit code " + sys.argv[2] + " (124 = time limit), see log"}); json.dump(r, open(p, "w"), indent=1)' \
      "$OUT/$file.json" "$rc"
  fi
}

bench released_ref_fp32 "released-code reference fp32" --preset released-code --implementation reference --precision fp32 $REF
bench paper_ref_fp32 "paper-scannet reference fp32" --preset paper-scannet --implementation reference --precision fp32 $REF
bench paper_ref_bf16 "paper-scannet reference bf16" --preset paper-scannet --implementation reference --precision bf16 $REF
bench paper_fast_fp32 "paper-scannet fast fp32" --preset paper-scannet --implementation fast --precision fp32 $FAST
bench paper_fast_bf16 "paper-scannet fast bf16" --preset paper-scannet --implementation fast --precision bf16 $FAST
bench paper_fast_bf16_ckpt "paper-scannet fast bf16 checkpoint" --preset paper-scannet --implementation fast --precision bf16 --checkpoint --what train --warmup 3 --repeats 10
LIMIT="${COMPILE_LIMIT:-420}" bench paper_fast_bf16_compile_blocks "paper-scannet fast bf16 compile-blocks" --preset paper-scannet --implementation fast --precision bf16 --compile blocks $FAST

"$PYTHON" benchmarks/bench_table.py "${FILES[@]}" --out "$OUT/table.md"

#!/usr/bin/env bash
# Thirty-ninth run, call 2: the default render (reference, fp32, eager) warm at 1,024/2,048/4,096-ray chunks, then the
# fast fp32 eager render that call 1 could not finish in 150 s, with and without the Triton kernels. Each row is a
# fresh process; a row past its limit gets SIGABRT, so PYTHONFAULTHANDLER prints where every thread was.
# Usage: COMMIT=<main> bash <this file> from the repository root (carry .whl). Results: $OUT/call2/<label>.json, .log.
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 PYTHONFAULTHANDLER=1 PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}
results=$OUT/call2; mkdir -p "$results"; start=$(date +%s)
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > "$results/gpu.txt"
for row in "reference fp32 on 2048 1 2 100" "reference fp32 on 4096 1 2 100" "reference fp32 on 1024 1 2 100" \
           "fast fp32 on 4096 1 1 200" "fast fp32 off 4096 1 1 100"; do
  read -r implementation precision fused chunk warmup repeats limit <<< "$row"
  [ $(( $(date +%s) - start + limit )) -gt "${CALL_LIMIT:-560}" ] && { echo "skipped: $row"; continue; }
  label=$implementation-$precision-fused$fused-$chunk; row_start=$(date +%s)
  timeout -s ABRT "$limit" python3 benchmarks/bench_model.py --preset paper-scannet --implementation "$implementation" \
    --precision "$precision" --compile none --fused-kernels "$fused" --what render --chunk "$chunk" \
    --render-warmup "$warmup" --render-repeats "$repeats" --label "$label" --json "$results/$label.json" \
    > "$results/$label.log" 2>&1
  echo "$label: rc $? in $(( $(date +%s) - row_start )) s"
  grep "^| $label |" "$results/$label.log" || grep -A12 "most recent call first" "$results/$label.log" | head -14 | cut -c1-200
done

#!/usr/bin/env bash
# Prepared for the next run: the render's peak memory a chunk on the paths `gpnerf eval|render` take (the thirty-eighth
# run's call 4 left only the reference fp32 render's out-of-memory at 19,200 rays: its rows ran past 60 s with their
# output buffered). One frame a row, no warm-up (the peak is the same), each row a fresh process killed after
# ROW_LIMIT s (default 150), no row started after CALL_LIMIT s (default 480). Usage: COMMIT=$(git rev-parse --short
# main) bash <this file> from the repository root (carry .whl). Results: $OUT/mem/<label>.json and .log.
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}
results=$OUT/mem; mkdir -p "$results"; start=$(date +%s)
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > "$results/gpu.txt"
for row in "reference fp32 none 2048" "reference fp32 none 4096" "reference fp32 none 8192" "fast fp32 none 4096" \
           "fast fp32 none 19200" "fast bf16 none 4096" "fast bf16 none 19200"; do
  [ $(( $(date +%s) - start )) -gt "${CALL_LIMIT:-480}" ] && break
  read -r implementation precision compile chunk <<< "$row"
  label=$implementation-$precision-$compile-$chunk
  timeout -s KILL "${ROW_LIMIT:-150}" python3 benchmarks/bench_model.py --preset paper-scannet \
    --implementation "$implementation" --precision "$precision" --compile "$compile" --what render --chunk "$chunk" \
    --render-warmup 0 --render-repeats 1 --label "$label" --json "$results/$label.json" > "$results/$label.log" 2>&1
  grep "^| $label |" "$results/$label.log" || { echo "$label: no result; end of its log:"; tail -n 2 "$results/$label.log" | cut -c1-300; }
  echo "[$(( $(date +%s) - start )) s]"
done

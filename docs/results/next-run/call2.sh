#!/usr/bin/env bash
# Call 2 of the next run (prepared 2026-12-05 in a session without device time). (1) Compiling, side by side, the
# graphed compiled paper-scannet training step of head (main) and kernels (the projection kernel runs in training too;
# the PE(x) encoding moved into position_terms' compiled graph), timed one at a time, then each again alone (ALONE=1);
# (2) after them, with the time left, a trace of one compiled graphed render of the kernels tree (the breakdown the
# next lever is chosen from: "Where the render's time is now" in docs/performance.md).
# Usage: COMMIT=<sha of main> bash docs/results/next-run/call2.sh (carry .whl and .variants). Results: next2.tar.gz.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next2.tar.gz -C $OUT --exclude='*.pickle' --exclude='*_trace.json.gz' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
OUT=$OUT/timed DEADLINE=200 KILL_AT=250 ALONE=1 ALONE_KILL_AT=80 timeout -s KILL 420 bash benchmarks/side_by_side.sh \
  "train_head|PYTHONPATH=/tmp/site:$ROOT/.variants/head/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}|" \
  "train_kernels|PYTHONPATH=/tmp/site:$ROOT/.variants/kernels/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}+prepared-projection-kernel|" \
  > $OUT/timed.log 2>&1
tail -8 $OUT/timed.log
pack
left=$(( 570 - ($(date +%s) - start) ))
if [ $left -gt 120 ]; then
  B=$ROOT/.variants/kernels
  GPNERF_GIT_COMMIT=${COMMIT:-unknown}+prepared-projection-kernel PYTHONPATH=/tmp/site:$B/src timeout -s KILL $left \
    python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 \
    --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 --out $OUT/profile > $OUT/profile.log 2>&1
  for t in $OUT/profile/*_trace.json.gz; do
    python3 benchmarks/trace_summary.py "$t" --top 40 --gap-ms 0.01 > "${t%.json.gz}_summary.txt" 2>&1
    head -n 24 "${t%.json.gz}_summary.txt"
  done
fi
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

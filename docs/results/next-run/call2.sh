#!/usr/bin/env bash
# Call 2 of the next run (prepared 2026-12-05 in a session without device time): compiling, side by side, the graphed
# compiled paper-scannet training step of head (main) and kernels (the projection kernel runs in training too; the
# PE(x) encoding moved into position_terms' compiled graph), timed one at a time, then each again alone (ALONE=1).
# Usage: COMMIT=<sha of main> bash docs/results/next-run/call2.sh (carry .whl and .variants). Results: next2.tar.gz.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next2.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
OUT=$OUT/timed DEADLINE=250 KILL_AT=300 ALONE=1 ALONE_KILL_AT=100 timeout -s KILL 560 bash benchmarks/side_by_side.sh \
  "train_head|PYTHONPATH=/tmp/site:$ROOT/.variants/head/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}|" \
  "train_kernels|PYTHONPATH=/tmp/site:$ROOT/.variants/kernels/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}+prepared-projection-kernel|" \
  > $OUT/timed.log 2>&1
tail -8 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

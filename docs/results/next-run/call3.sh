#!/usr/bin/env bash
# Call 3 of the next run (prepared 2026-12-05 in a session without device time): the compiled graphed paper-scannet
# render in float32 (`eval.precision`'s default) of head (main) and kernels (the prepared branch: its PE(x)-terms
# kernel computes in float32 there with FMA products, which ptxas spills in all but its 16 x 16 shape), side by side,
# then each alone (ALONE=1). If kernels is the slower, the PE(x)-terms kernel should keep to 16-bit compute dtypes.
# Usage: COMMIT=<sha of main> bash docs/results/next-run/call3.sh (carry .whl and .variants). Results: next3.tar.gz.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n3; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next3.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision fp32 --compile blocks --cuda-graph --what render \
  --chunk 4800 --render-warmup 1 --render-repeats 10"
OUT=$OUT/timed ROW="$ROW" DEADLINE=240 KILL_AT=300 ALONE=1 ALONE_KILL_AT=100 timeout -s KILL 560 \
  bash benchmarks/side_by_side.sh \
  "render32_head|PYTHONPATH=/tmp/site:$ROOT/.variants/head/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}|" \
  "render32_kernels|PYTHONPATH=/tmp/site:$ROOT/.variants/kernels/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}+prepared-projection-kernel|" \
  > $OUT/timed.log 2>&1
tail -8 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

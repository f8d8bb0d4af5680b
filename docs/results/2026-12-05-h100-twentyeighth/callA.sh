#!/usr/bin/env bash
# Session of 2026-12-05 (second): main only (the prepared branch was lost with its checkout). GPU tests of main's RAT
# fix and the FAT render tests; the 4-warp RAT diagnosis; main's bf16 render, training step and fp32 render side by
# side, then alone. Usage: COMMIT=<sha> bash docs/results/2026-12-05-h100-twentyeighth/callA.sh (carry .whl, .variants). Results: nextA.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/nA; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/nextA.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
gputest() {
  local name=$1; shift
  (cd .variants/head && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 240 python3 -m pytest -q \
    -p no:cacheprovider -rA --tb=short --durations=0 -m gpu "$@" > $OUT/pytest_$name.log 2>&1)
}
gputest rat tests/model/test_fused_ray_attention.py & C=$!
gputest fatrender tests/model/test_fused_field_attention.py -k render & D=$!
OUT=$OUT/rat4 bash docs/results/2026-12-05-h100-twentyeighth/rat_summaries.sh > $OUT/rat4.log 2>&1 & E=$!
ROW="--preset paper-scannet --implementation fast --compile blocks --cuda-graph --chunk 4800 --render-warmup 1 \
  --render-repeats 12 --trainer-step --warmup 3 --repeats 20"
H="PYTHONPATH=/tmp/site:$ROOT/.variants/head/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}"
OUT=$OUT/timed ROW="$ROW" DEADLINE=230 KILL_AT=320 ALONE=1 ALONE_KILL_AT=75 timeout -s KILL 565 \
  bash benchmarks/side_by_side.sh \
  "render_head|$H|--what render --precision bf16" \
  "train_head|$H|--what train --precision bf16" \
  "render32_head|$H|--what render --precision fp32" \
  > $OUT/timed.log 2>&1 & T=$!
wait $C $D $E
echo "[$(( $(date +%s) - start )) s] tests done"; grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log; cat $OUT/rat4.log
pack
wait $T
tail -20 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

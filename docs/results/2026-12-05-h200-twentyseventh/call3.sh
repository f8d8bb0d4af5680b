#!/usr/bin/env bash
# Call 3 of the twenty-seventh run (prepared 2026-12-05 during the run; cut to fit the 608 s of device time left). Call
# 2's RAT kernel bf16 GPU test hit an illegal memory access in the autotuner's timing of its first shape (4800 x 48, d
# 64, 4 heads, x float32 under bf16 autocast), which ended that process (the block tail's and fold statistics' tests
# after it errored on the broken context). At once: (1) which launch: rat_warps.py at 4800 x 48, 1/2/4/8 warps, x
# float32 and bf16, weights tree, each in its own process with CUDA_LAUNCH_BLOCKING=1, started in the first 150 s; (2)
# the block tail's and fold statistics' GPU tests and the FAT file's two whole-render tests (call 2's FAT file ran out
# of time in its fp32 sweeps) in the weights tree, and the block tail's and the render tests in the terms tree, each
# file in its own process; (3) compiling, side by side, the render of the weights tree and of the terms tree (branch
# prepared-ray-terms: weights + the q_fcs' PE(d) terms kept one row per ray and added in the block tail kernel, so the
# (rays, samples, 4 d_rgb) sum, 2.1 ms a frame in the twenty-sixth run's trace, is never written) and the graphed
# compiled training step of main (.variants/head; not re-timed since the projection change 1e352f3), then timed one at a
# time after the tests (DEADLINE), and each again alone (ALONE=1), in that order.
# Usage: COMMIT=<sha> bash docs/results/2026-12-05-h200-twentyseventh/call3.sh (carry .whl and .variants). Results: next3.tar.gz.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n3; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next3.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
SCRIPT=$ROOT/docs/results/2026-12-05-h200-twentyseventh/rat_warps.py
launch() {  # TREE D HEADS RAYS SAMPLES WARPS DTYPE
  (cd .variants/$1 && CUDA_LAUNCH_BLOCKING=1 PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 50 \
    python3 $SCRIPT "${@:2}" > $OUT/rat_$1_$2_$5_$6_$7.log 2>&1; echo "rc $?" >> $OUT/rat_$1_$2_$5_$6_$7.log)
}
gputest() {  # TREE NAME FILE...: in that tree, a process of its own
  local tree=$1 name=$2; shift 2
  (cd .variants/$tree && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 200 python3 -m pytest -q \
    -p no:cacheprovider -rA --tb=short --durations=0 "$@" > $OUT/pytest_$name.log 2>&1)
}
gputest weights tail -m gpu tests/model/test_fused_feed_forward.py & A=$!
gputest weights fold -m gpu tests/model/test_fused_fold_statistics.py & B=$!
gputest weights fatrender -m gpu -k render tests/model/test_fused_field_attention.py & C=$!
gputest terms tail_terms -m gpu tests/model/test_fused_feed_forward.py & D=$!
gputest terms fatrender_terms -m gpu -k render tests/model/test_fused_field_attention.py & E=$!
COMMON="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph"
OUT=$OUT/timed ROW="$COMMON" DEADLINE=235 KILL_AT=290 ALONE=1 ALONE_KILL_AT=80 timeout -s KILL 445 \
  bash benchmarks/side_by_side.sh \
  "render_weights|PYTHONPATH=/tmp/site:$ROOT/.variants/weights/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}+prepared-frame-weights|--what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  "render_terms|PYTHONPATH=/tmp/site:$ROOT/.variants/terms/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}+prepared-ray-terms|--what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  "train_head|PYTHONPATH=/tmp/site:$ROOT/.variants/head/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}|--trainer-step --what train --warmup 3 --repeats 20" \
  > $OUT/timed.log 2>&1 & T=$!
for spec in "weights 64 4 4800 48"; do  # the device time left allows this shape only
  for warps in 1 2 4 8; do
    for dtype in float32 bfloat16; do
      [ $(( $(date +%s) - start )) -lt 150 ] || continue
      launch $spec $warps $dtype &
      while [ "$(jobs -rp | wc -l)" -ge 9 ]; do sleep 1; done  # packer, timed rows, 5 test files: 2 launches
    done
  done
done
wait $A $B $C $D $E
while [ "$(jobs -rp | wc -l)" -gt 2 ]; do sleep 1; done  # all but the packer and the timed rows
echo "[$(( $(date +%s) - start )) s] tests done"
tail -qn 2 $OUT/rat_*.log | grep -v "^$" | paste - - | sort
grep -hE "^(PASSED|FAILED|ERROR)|passed|failed" $OUT/pytest_*.log
pack
wait $T
cat $OUT/timed.log | grep -E "^\||side_by_side"
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Call 1 of the next run (prepared 2026-12-05 in a session without device time). At once: (1) GPU tests in the kernels
# tree, each file in a process of its own: the projection and PE(x)-terms kernels against the PyTorch ops (every launch
# configuration of the latter), the RAT kernel's launches at a chunk's shapes and the render at the presets' widths
# with kernels on against off (both never run: main's RAT fix 2e98160), the FAT file's whole-render tests (kernels on
# against off, eager and compiled: they cover both new kernels); (2) the 4-warp RAT launch at each summary setting and
# sample count (rat_summaries.sh: which part of the kernel goes wrong); (3) compiling, side by side, the compiled
# graphed paper-scannet render of head (main), projection (the projection kernel alone) and kernels (the whole branch),
# timed one at a time after the tests (DEADLINE), then each again alone (ALONE=1): the first measurement of main's
# correct render and of the prepared changes.
# The first pass's timings may overlap the tests (rows that arrive early are timed at once): the alone pass, after them,
# is the one to report. Usage: COMMIT=<sha of main> bash docs/results/next-run/call1.sh (carry .whl and .variants).
# Results: next1.tar.gz.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
gputest() {  # NAME ARGS...: GPU tests in the kernels tree, a process of their own
  local name=$1; shift
  (cd .variants/kernels && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 240 python3 -m pytest -q \
    -p no:cacheprovider -rA --tb=short --durations=0 -m gpu "$@" > $OUT/pytest_$name.log 2>&1)
}
gputest projection tests/model/test_fused_projection.py & A=$!
gputest position tests/model/test_fused_position_terms.py & B=$!
gputest rat tests/model/test_fused_ray_attention.py -k "every_launch or presets" & C=$!
gputest fatrender tests/model/test_fused_field_attention.py -k render & D=$!
OUT=$OUT/rat4 bash docs/results/next-run/rat_summaries.sh > $OUT/rat4.log 2>&1 & E=$!
COMMON="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph"
RENDER="--what render --chunk 4800 --render-warmup 1 --render-repeats 15"
OUT=$OUT/timed ROW="$COMMON $RENDER" DEADLINE=240 KILL_AT=300 ALONE=1 ALONE_KILL_AT=80 timeout -s KILL 565 \
  bash benchmarks/side_by_side.sh \
  "render_head|PYTHONPATH=/tmp/site:$ROOT/.variants/head/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}|" \
  "render_projection|PYTHONPATH=/tmp/site:$ROOT/.variants/projection/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}+ca92e3a|" \
  "render_kernels|PYTHONPATH=/tmp/site:$ROOT/.variants/kernels/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}+prepared-projection-kernel|" \
  > $OUT/timed.log 2>&1 & T=$!
wait $A $B $C $D $E
echo "[$(( $(date +%s) - start )) s] tests done"; grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log; cat $OUT/rat4.log
pack
wait $T
cat $OUT/timed.log | tail -20
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

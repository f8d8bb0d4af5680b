#!/usr/bin/env bash
# Call 2 of the twenty-seventh run (prepared 2026-12-05 on the CPU): the GPU tests of branch prepared-frame-weights
# (the tree .variants/weights), each file in a process of its own, three at a time: the graphed frame against the eager
# render (fp32 1e-5, bf16 2e-2, two frames, compiled blocks), the whole render with kernels on and off (eager and
# compiled: the compiled blocks now take the frame's prepared weights as arguments), every changed kernel's own GPU
# tests (FAT, RAT, block tail; the fold statistics kernel's, which the twenty-sixth run's call 4 did not reach), the
# training step's CUDA graph; then, with the GPU to itself, the graphed compiled training step of main (.variants/head:
# not re-timed since the projection change 1e352f3) alone.
# Setup: bash docs/results/2026-12-05-h200-twentyseventh/setup.sh. Usage: COMMIT=<sha> bash
# docs/results/2026-12-05-h200-twentyseventh/call2.sh (carry .whl and .variants). Results: next2.tar.gz in $OUT.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next2.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROOT=$PWD
gputest() {  # NAME FILE...: test files' GPU tests (and their CPU ones) in a process of their own, in the weights tree
  local name=$1; shift
  (cd .variants/weights && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 280 python3 -m pytest -q \
    -p no:cacheprovider -rA --tb=short --durations=0 "$@" > $OUT/pytest_$name.log 2>&1)
}
gputest graph tests/model/test_render_graph.py tests/model/test_frame_weights.py tests/engine/test_cuda_graph.py & A=$!
gputest fat -m gpu tests/model/test_fused_field_attention.py & B=$!
gputest kernels -m gpu tests/model/test_fused_ray_attention.py tests/model/test_fused_feed_forward.py \
  tests/model/test_fused_fold_statistics.py & C=$!
wait $A $B $C
echo "[$(( $(date +%s) - start )) s] tests done"
grep -hE "^(PASSED|FAILED|ERROR)|passed|failed" $OUT/pytest_*.log
pack
left=$(( 570 - ($(date +%s) - start) ))
if [ $left -gt 150 ]; then
  OUT=$OUT/train DEADLINE=$(( left / 2 )) KILL_AT=$(( left - 20 )) \
  ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20" \
    timeout -s KILL $(( left - 10 )) bash benchmarks/side_by_side.sh \
    "head|PYTHONPATH=/tmp/site:$ROOT/.variants/head/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}|"
fi
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

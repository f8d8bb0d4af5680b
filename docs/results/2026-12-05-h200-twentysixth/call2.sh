#!/usr/bin/env bash
# Run as call 2 of the twenty-sixth run on qfc instead of rattail (call2/command.txt; prepared in the twenty-sixth
# session, no device time). (1) The GPU tests of .variants/rattail (branch
# prepared-rat-tail: prepared-all, the FAT kernel taking X_0, the q_fc in the block tail kernel and the RAT kernel
# applying its block's tail; setup.sh builds it), nothing timed beside them: the whole-render tests (kernels on against
# off, eager and compiled; the RAT kernel's summaries as the render asks them, the fold statistics kernel inside the
# compiled fold, every kernel's changed form) in one process; every kernel's own GPU tests in another (the FAT kernel's
# five, on X_0, with the autotuner's 168-register shapes and the folded mask; the rounding and exponential forms; the
# RAT kernel's with FULL, with its block's tail and without; the fold statistics; the contraction and the sampling
# kernels with the corner selects; the block tail, with the q_fc on its output too; the embedding). (2) With the time
# left, a trace of one compiled graphed render of rattail.
# Usage: COMMIT=<sha> bash docs/results/2026-12-05-h200-twentysixth/call2.sh (carry .whl and .variants).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next2.tar.gz -C $OUT --exclude='*.pickle' --exclude='*_trace.json.gz' . ; }
( while sleep 15; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
B=$PWD/.variants/rattail
KERNEL_TESTS="tests/model/test_fused_field_attention.py tests/model/test_fused_ray_attention.py
  tests/model/test_fused_fold_statistics.py tests/model/test_fused_attention_contraction.py
  tests/model/test_fused_feature_sampling.py tests/model/test_triton_support.py tests/model/test_fused_feed_forward.py
  tests/model/test_fused_embedding.py"
(cd $B && PYTHONPATH=/tmp/site:$B/src:$B/tests/model timeout -s KILL 300 python3 -m pytest -q -p no:cacheprovider -rA \
  --tb=short --durations=0 -m gpu $KERNEL_TESTS -k render > $OUT/pytest_render.log 2>&1) & R=$!
(cd $B && PYTHONPATH=/tmp/site:$B/src:$B/tests/model timeout -s KILL 300 python3 -m pytest -q -p no:cacheprovider -rA \
  --tb=short --durations=0 -m gpu $KERNEL_TESTS -k "not render" > $OUT/pytest_kernels.log 2>&1) & K=$!
wait $R $K
echo "[$(( $(date +%s) - start )) s] tests done"
grep -hE "^(PASSED|FAILED|ERROR)|passed|failed" $OUT/pytest_*.log
pack
left=$(( 560 - ($(date +%s) - start) ))
if [ $left -gt 120 ]; then
  GPNERF_GIT_COMMIT=${COMMIT:-unknown}+prepared-rat-tail PYTHONPATH=/tmp/site:$B/src timeout -s KILL $left python3 \
    benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 \
    --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 --out $OUT/profile > $OUT/profile.log 2>&1
  for t in $OUT/profile/*_trace.json.gz; do
    python3 benchmarks/trace_summary.py "$t" --top 40 --gap-ms 0.01 > "${t%.json.gz}_summary.txt" 2>&1; head -n 24 "${t%.json.gz}_summary.txt"
  done
fi
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

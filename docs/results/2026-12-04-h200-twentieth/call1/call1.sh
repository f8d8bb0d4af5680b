#!/usr/bin/env bash
# Twentieth run, call 1: the FAT kernel's GPU tests (the features-alone variant among them), then the compiled graphed
# render at HEAD against 77394ac's code (before the coarse pass without attention writes, 1a32360, and the fine pass
# reusing the coarse points' inputs, 7489676), twice each, and HEAD with GEMM autotuning; rows compiled side by side
# and timed one at a time (benchmarks/side_by_side.sh).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentieth/call1/call1.sh, with
# .old/src = `git archive 77394ac src` (carry .whl and .old).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call1.tar.gz -C $OUT --exclude='*.pickle' . ; }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 150 python3 -m pytest -q -p no:cacheprovider -rA -m gpu \
  tests/model/test_fused_field_attention.py > $OUT/pytest_gpu.log 2>&1
grep -E "^(PASSED|FAILED|ERROR)|passed|failed" $OUT/pytest_gpu.log; pack
NEW="PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}"
OLD="PYTHONPATH=/tmp/site:$PWD/.old/src GPNERF_GIT_COMMIT=77394ac"
echo "[$(( $(date +%s) - start )) s] render rows"
OUT=$OUT/render DEADLINE=$(( 560 - 60 - ($(date +%s) - start) )) KILL_AT=$(( 590 - ($(date +%s) - start) )) \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 7" \
  bash benchmarks/side_by_side.sh "head_a|$NEW|" "old_a|$OLD|" "head_b|$NEW|" "old_b|$OLD|" \
  "head_gemm_autotune|$NEW|--compile-gemm-autotune on"
echo "[$(( $(date +%s) - start )) s] done"; pack

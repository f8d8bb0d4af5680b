#!/usr/bin/env bash
# Twentieth run, call 3: the graphed compiled training step at HEAD against 77394ac's code (the coarse pass without
# attention writes and the fine pass's reuse touch it too), with side_by_side.sh ALONE=1; beside the first pass, the
# one FAT GPU test that calls 1 and 2 never finished (the compiled render against the PyTorch render), alone 60 s on
# 2026-12-03, killed here at 150 s and 280 s while render rows compiled.
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentieth/call3/call3.sh, with
# .old/src = `git archive 77394ac src` (carry .whl and .old).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o3; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=6
pack() { tar czf $FINAL/call3.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 30; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
( PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 220 python3 -m pytest -q -p no:cacheprovider -rA --durations=3 \
  "tests/model/test_fused_field_attention.py::test_render_with_fused_kernels_matches_the_pytorch_render" > $OUT/pytest_gpu.log 2>&1
  echo "[$(( $(date +%s) - start )) s] pytest: $(tail -n 1 $OUT/pytest_gpu.log)" ) &
NEW="PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}"
OLD="PYTHONPATH=/tmp/site:$PWD/.old/src GPNERF_GIT_COMMIT=77394ac"
OUT=$OUT/train DEADLINE=330 KILL_AT=390 ALONE=1 ALONE_KILL_AT=110 \
  timeout -s KILL 575 bash benchmarks/side_by_side.sh "head|$NEW|" "old|$OLD|"
kill $PACKER; wait
grep -E "^(PASSED|FAILED|ERROR)|s call" $OUT/pytest_gpu.log
echo "[$(( $(date +%s) - start )) s] done"; pack

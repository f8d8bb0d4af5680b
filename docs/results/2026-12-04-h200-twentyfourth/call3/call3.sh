#!/usr/bin/env bash
# Twenty-fourth run, call 3. (1) The compiled graphed render: shapes = the working tree's src (the FAT launch shapes
# of call 2's shapes form) against steps = shapes with the FAT kernel taking 1-8 consecutive blocks of points per
# program (call2/fat_steps.diff), side by side, then each alone (ALONE=1). (2) Then, nothing timed beside them, the
# GPU tests of the FAT kernel (the new launch shapes) and of the block tail (its launch helpers) on the working tree.
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfourth/call3/call3.sh
# (carry .whl and .variants: .variants/steps/src).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o3; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call3.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
tree() { [ "$1" = shapes ] && echo "$PWD/src" || echo "$PWD/.variants/$1/src"; }
row() { echo "$1|PYTHONPATH=/tmp/site:$(tree $1) GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2|"; }
OUT=$OUT/render DEADLINE=170 KILL_AT=220 ALONE=1 ALONE_KILL_AT=100 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 400 bash benchmarks/side_by_side.sh "$(row shapes '')" "$(row steps +steps)"
pack
export PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model
left=$(( 560 - ($(date +%s) - start) ))
echo "[$(( $(date +%s) - start )) s] GPU tests, $left s"
timeout -s KILL $left python3 -m pytest -q -p no:cacheprovider -rA --tb=short -p no:logging \
  tests/model/test_fused_field_attention.py -k render -m gpu > $OUT/pytest_render.log 2>&1 & R=$!
timeout -s KILL $left python3 -m pytest -q -p no:cacheprovider -rA --tb=short \
  tests/model/test_fused_field_attention.py tests/model/test_fused_feed_forward.py -k "not render" -m gpu \
  > $OUT/pytest_kernels.log 2>&1 & F=$!
wait $R $F
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

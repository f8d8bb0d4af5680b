#!/usr/bin/env bash
# Twenty-first run, call 2. Call 1's GPU tests ran beside its timed passes (a render then took 0.40 or 0.54 s from one
# render to the next in the same process), and two float32 sampling tests failed without a report (killed at 300 s).
# Here, nothing beside anything timed: (1) the float32 sampling tests at HEAD and at 876737c, short tracebacks;
# (2) the compiled graphed render at HEAD against 876737c, twice each, side by side then alone, 15 renders each;
# (3) with what time is left, the whole-render comparisons (test_fused_field_attention.py -m gpu).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfirst/call2/call2.sh, with
# .old/src and .old/tests = `git archive 876737c src tests` (carry .whl and .old).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call2.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 30; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
SAMPLING="test_fused_sampling_on_the_gpu or test_concatenated_sampling_on_the_gpu or test_fused_contraction_on_the_gpu"
PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 90 python3 -m pytest -q -p no:cacheprovider -rA --tb=short \
  tests/model/test_fused_feature_sampling.py -k "$SAMPLING" > $OUT/pytest_sampling_head.log 2>&1
PYTHONPATH=/tmp/site:$PWD/.old/src:$PWD/.old/tests/model timeout -s KILL 90 python3 -m pytest -q -p no:cacheprovider -rA \
  --tb=short .old/tests/model/test_fused_feature_sampling.py -k "$SAMPLING" > $OUT/pytest_sampling_old.log 2>&1
echo "[$(( $(date +%s) - start )) s] sampling tests: head $(tail -n 1 $OUT/pytest_sampling_head.log) / old $(tail -n 1 $OUT/pytest_sampling_old.log)"
pack
NEW="PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}"
OLD="PYTHONPATH=/tmp/site:$PWD/.old/src GPNERF_GIT_COMMIT=876737c"
OUT=$OUT/render DEADLINE=200 KILL_AT=260 ALONE=1 ALONE_KILL_AT=80 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 500 bash benchmarks/side_by_side.sh "head_a|$NEW|" "old_a|$OLD|" "head_b|$NEW|" "old_b|$OLD|"
pack
left=$(( 575 - ($(date +%s) - start) ))
echo "[$(( $(date +%s) - start )) s] whole-render tests, $left s"
PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $left python3 -m pytest -q -p no:cacheprovider -rA --tb=short \
  tests/model/test_fused_field_attention.py -k render -m gpu > $OUT/pytest_render.log 2>&1
kill $PACKER; wait
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
echo "[$(( $(date +%s) - start )) s] done"; pack

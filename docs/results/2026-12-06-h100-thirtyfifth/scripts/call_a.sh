#!/usr/bin/env bash
# Call A: the four trees' cold render rows side by side (they fill the inductor caches), then the reuse tree's GPU
# tests alone. Usage: COMMIT=... bash docs/results/2026-12-06-h100-thirtyfifth/scripts/call_a.sh (carry .whl and .variants).
set -uo pipefail
start=$(date +%s)
COMMIT=$COMMIT WHAT=render TREES="head glue reuse reuse9600" CALL_LIMIT=0 \
  bash docs/results/2026-12-05-h100-thirtysecond/next/alternate_trees.sh 2>&1 | tail -n 20
echo "[$(( $(date +%s) - start )) s] cold rows done"
left=$(( 575 - ($(date +%s) - start) ))
cd .variants/reuse && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $left python3 -m pytest -v \
  -p no:cacheprovider -rA --tb=short -m gpu --durations=8 tests/model/test_fused_field_attention.py \
  tests/model/test_fused_feature_sampling.py tests/model/test_shapes.py tests/model/test_render_graph.py \
  tests/model/test_compilation.py 2>&1 | grep -v "DEBUG    torch" > $OUT/pytest_gpu_reuse.log
grep -E "(PASSED|FAILED|ERROR|passed|failed|slowest|s call)" $OUT/pytest_gpu_reuse.log | tail -40
echo "[$(( $(date +%s) - start )) s] done"

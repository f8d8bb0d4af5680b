#!/usr/bin/env bash
# Eleventh run, call 5: the FAT kernel's channel split, per launch configuration at the render's shapes (fat_split.py),
# its GPU tests, then the compiled graphed render (as time allows). Usage, from the repository root:
# bash docs/results/2026-12-03-h200-eleventh/call5/call5.sh COMMIT (carry .whl).
set -uo pipefail
start=$(date +%s)
HERE=docs/results/2026-12-03-h200-eleventh/call5
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site5 .whl/*.whl 2>/dev/null
export PYTHONPATH=/tmp/site5:$PWD/src:$PWD/benchmarks:$PWD/tests/model PYTHONUNBUFFERED=1 GPNERF_GIT_COMMIT=$1
left() { echo $(( $1 - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
timeout -s KILL 100 python3 $HERE/fat_split.py > $OUT/fat_split.log 2>&1; cat $OUT/fat_split.log | tail -n 20
timeout -s KILL $(left 160) python3 -m pytest -q -p no:cacheprovider -rA -k "gpu_matches or channel_split_on" tests/model/test_fused_field_attention.py > $OUT/tests.log 2>&1; grep -E "^(PASSED|FAILED|ERROR)" $OUT/tests.log | head
timeout -s KILL $(left 250) python3 benchmarks/bench_model.py --preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --render-warmup 1 --render-repeats 3 --chunk 4800 --json $OUT/render.json > $OUT/render.log 2>&1; grep "^| paper" $OUT/render.log || tail -n 3 $OUT/render.log

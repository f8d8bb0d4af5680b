#!/usr/bin/env bash
# Twenty-first run, call 5: the compiled graphed render with the on-chip contraction's launch configurations from
# call 4's sweep, one process alone (the device time left allows no side-by-side pass; compare with call 2's alone rows
# with care: another machine start).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfirst/call5/call5.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8 PYTHONPATH=/tmp/site:$PWD/src
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
GPNERF_GIT_COMMIT=${COMMIT:-unknown} timeout -s KILL 225 python3 benchmarks/bench_model.py --preset paper-scannet \
  --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 \
  --render-repeats 15 --label head --json $OUT/head.json > $OUT/head.log 2>&1
grep "^| head" $OUT/head.log || tail -n 5 $OUT/head.log
python3 -c "import json,re; r=json.load(open('$OUT/head.json'))['results'][0]; print([round(t,4) for t in r['times_s']]); print([l for l in r['autotuning'] if l.startswith('Best config for _contract')])"
echo "[$(( $(date +%s) - start )) s] done"

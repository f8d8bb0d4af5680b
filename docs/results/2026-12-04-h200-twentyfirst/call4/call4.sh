#!/usr/bin/env bash
# Twenty-first run, call 4: the fold's rendered term at a render chunk's shapes (benchmarks/bench_contraction.py): W
# formed on chip against W written by a compiled PyTorch fold and contracted by the sampling kernel, and the on-chip
# kernel in each launch configuration plus wider and narrower ones (call 3's trace: 5.9 ms per chunk, 94.6 ms a frame).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfirst/call4/call4.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 PYTHONPATH=/tmp/site:$PWD/src
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
GPNERF_GIT_COMMIT=${COMMIT:-unknown} timeout -s KILL 300 python3 benchmarks/bench_contraction.py --device cuda \
  --sweep-launches --extra-launches 16,64,8 16,64,4 8,16,4 8,8,4 16,32,4 32,32,8 8,64,4 128,8,8 16,8,2 \
  --json $OUT/contraction.json 2>&1 | tee $OUT/contraction.log | grep -v "^\s*$" | tail -n 30
echo "[$(( $(date +%s) - start )) s] done"

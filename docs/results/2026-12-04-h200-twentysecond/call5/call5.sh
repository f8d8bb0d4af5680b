#!/usr/bin/env bash
# Twenty-second run, call 5 -- NOT RUN: the session's device time ran out ("too little device-machine time is left").
# Prepared for the next session: the contraction reading the column means by head as (pairs,) vectors instead of
# call 3's scales formed before the launch (apply means_by_head.diff first: commit 90e4bd5, reverted unmeasured). (1) bench_contraction.py at a
# render chunk's shapes with the launch sweep; (2) the contraction's GPU tests (nothing timed beside them).
# Usage, from the repository root: bash docs/results/2026-12-04-h200-twentysecond/call5/call5.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
timeout -s KILL 90 python3 benchmarks/bench_contraction.py --device cuda --sweep-launches --warmup 3 --repeats 10 \
  --json $OUT/contraction.json > $OUT/contraction.log 2>&1
cat $OUT/contraction.log
echo "[$(( $(date +%s) - start )) s] contraction GPU tests"
timeout -s KILL 60 python3 -m pytest -q -p no:cacheprovider -rA --tb=short tests/model/test_fused_attention_contraction.py \
  -m gpu > $OUT/pytest_contraction.log 2>&1
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_contraction.log
echo "[$(( $(date +%s) - start )) s] done"

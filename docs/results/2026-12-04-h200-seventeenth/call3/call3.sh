#!/usr/bin/env bash
# Seventeenth run, call 3: the GPU tests of the training engine (eager against graphed steps, the update) and of the
# keep-mask kernel with the masks redrawn by default (b202f40's default). Usage, from the repository root:
# bash docs/results/2026-12-04-h200-seventeenth/call3/call3.sh (carry .whl).
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl 2>/dev/null
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
PYTHONPATH=/tmp/site2:$PWD/src timeout -s KILL 330 python3 -m pytest -q -p no:cacheprovider -rA -m gpu \
  tests/engine tests/model/test_fused_dropout.py > $OUT/pytest_gpu.log 2>&1
echo "pytest rc $?" >> $OUT/pytest_gpu.log
grep -E "^(PASSED|FAILED|ERROR)|passed|failed|pytest rc" $OUT/pytest_gpu.log

#!/usr/bin/env bash
# Tenth run, call 2: the graphed training step with the channels-last encoder (call 1's default row is the A/B).
# Usage: bash call2.sh COMMIT (carry .whl).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o; rm -rf $OUT; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl
export PYTHONPATH=/tmp/site2:$PWD/src:$PWD/benchmarks PYTHONUNBUFFERED=1 GPNERF_GIT_COMMIT=$1
el() { tar czf $FINAL/call2.tar.gz -C $OUT . ; echo "[$(( $(date +%s) - start )) s] $*"; }
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
el train-channels-last; timeout -s KILL 148 python3 benchmarks/bench_model.py $ROW --channels-last on --json $OUT/train_cl.json > $OUT/train_cl.log 2>&1; grep "^| paper" $OUT/train_cl.log || tail -n 4 $OUT/train_cl.log
el done

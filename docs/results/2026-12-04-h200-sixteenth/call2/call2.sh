#!/usr/bin/env bash
# Sixteenth run, call 2: the graphed compiled training step (paper-scannet, fast, bf16, 20 steps) at 15980b9 (the view
# softmax cast per view), with the FAT blocks' activation memory budget at 0.9 and 0.8, and with inductor's
# combo_kernels and aggressive_fusion (set by site/sitecustomize.py from GPNERF_INDUCTOR_CONFIG), in one call.
# Usage, from the repository root: bash docs/results/2026-12-04-h200-sixteenth/call2/call2.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
HERE=docs/results/2026-12-04-h200-sixteenth/call2
FINAL=$OUT; OUT=/tmp/o2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1
el() { tar czf $FINAL/call2.tar.gz -C $OUT --exclude='*.pickle' . ; echo "[$(( $(date +%s) - start )) s] $*"; }
left() { echo $(( $1 - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
row() {  # row NAME DEADLINE_S EXTRA_ARGS [ENV...]
  local name=$1 deadline=$2 extra=$3; shift 3
  el "train-$name"
  env "$@" PYTHONPATH=$PWD/$HERE/site:/tmp/site2:$PWD/src:$PWD/benchmarks GPNERF_GIT_COMMIT=15980b9+$name timeout -s KILL $(left $deadline) \
    python3 benchmarks/bench_model.py $ROW $extra --label "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph ($name)" \
    --json $OUT/train_$name.json > $OUT/train_$name.log 2>&1
  grep "^| paper" $OUT/train_$name.log || tail -n 12 $OUT/train_$name.log
}
row base 200 ""
row budget0.9 270 "--field-memory-budget 0.9"
row budget0.8 340 "--field-memory-budget 0.8"
row combo_kernels 470 "" GPNERF_INDUCTOR_CONFIG="combo_kernels=True"
row aggressive_fusion 590 "" GPNERF_INDUCTOR_CONFIG="aggressive_fusion=True"
el done

#!/usr/bin/env bash
# Eighteenth run, call 1: the graphed compiled training step (paper-scannet, fast, bf16, 20 steps) with
# torch.backends.cudnn.benchmark on against off (bench_model.py --cudnn-benchmark), rows alternating: does cuDNN's own
# algorithm search drop the NCHW <-> NHWC transposes around the encoder's convolutions (2.1 ms per step in the
# fourteenth run's trace)? Usage, from the repository root:
# COMMIT=<sha> bash docs/results/2026-12-04-h200-eighteenth/call1/call1.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1
el() { tar czf $FINAL/call1.tar.gz -C $OUT --exclude='*.pickle' . ; echo "[$(( $(date +%s) - start )) s] $*"; }
left() { echo $(( $1 - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
row() {  # row NAME DEADLINE_S [BENCH_ARGS...]
  local name=$1 deadline=$2; shift 2
  el "train-$name"
  env PYTHONPATH=/tmp/site2:$PWD/src:$PWD/benchmarks GPNERF_GIT_COMMIT=${COMMIT:-unknown} timeout -s KILL $(left $deadline) \
    python3 benchmarks/bench_model.py $ROW "$@" --label "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph ($name)" \
    --json $OUT/train_$name.json > $OUT/train_$name.log 2>&1
  grep "^| paper" $OUT/train_$name.log || tail -n 12 $OUT/train_$name.log
}
row off_a 250
row cudnn_a 330 --cudnn-benchmark on
row off_b 400
row cudnn_b 470 --cudnn-benchmark on
row cudnn_c 540 --cudnn-benchmark on
el done

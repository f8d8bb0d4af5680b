#!/usr/bin/env bash
# Eighteenth run, call 3: the graphed compiled training step (paper-scannet, fast, bf16, 20 steps) with the encoder in
# channels-last memory format (the eleventh run's encoder.channels_last, default on in channels_last_default.diff),
# with and without torch.backends.cudnn.benchmark, against the default NCHW encoder: cuDNN's search might pick NHWC
# kernels the plain heuristics did not (the eleventh run measured channels-last alone slower, 0.0472 s against 0.0463).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-eighteenth/call3/call3.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
HERE=docs/results/2026-12-04-h200-eighteenth/call3
FINAL=$OUT; OUT=/tmp/o3; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl 2>/dev/null
rm -rf /tmp/cl && mkdir -p /tmp/cl && cp -r src /tmp/cl/
(cd /tmp/cl && patch -s -p1 < "$OLDPWD/$HERE/channels_last_default.diff") || echo "patch failed"
export PYTHONUNBUFFERED=1
el() { tar czf $FINAL/call3.tar.gz -C $OUT --exclude='*.pickle' . ; echo "[$(( $(date +%s) - start )) s] $*"; }
left() { echo $(( $1 - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
row() {  # row NAME SRC DEADLINE_S [BENCH_ARGS...]
  local name=$1 src=$2 deadline=$3; shift 3
  el "train-$name"
  env PYTHONPATH=/tmp/site2:$src:$PWD/benchmarks GPNERF_GIT_COMMIT=${COMMIT:-unknown} timeout -s KILL $(left $deadline) \
    python3 benchmarks/bench_model.py $ROW "$@" --label "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph ($name)" \
    --json $OUT/train_$name.json > $OUT/train_$name.log 2>&1
  grep "^| paper" $OUT/train_$name.log || tail -n 12 $OUT/train_$name.log
}
row cl_cudnn_a /tmp/cl/src 250 --cudnn-benchmark on
row off_a $PWD/src 400
row cl_cudnn_b /tmp/cl/src 460 --cudnn-benchmark on
row cl_a /tmp/cl/src 520
row off_b $PWD/src 580
el done

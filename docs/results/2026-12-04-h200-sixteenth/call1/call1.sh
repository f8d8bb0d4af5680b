#!/usr/bin/env bash
# Sixteenth run, call 1: the graphed compiled training step (paper-scannet, fast, bf16, 20 steps) for main's src
# (d7c45e6), with the view softmax cast per view before stacking (softmax_stack_dtype.diff), with that and the FAT
# attention under selective activation checkpointing keeping only the logits (recompute_values.diff, GPNERF_SAC=1),
# and with the softmax change under inductor's coordinate-descent tuning and under GEMM-only max-autotune (convolutions
# left to aten), in one call. Usage, from the repository root: bash docs/results/2026-12-04-h200-sixteenth/call1/call1.sh
# (carry .whl).
set -uo pipefail
start=$(date +%s)
HERE=docs/results/2026-12-04-h200-sixteenth/call1
FINAL=$OUT; OUT=/tmp/o1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl 2>/dev/null
variant() {  # variant NAME DIFF...
  local dir=/tmp/$1; shift
  rm -rf $dir && mkdir -p $dir && cp -r src $dir/
  for d in "$@"; do (cd $dir && patch -s -p1 < "$OLDPWD/$HERE/$d") || echo "patch $d failed"; done
}
variant softmax softmax_stack_dtype.diff
variant sac_softmax softmax_stack_dtype.diff recompute_values.diff
export PYTHONUNBUFFERED=1
el() { tar czf $FINAL/call1.tar.gz -C $OUT --exclude='*.pickle' . ; echo "[$(( $(date +%s) - start )) s] $*"; }
left() { echo $(( $1 - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
row() {  # row NAME SRC DEADLINE_S [ENV...]
  local name=$1 src=$2 deadline=$3; shift 3
  el "train-$name"
  env "$@" PYTHONPATH=/tmp/site2:$src:$PWD/benchmarks GPNERF_GIT_COMMIT=d7c45e6+$name timeout -s KILL $(left $deadline) \
    python3 benchmarks/bench_model.py $ROW --label "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph ($name)" \
    --json $OUT/train_$name.json > $OUT/train_$name.log 2>&1
  grep "^| paper" $OUT/train_$name.log || tail -n 12 $OUT/train_$name.log
}
row base $PWD/src 230
row softmax /tmp/softmax/src 320
row sac_softmax /tmp/sac_softmax/src 410 GPNERF_SAC=1
row softmax_cdt /tmp/softmax/src 500 TORCHINDUCTOR_COORDINATE_DESCENT_TUNING=1
row softmax_gemm_autotune /tmp/softmax/src 590 TORCHINDUCTOR_MAX_AUTOTUNE_GEMM=1 TORCHINDUCTOR_MAX_AUTOTUNE_CONV_BACKENDS=ATEN
el done

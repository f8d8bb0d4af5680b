#!/usr/bin/env bash
# Seventeenth run, call 2: with the keep masks drawn again in the backward (ModelConfig.redraw_dropout_masks, now
# the default), the keep-mask kernel's two 16-bit decisions per Philox output against the 24-bit form (keep24.diff
# restores it), rows alternating, then the masks kept (--redraw-dropout-masks off); the graphed compiled training step
# (paper-scannet, fast, bf16, 20 steps). Usage, from the repository root:
# COMMIT=<sha> bash docs/results/2026-12-04-h200-seventeenth/call2/call2.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
HERE=docs/results/2026-12-04-h200-seventeenth/call2
FINAL=$OUT; OUT=/tmp/o1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl 2>/dev/null
variant() {  # variant NAME DIFF...
  local dir=/tmp/$1; shift
  rm -rf $dir && mkdir -p $dir && cp -r src $dir/
  for d in "$@"; do (cd $dir && patch -s -p1 < "$OLDPWD/$HERE/$d") || echo "patch $d failed"; done
}
variant keep24 keep24.diff
export PYTHONUNBUFFERED=1
el() { tar czf $FINAL/call2.tar.gz -C $OUT --exclude='*.pickle' . ; echo "[$(( $(date +%s) - start )) s] $*"; }
left() { echo $(( $1 - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
row() {  # row NAME SRC DEADLINE_S [BENCH_ARGS...]
  local name=$1 src=$2 deadline=$3; shift 3
  el "train-$name"
  env PYTHONPATH=/tmp/site2:$src:$PWD/benchmarks GPNERF_GIT_COMMIT=${COMMIT:-unknown}+$name timeout -s KILL $(left $deadline) \
    python3 benchmarks/bench_model.py $ROW "$@" --label "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph ($name)" \
    --json $OUT/train_$name.json > $OUT/train_$name.log 2>&1
  grep "^| paper" $OUT/train_$name.log || tail -n 12 $OUT/train_$name.log
}
row redraw16_a $PWD/src 250
row redraw24_a /tmp/keep24/src 330
row redraw16_b $PWD/src 390
row redraw24_b /tmp/keep24/src 450
row kept16 $PWD/src 540 --redraw-dropout-masks off
el done

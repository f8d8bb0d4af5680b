#!/usr/bin/env bash
# Seventeenth run, call 1: the keep-mask kernel's two 16-bit decisions per Philox output against the 24-bit form
# (keep24.diff restores it), and with the masks drawn again in the backward (--redraw-dropout-masks), in the graphed
# compiled training step (paper-scannet, fast, bf16, 20 steps), rows alternating, after the GPU tests of the kernel
# against its reference. Usage, from the repository root:
# COMMIT=<sha> bash docs/results/2026-12-04-h200-seventeenth/call1/call1.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
HERE=docs/results/2026-12-04-h200-seventeenth/call1
FINAL=$OUT; OUT=/tmp/o1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl 2>/dev/null
variant() {  # variant NAME DIFF...
  local dir=/tmp/$1; shift
  rm -rf $dir && mkdir -p $dir && cp -r src $dir/
  for d in "$@"; do (cd $dir && patch -s -p1 < "$OLDPWD/$HERE/$d") || echo "patch $d failed"; done
}
variant keep24 keep24.diff
export PYTHONUNBUFFERED=1
el() { tar czf $FINAL/call1.tar.gz -C $OUT --exclude='*.pickle' . ; echo "[$(( $(date +%s) - start )) s] $*"; }
left() { echo $(( $1 - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
el pytest
PYTHONPATH=/tmp/site2:$PWD/src timeout -s KILL 60 python3 -m pytest -q -p no:cacheprovider -rA \
  -k "gpu_matches or hopper" tests/model/test_fused_dropout.py > $OUT/pytest_dropout.log 2>&1
tail -n 3 $OUT/pytest_dropout.log
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
row() {  # row NAME SRC DEADLINE_S [BENCH_ARGS...]
  local name=$1 src=$2 deadline=$3; shift 3
  el "train-$name"
  env PYTHONPATH=/tmp/site2:$src:$PWD/benchmarks GPNERF_GIT_COMMIT=${COMMIT:-unknown}+$name timeout -s KILL $(left $deadline) \
    python3 benchmarks/bench_model.py $ROW "$@" --label "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph ($name)" \
    --json $OUT/train_$name.json > $OUT/train_$name.log 2>&1
  grep "^| paper" $OUT/train_$name.log || tail -n 12 $OUT/train_$name.log
}
row keep16_a $PWD/src 270
row keep24_a /tmp/keep24/src 350
row redraw16_a $PWD/src 460 --redraw-dropout-masks
row keep16_b $PWD/src 530
row redraw16_b $PWD/src 595 --redraw-dropout-masks
el done

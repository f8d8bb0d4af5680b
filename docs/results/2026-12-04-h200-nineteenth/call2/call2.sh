#!/usr/bin/env bash
# Nineteenth run, call 2: call 1 again for the two inductor settings whose rows were still compiling at its deadline
# (coordinate-descent tuning, GEMM-only max-autotune), against the default settings twice; a later deadline, and at
# the deadline every party that has not arrived is killed before the others time (call 1 killed only the GEMM row, and
# the coordinate-descent row's tuning overlapped the timed steps).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-nineteenth/call2/call2.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
SITE=$PWD/docs/results/2026-12-04-h200-sixteenth/call2/site  # GPNERF_INDUCTOR_CONFIG -> torch._inductor.config
FINAL=$OUT; OUT=/tmp/o2; mkdir -p $OUT; rm -rf /tmp/barrier2
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=6
pack() { tar czf $FINAL/call2.tar.gz -C $OUT --exclude='*.pickle' . ; }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
DEADLINE=${DEADLINE:-555}  # s from the start: the parties stop waiting for each other
PARTIES=4
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
party() {  # party NAME KILL_AT_S [ENV...]
  local name=$1 kill_at=$2; shift 2
  env "$@" PYTHONPATH=$SITE:/tmp/site2:$PWD/src:$PWD/benchmarks GPNERF_GIT_COMMIT=${COMMIT:-unknown}+$name \
    timeout -s KILL $(( kill_at - ($(date +%s) - start) )) \
    python3 benchmarks/bench_model.py $ROW --label "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph ($name)" \
    --timing-barrier /tmp/barrier2 --timing-parties $PARTIES --timing-barrier-timeout $(( DEADLINE - ($(date +%s) - start) )) \
    --json $OUT/train_$name.json > $OUT/train_$name.log 2>&1 &
}
party base_a 595
party coordesc 595 TORCHINDUCTOR_COORDINATE_DESCENT_TUNING=1
party gemm_autotune 595 TORCHINDUCTOR_MAX_AUTOTUNE_GEMM=1 TORCHINDUCTOR_MAX_AUTOTUNE_CONV_BACKENDS=ATEN
party base_b 595
( sleep $(( DEADLINE - 3 - ($(date +%s) - start) ))  # the parties still warming up go before the others time
  for pid in $(pgrep -f "^python3 benchmarks/bench_model.py"); do
    [ -e /tmp/barrier2/train.arrived.$pid ] || { echo "killed before the turns: $(tr '\0' ' ' < /proc/$pid/cmdline | grep -o '([a-z_]*)')"; kill -KILL $pid; }
  done ) &
while pgrep -f "^python3 benchmarks/bench_model.py" > /dev/null; do
  sleep 20; pack
  echo "[$(( $(date +%s) - start )) s] arrived: $(ls /tmp/barrier2 2>/dev/null | grep -c arrived) of $PARTIES"
done
wait
for f in $OUT/train_*.log; do grep "^| paper" $f || { echo "$f:"; tail -n 3 $f | cut -c1-300; }; done
echo "[$(( $(date +%s) - start )) s] done"; pack

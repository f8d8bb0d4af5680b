#!/usr/bin/env bash
# Nineteenth run, call 1: the graphed compiled training step (paper-scannet, fast, bf16, 20 steps) under four inductor
# settings that no earlier call could compile in the time its row had left (docs/benchmarks.md "Not measured"), against
# the default settings twice. The six rows compile at once, each in its own process, and are timed one at a time once
# all have warmed up (bench_model.py --timing-barrier, benchmarks/timing_barrier.py). A row still compiling at the
# group's deadline is killed before the others time, so its autotuning never overlaps their timed steps.
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-nineteenth/call1/call1.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
SITE=$PWD/docs/results/2026-12-04-h200-sixteenth/call2/site  # GPNERF_INDUCTOR_CONFIG -> torch._inductor.config
FINAL=$OUT; OUT=/tmp/o1; mkdir -p $OUT; rm -rf /tmp/barrier1
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call1.tar.gz -C $OUT --exclude='*.pickle' . ; }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
DEADLINE=${DEADLINE:-480}  # s from the start: the parties stop waiting for each other
PARTIES=6
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
party() {  # party NAME KILL_AT_S [ENV...]
  local name=$1 kill_at=$2; shift 2
  env "$@" PYTHONPATH=$SITE:/tmp/site2:$PWD/src:$PWD/benchmarks GPNERF_GIT_COMMIT=${COMMIT:-unknown}+$name \
    timeout -s KILL $(( kill_at - ($(date +%s) - start) )) \
    python3 benchmarks/bench_model.py $ROW --label "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph ($name)" \
    --timing-barrier /tmp/barrier1 --timing-parties $PARTIES --timing-barrier-timeout $(( DEADLINE - ($(date +%s) - start) )) \
    --json $OUT/train_$name.json > $OUT/train_$name.log 2>&1 &
}
party base_a 570
party coordesc 570 TORCHINDUCTOR_COORDINATE_DESCENT_TUNING=1
party combo_kernels 570 GPNERF_INDUCTOR_CONFIG="combo_kernels=True"
party aggressive_fusion 570 GPNERF_INDUCTOR_CONFIG="aggressive_fusion=True"
party gemm_autotune $(( DEADLINE - 5 )) TORCHINDUCTOR_MAX_AUTOTUNE_GEMM=1 TORCHINDUCTOR_MAX_AUTOTUNE_CONV_BACKENDS=ATEN
party base_b 570
while [ -n "$(jobs -r)" ]; do
  sleep 20; pack
  echo "[$(( $(date +%s) - start )) s] arrived: $(ls /tmp/barrier1 2>/dev/null | grep -c arrived) of $PARTIES"
done
wait
for f in $OUT/train_*.log; do grep "^| paper" $f || { echo "$f:"; tail -n 3 $f | cut -c1-300; }; done
echo "[$(( $(date +%s) - start )) s] done"; pack

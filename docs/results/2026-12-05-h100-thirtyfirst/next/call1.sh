#!/usr/bin/env bash
# Prepared in the thirty-first session for the next run: why does the training step time about 5 % faster in
# side_by_side.sh's first pass than alone (call 3 of the thirty-first run: 0.0410 against 0.0432 s; the twentieth
# run: 37.8 against 39.9 ms)? A warm-up of 3 steps and 20 timed steps are under a second of GPU work after a fresh
# process loads its compiled code; the first pass's rows are timed after minutes of compiling and autotuning beside
# each other. This call times main's step in fresh processes on one compile cache, alternating the short warm-up
# (3 + 20) with a long one (200 + 100), while nvidia-smi samples the SM clock, power and temperature every 100 ms.
# Carry .whl and .variants (head = main: `mkdir -p .variants/head && git archive main src tests benchmarks
# pyproject.toml | tar -x -C .variants/head`). Usage: COMMIT=$(git rev-parse --short main) bash .../next/call1.sh
# (about 550 s at most). Results: next1.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/t1; mkdir -p $OUT/timed
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' --exclude='*.pt' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu,utilization.gpu --format=csv \
  -lms 100 > $OUT/clocks.csv 2>&1 & SMI=$!
export PYTHONPATH=/tmp/site:$PWD/.variants/head/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what train"
ROW="$ROW --trainer-step --inductor-config autotune_local_cache=False"
row() {  # name, time limit, warm-up steps, timed steps
  echo "$1 $(date +%s.%N)" >> $OUT/timed/starts.txt
  timeout -s KILL $2 python3 benchmarks/bench_model.py $ROW --warmup $3 --repeats $4 --label train_$1 \
    --json $OUT/timed/train_$1.json > $OUT/timed/train_$1.log 2>&1
  echo "$1 done $(date +%s.%N)" >> $OUT/timed/starts.txt
  grep "^| train_" $OUT/timed/train_$1.log || tail -n 3 $OUT/timed/train_$1.log | cut -c1-300
  echo "[$(( $(date +%s) - start )) s]"; pack
}
row compile 300 3 20  # the cold process: compiles, fills the cache
for turn in 1 2; do
  row short$turn 70 3 20
  row long$turn 80 200 100
done
kill $SMI $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

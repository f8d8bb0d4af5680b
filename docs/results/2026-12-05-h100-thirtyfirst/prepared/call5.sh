#!/usr/bin/env bash
# The thirty-first session's fifth call: is the side-by-side first pass's faster training step (0.0410 against 0.0432 s
# alone in call 3; about 5 % since the twentieth run) a matter of the compile cache? main's training step in one process
# each, nothing beside it: cold (an empty inductor cache dir), warm (the same dir again), cold (a second empty dir);
# then a trace of the training step (profile_model.py --trace, summed by trace_summary.py). Carry .whl and .variants
# (head = main). Usage: COMMIT=$(git rev-parse --short main) bash .../prepared/call5.sh. Results: next5.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n5; mkdir -p $OUT/timed
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
pack() { tar czf $FINAL/next5.tar.gz -C $OUT --exclude='*.pickle' --exclude='*.pt' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
export PYTHONPATH=/tmp/site:$ROOT/.variants/head/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what train"
ROW="$ROW --trainer-step --warmup 3 --repeats 20 --inductor-config autotune_local_cache=False"
for run in cold1:/tmp/cache1 warm1:/tmp/cache1 cold2:/tmp/cache2; do
  name=${run%%:*}
  TORCHINDUCTOR_CACHE_DIR=${run#*:} TRITON_CACHE_DIR=${run#*:}/triton timeout -s KILL 170 python3 \
    benchmarks/bench_model.py $ROW --label train_$name --json $OUT/timed/train_$name.json > $OUT/timed/train_$name.log 2>&1
  grep "^| train_" $OUT/timed/train_$name.log || tail -n 3 $OUT/timed/train_$name.log
  echo "[$(( $(date +%s) - start )) s]"; pack
done
TORCHINDUCTOR_CACHE_DIR=/tmp/cache1 TRITON_CACHE_DIR=/tmp/cache1/triton timeout -s KILL \
  $(( 440 - ($(date +%s) - start) )) python3 benchmarks/profile_model.py --device cuda --preset paper-scannet \
  --implementation fast --precision bf16 --what train --trainer-step --compile --cuda-graph --trace --row-limit 60 \
  --out $OUT/profile > $OUT/profile.log 2>&1
for t in $OUT/profile/*_trace.json.gz; do
  python3 benchmarks/trace_summary.py "$t" --top 40 --gap-ms 0.01 > "${t%.json.gz}_summary.txt" 2>&1
  head -n 24 "${t%.json.gz}_summary.txt"
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

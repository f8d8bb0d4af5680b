#!/usr/bin/env bash
# Prepared in the thirty-first session for the next run: a trace of main's graphed trainer step on an H100 (none
# exists on this card; the last, the fourteenth run's, was an H200's of a much older tree): profile_model.py --trace,
# three steps after the warm-up, summed by trace_summary.py. Carry .whl and .variants (head = main). Usage:
# COMMIT=$(git rev-parse --short main) bash .../next/call2.sh (about 400 s at most with a cold cache). Results:
# trace.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/t2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
pack() { tar czf $FINAL/trace.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
GPNERF_GIT_COMMIT=${COMMIT:-unknown} PYTHONPATH=/tmp/site:$PWD/.variants/head/src timeout -s KILL 540 python3 \
  benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 \
  --what train --trainer-step --compile --cuda-graph --trace --steps 3 --row-limit 60 --out $OUT/profile \
  > $OUT/profile.log 2>&1
for t in $OUT/profile/*_trace.json.gz; do
  python3 benchmarks/trace_summary.py "$t" --top 40 --gap-ms 0.01 > "${t%.json.gz}_summary.txt" 2>&1
  head -n 30 "${t%.json.gz}_summary.txt"
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Call 4 of the next run (prepared 2026-12-05 in a session without device time), if device time is left: a trace of
# one compiled graphed paper-scannet render (bf16) of the kernels tree, and its summary: where the render's time goes
# after the prepared changes ("Where the render's time is now" in docs/performance.md), to choose the next lever.
# The tree's own profile_model.py: its glue functions are not main's.
# Usage: COMMIT=<sha of main> bash docs/results/next-run/call4.sh (carry .whl and .variants). Results: next4.tar.gz.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n4; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next4.tar.gz -C $OUT --exclude='*.pickle' --exclude='*_trace.json.gz' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
B=$PWD/.variants/kernels
GPNERF_GIT_COMMIT=${COMMIT:-unknown}+prepared-projection-kernel PYTHONPATH=/tmp/site:$B/src timeout -s KILL 540 \
  python3 $B/benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 \
  --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 --out $OUT/profile > $OUT/profile.log 2>&1
for t in $OUT/profile/*_trace.json.gz; do
  python3 $B/benchmarks/trace_summary.py "$t" --top 40 --gap-ms 0.01 > "${t%.json.gz}_summary.txt" 2>&1
  head -n 24 "${t%.json.gz}_summary.txt"
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

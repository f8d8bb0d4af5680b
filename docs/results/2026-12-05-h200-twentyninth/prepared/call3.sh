#!/usr/bin/env bash
# The next run's third call, if a machine comes: a trace of main's compiled graphed bf16 render (torch.profiler,
# benchmarks/profile_model.py --trace), summed by kernel with the idle gaps (trace_summary.py --gap-ms 0.01): where the
# render's time goes since the projection, sampling and PE(x) kernels landed (docs/performance.md, "Where the
# render's time is now", last traced in the twenty-sixth run). Usage (after setup.sh):
# COMMIT=$(git rev-parse --short main) bash .../prepared/call3.sh; carry .whl and .variants. Results: trace.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n3; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
pack() { tar czf $FINAL/trace.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
GPNERF_GIT_COMMIT=${COMMIT:-unknown} PYTHONPATH=/tmp/site:$PWD/.variants/head/src timeout -s KILL 500 python3 \
  benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 \
  --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 --out $OUT/profile > $OUT/profile.log 2>&1
for t in $OUT/profile/*_trace.json.gz; do
  python3 benchmarks/trace_summary.py "$t" --top 40 --gap-ms 0.01 > "${t%.json.gz}_summary.txt" 2>&1
  head -n 24 "${t%.json.gz}_summary.txt"
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

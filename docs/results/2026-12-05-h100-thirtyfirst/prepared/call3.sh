#!/usr/bin/env bash
# The thirty-first session's third call: the training step of head (main) and proj (main + the projection kernel's
# vector stores, f9e1864; the kernel runs in training too) side by side, then each alone
# (`--trainer-step`, compiled, graphed, bf16). About 480 s at most. Usage (.variants holding head and proj):
# COMMIT=$(git rev-parse --short main) bash .../prepared/call3.sh; carry .whl and .variants. Results: next3.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n3; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next3.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
TRAIN="--what train --trainer-step --warmup 3 --repeats 20"
tree() { echo "PYTHONPATH=/tmp/site:$ROOT/.variants/$1/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2"; }
OUT=$OUT/timed ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph" \
  DEADLINE=230 KILL_AT=260 ALONE=1 ALONE_KILL_AT=100 timeout -s KILL 470 bash benchmarks/side_by_side.sh \
  "train_head|$(tree head "")|$TRAIN" "train_proj|$(tree proj +f9e1864)|$TRAIN" > $OUT/timed.log 2>&1
tail -8 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# The next run's second call: the compiled graphed bf16 render of head (main) and rat side by side, then each alone,
# and main's training step (side_by_side.sh as fixed in f36fa40: each row counts the rows measuring what it measures).
# On an H100 (the goals' card) this gives main's render there for the first time since the projection, sampling and
# PE(x) kernels landed. Usage: COMMIT=$(git rev-parse --short main) bash .../prepared/call2.sh; carry .whl and
# .variants. Results: timed.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/t2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/timed.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
RENDER="--what render --chunk 4800 --render-warmup 1 --render-repeats 12"
TRAIN="--what train --trainer-step --warmup 3 --repeats 20"
tree() { echo "PYTHONPATH=/tmp/site:$ROOT/.variants/$1/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2"; }
OUT=$OUT/timed ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph" \
  DEADLINE=260 KILL_AT=320 ALONE=1 ALONE_KILL_AT=100 timeout -s KILL 570 bash benchmarks/side_by_side.sh \
  "render_head|$(tree head "")|$RENDER" "render_rat|$(tree rat +prepared-twentyninth)|$RENDER" \
  "train_head|$(tree head "")|$TRAIN" > $OUT/timed.log 2>&1
tail -12 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

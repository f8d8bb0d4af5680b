#!/usr/bin/env bash
# The thirty-first session's second call: main's tree (head) against main + the projection kernel's vector stores
# alone (proj, commit f9e1864 of branch prepared-thirtieth; the PE(x) kernel's padded weight is left out: alone on
# the H100 it took 253.6 against 212.3 us a launch at 48 samples in the first call). First where head's and proj's uv
# differ (projection_outputs.py) beside the whole-render GPU test of proj (kernels on against off), then the compiled
# graphed bf16 render of head and proj side by side and alone. Carry .whl and .variants (head, proj).
# Usage: COMMIT=$(git rev-parse --short main) bash .../prepared/call2.sh. Results: next2.tar.gz
set -uo pipefail
start=$(date +%s)
HERE=$PWD/docs/results/2026-12-05-h100-thirtyfirst/prepared
FINAL=$OUT; OUT=/tmp/n2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next2.tar.gz -C $OUT --exclude='*.pickle' --exclude='*.pt' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
(cd .variants/proj && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 240 python3 -m pytest -v \
  -p no:cacheprovider -rA --tb=short --durations=0 -m gpu tests/model/test_fused_field_attention.py \
  -k render_with_fused_kernels > $OUT/pytest_fat_render.log 2>&1) & TEST=$!
for tree in head proj; do
  PYTHONPATH=/tmp/site:$ROOT/.variants/$tree/src:$ROOT/.variants/$tree/tests/model timeout -s KILL 90 \
    python3 $HERE/projection_outputs.py save /tmp/$tree.pt > $OUT/outputs_$tree.log 2>&1
done
PYTHONPATH=/tmp/site:$ROOT/.variants/head/src:$ROOT/.variants/head/tests/model \
  python3 $HERE/projection_outputs.py compare /tmp/head.pt /tmp/proj.pt > $OUT/outputs_compare.log 2>&1
cat $OUT/outputs_*.log
wait $TEST
echo "[$(( $(date +%s) - start )) s] tests done"; grep -hE "(PASSED|FAILED|ERROR|call )" $OUT/pytest_*.log
pack
RENDER="--what render --chunk 4800 --render-warmup 1 --render-repeats 12"
tree() { echo "PYTHONPATH=/tmp/site:$ROOT/.variants/$1/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2"; }
OUT=$OUT/timed ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph" \
  DEADLINE=190 KILL_AT=240 ALONE=1 ALONE_KILL_AT=80 timeout -s KILL 330 bash benchmarks/side_by_side.sh \
  "render_head|$(tree head "")|$RENDER" "render_proj|$(tree proj +f9e1864)|$RENDER" > $OUT/timed.log 2>&1
tail -12 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

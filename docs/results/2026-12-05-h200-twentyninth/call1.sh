#!/usr/bin/env bash
# Twenty-ninth run, call 1 (2026-12-05; ran on an nvidia-h200, results in call1/): the prepared folder's call1.sh and
# call2.sh in one call, for a session with device time for one call: the GPU tests of the prepared tree, then the
# render and the training step of head (main b39e354) and new (branch prepared-twentyeighth) side by side, then each
# alone. No rat row, no RAT presets render test. As it ran, side_by_side.sh gave every row 4 parties, so the render and
# training rows (2 of each) timed out at the barrier and the first pass timed them beside each other (f36fa40 fixes
# it): only the alone pass counts. Usage (after prepared/setup.sh):
#   COMMIT=$(git rev-parse --short main) bash docs/results/2026-12-05-h200-twentyninth/call1.sh   # carry .whl .variants
# Results: prepared_one.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/p1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=3
pack() { tar czf $FINAL/prepared_one.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
gputest() {
  local name=$1; shift
  (cd .variants/new && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 230 python3 -m pytest -q \
    -p no:cacheprovider -rA --tb=short --durations=0 -m gpu "$@" > $OUT/pytest_$name.log 2>&1)
}
gputest projection tests/model/test_fused_projection.py tests/model/test_fused_position_terms.py & A=$!
gputest rat tests/model/test_fused_ray_attention.py -k "not presets" & B=$!
gputest sampling tests/model/test_fused_feature_sampling.py & C=$!
gputest fatrender tests/model/test_fused_field_attention.py -k render & D=$!
RENDER="--what render --chunk 4800 --render-warmup 1 --render-repeats 12"
TRAIN="--what train --trainer-step --warmup 3 --repeats 20"
tree() { echo "PYTHONPATH=/tmp/site:$ROOT/.variants/$1/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2"; }
OUT=$OUT/timed ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph" \
  DEADLINE=240 KILL_AT=300 ALONE=1 ALONE_KILL_AT=70 timeout -s KILL 565 bash benchmarks/side_by_side.sh \
  "render_head|$(tree head "")|$RENDER" "render_new|$(tree new +prepared-twentyeighth)|$RENDER" \
  "train_head|$(tree head "")|$TRAIN" "train_new|$(tree new +prepared-twentyeighth)|$TRAIN" > $OUT/timed.log 2>&1 & T=$!
wait $A $B $C $D
echo "[$(( $(date +%s) - start )) s] tests done"; grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
pack
wait $T
tail -14 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

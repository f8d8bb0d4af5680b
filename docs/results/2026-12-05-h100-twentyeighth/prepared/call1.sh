#!/usr/bin/env bash
# The next run's first call (prepared 2026-12-05): GPU tests of the prepared tree (the projection kernel, the PE(x)
# terms kernel, every RAT launch incl. 4 warps in the transposed form, every narrow sampling launch, the training step
# with the kernels, the FAT file's whole renders kernels on against off, which run the new kernels), then the
# compiled graphed bf16 render of head (main), rat (main + the RAT change) and new (the whole branch) side by side, then
# each alone. Usage (after setup.sh): COMMIT=$(git rev-parse --short main) bash .../prepared/call1.sh; carry .whl and
# .variants. Results: prepared1.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/p1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/prepared1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
gputest() {
  local name=$1; shift
  (cd .variants/new && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 240 python3 -m pytest -q \
    -p no:cacheprovider -rA --tb=short --durations=0 -m gpu "$@" > $OUT/pytest_$name.log 2>&1)
}
gputest projection tests/model/test_fused_projection.py tests/model/test_fused_position_terms.py & A=$!
gputest rat tests/model/test_fused_ray_attention.py -k "not presets" & B=$!
gputest sampling tests/model/test_fused_feature_sampling.py & C=$!
gputest fatrender tests/model/test_fused_field_attention.py -k render & D=$!
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render \
  --chunk 4800 --render-warmup 1 --render-repeats 12"
tree() { echo "PYTHONPATH=/tmp/site:$ROOT/.variants/$1/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2"; }
OUT=$OUT/timed ROW="$ROW" DEADLINE=240 KILL_AT=300 ALONE=1 ALONE_KILL_AT=75 timeout -s KILL 560 \
  bash benchmarks/side_by_side.sh "render_head|$(tree head "")|" "render_rat|$(tree rat +rat)|" \
  "render_new|$(tree new +prepared-twentyeighth)|" > $OUT/timed.log 2>&1 & T=$!
wait $A $B $C $D
echo "[$(( $(date +%s) - start )) s] tests done"; grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
pack
wait $T
tail -12 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

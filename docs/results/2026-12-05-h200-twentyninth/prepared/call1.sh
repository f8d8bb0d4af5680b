#!/usr/bin/env bash
# The next run's first call (prepared 2026-12-05, twenty-ninth run), made to fit one call in case no second machine
# comes: first the GPU tests the RAT change must pass, alone on the GPU, in the rat tree (main + the RAT kernel's A V
# transposed): every launch of WARPS incl. 4 warps at 4,800 x 48 / x 64 against the block, and the projection kernel's
# test with its float32 bound (main's kernel; the bound never ran on a GPU); then the compiled graphed bf16 render of
# head (main) and rat side by side and alone. On an H100 this is main's first render figure on the goals' card since
# the projection, sampling and PE(x) kernels landed. Usage (after setup.sh):
# COMMIT=$(git rev-parse --short main) bash .../prepared/call1.sh; carry .whl and .variants. Results: next1.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
gputest() {
  local name=$1 limit=$2; shift 2
  (cd .variants/rat && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $limit python3 -m pytest -v \
    -p no:cacheprovider -rA --tb=short --durations=0 -m gpu "$@" > $OUT/pytest_$name.log 2>&1)
}
gputest projection 170 tests/model/test_fused_projection.py & A=$!
gputest rat_launches 170 tests/model/test_fused_ray_attention.py -k every_launch & B=$!
wait $A $B
echo "[$(( $(date +%s) - start )) s] tests done"; grep -hE "(PASSED|FAILED|ERROR).*%\]$" $OUT/pytest_*.log
pack
RENDER="--what render --chunk 4800 --render-warmup 1 --render-repeats 12"
tree() { echo "PYTHONPATH=/tmp/site:$ROOT/.variants/$1/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2"; }
OUT=$OUT/timed ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph" \
  DEADLINE=190 KILL_AT=240 ALONE=1 ALONE_KILL_AT=80 timeout -s KILL 400 bash benchmarks/side_by_side.sh \
  "render_head|$(tree head "")|$RENDER" "render_rat|$(tree rat +prepared-twentyninth)|$RENDER" > $OUT/timed.log 2>&1
tail -12 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# The next run's call (prepared 2026-12-05, thirtieth session), made to fit one call (about 520 s at most): first the
# projection and PE(x) kernels of head (main) and new (the branch) timed alone at a render chunk's shapes and their
# outputs compared (kernel_times.py); then the new tree's GPU tests (the projection kernel, the PE(x) kernel, the FAT
# file's whole renders kernels on against off); then the compiled graphed bf16 render of head and new side by side
# and alone. Usage (after setup.sh): COMMIT=$(git rev-parse --short main) bash .../prepared/call1.sh; carry .whl and
# .variants. Results: next1.tar.gz
set -uo pipefail
start=$(date +%s)
HERE=$PWD/docs/results/2026-12-05-h100-thirtieth/prepared
FINAL=$OUT; OUT=/tmp/n1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' --exclude='*.pt' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
for tree in head new; do
  PYTHONPATH=$ROOT/.variants/$tree/src timeout -s KILL 60 python3 $HERE/kernel_times.py time /tmp/$tree.pt \
    > $OUT/kernel_times_$tree.log 2>&1
done
python3 $HERE/kernel_times.py compare /tmp/head.pt /tmp/new.pt > $OUT/kernel_compare.log 2>&1
cat $OUT/kernel_times_*.log $OUT/kernel_compare.log | grep -v "^$" | head -20
echo "[$(( $(date +%s) - start )) s] kernels timed"; pack
gputest() {
  local name=$1 limit=$2; shift 2
  (cd .variants/new && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $limit python3 -m pytest -v \
    -p no:cacheprovider -rA --tb=short --durations=0 -m gpu "$@" > $OUT/pytest_$name.log 2>&1)
}
gputest projection 150 tests/model/test_fused_projection.py & A=$!
gputest position_terms 150 tests/model/test_fused_position_terms.py & B=$!
gputest fat_render 150 tests/model/test_fused_field_attention.py -k render_with_fused_kernels & C=$!
wait $A $B $C
echo "[$(( $(date +%s) - start )) s] tests done"; grep -hE "(PASSED|FAILED|ERROR)" $OUT/pytest_*.log | grep "::"
pack
RENDER="--what render --chunk 4800 --render-warmup 1 --render-repeats 12"
tree() { echo "PYTHONPATH=/tmp/site:$ROOT/.variants/$1/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2"; }
OUT=$OUT/timed ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph" \
  DEADLINE=190 KILL_AT=240 ALONE=1 ALONE_KILL_AT=80 timeout -s KILL 330 bash benchmarks/side_by_side.sh \
  "render_head|$(tree head "")|$RENDER" "render_new|$(tree new +prepared-thirtieth)|$RENDER" > $OUT/timed.log 2>&1
tail -12 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

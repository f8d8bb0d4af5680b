#!/usr/bin/env bash
# Prepared for the next run (the call after call_a.sh, on its machine while warm if it can be): main's GPU tests that
# section 34 touched, alone, then the 9,600-ray chunk (tree new9600: main with an `args` file holding --chunk 9600)
# compiled alone and timed in turns with new (COLD_NEW=1 on a fresh machine: new compiled alone first). Usage:
# COMMIT=... CALL_LIMIT=560 bash <this file> (carry .whl, .variants). Results: $OUT/next_b.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/next_b; rm -rf $OUT; mkdir -p $OUT/timed
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
pack() { tar czf $FINAL/next_b.tar.gz -C $OUT --exclude='*.pickle' --exclude='*.pt' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
(cd .variants/new && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL ${TEST_LIMIT:-300} \
  python3 -m pytest -v -p no:cacheprovider -rA --tb=short -m gpu --durations=0 \
  tests/model/test_fused_attention_contraction.py tests/model/test_shapes.py \
  tests/model/test_fused_feature_sampling.py::test_kernel_grid_on_the_gpu_is_the_sampling_grid_bit_for_bit \
  tests/model/test_fused_field_attention.py::test_render_with_fused_kernels_matches_the_pytorch_render \
  tests/model/test_render_graph.py > $OUT/pytest_gpu.log 2>&1)
grep -hE "(PASSED|FAILED|ERROR|passed|failed)" $OUT/pytest_gpu.log | cut -c1-200; pack
echo "[$(( $(date +%s) - start )) s] tests"
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render"
ROW="$ROW --chunk 4800 --render-warmup 1 --render-repeats 12"
row() {  # tree, name, time limit
  (cd $ROOT/.variants/$1 && PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=$COMMIT$(cat label 2>/dev/null) \
    timeout -s KILL $3 python3 benchmarks/bench_model.py $ROW $(cat args 2>/dev/null) --label render_$2 \
    --json $OUT/timed/render_$2.json > $OUT/timed/render_$2.log 2>&1)
  grep "^| render_" $OUT/timed/render_$2.log || tail -n 3 $OUT/timed/render_$2.log | cut -c1-300
  echo "[$(( $(date +%s) - start )) s]"; pack
}
[ "${COLD_NEW:-0}" = 1 ] && row new cold_new 240  # a fresh machine: new's compile first, alone
row new9600 cold_new9600 240
turn=0; trees=(new new9600)
while [ $(( $(date +%s) - start + 60 )) -le ${CALL_LIMIT:-560} ]; do
  tree=${trees[$(( turn % 2 ))]}; turn=$(( turn + 1 ))
  row $tree alone${turn}_$tree 60
done
kill $PACKER; wait $PACKER 2>/dev/null
echo "[$(( $(date +%s) - start )) s] done"; pack

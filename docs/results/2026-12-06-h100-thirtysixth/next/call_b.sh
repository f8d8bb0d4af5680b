#!/usr/bin/env bash
# Prepared for the next run (the call after call_a.sh, on its machine while warm if it can be): main's GPU tests that
# section 34 touched, alone, then the 9,600-ray chunk (tree new9600: main with an `args` file holding --chunk 9600)
# against 4,800 through benchmarks/compare_trees.sh (both compiled alone first: on a warm machine new's cold row is
# a cache hit). Usage: COMMIT=... [CALL_LIMIT=560] bash <this file> (carry .whl, .variants). Results:
# $OUT/next_b.tar.gz
set -uo pipefail
start=$(date +%s)
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
FINAL=$OUT; RESULTS=/tmp/next_b; rm -rf $RESULTS; mkdir -p $RESULTS
pack() { tar czf $FINAL/next_b.tar.gz -C $RESULTS --exclude='*.pickle' --exclude='*.pt' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
(cd .variants/new && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL ${TEST_LIMIT:-300} \
  python3 -m pytest -v -p no:cacheprovider -rA --tb=short -m gpu --durations=0 \
  tests/model/test_fused_attention_contraction.py tests/model/test_shapes.py \
  tests/model/test_fused_feature_sampling.py::test_kernel_grid_on_the_gpu_is_the_sampling_grid_bit_for_bit \
  tests/model/test_fused_field_attention.py::test_render_with_fused_kernels_matches_the_pytorch_render \
  tests/model/test_render_graph.py > $RESULTS/pytest_gpu.log 2>&1)
grep -hE "(PASSED|FAILED|ERROR|passed|failed)" $RESULTS/pytest_gpu.log | cut -c1-200; pack
echo "[$(( $(date +%s) - start )) s] tests"
PYTHONPATH=/tmp/site OUT=$RESULTS/chunk TREES="new new9600" \
  CALL_LIMIT=$(( ${CALL_LIMIT:-560} - ($(date +%s) - start) )) bash benchmarks/compare_trees.sh
kill $PACKER; wait $PACKER 2>/dev/null; pack

#!/usr/bin/env bash
# NOT RUN (prepared at the end of the twenty-fourth run). The GPU tests of call1.sh's forms, nothing timed beside
# them: on .variants/both (c51fec5 and 84b5dcd on HEAD; call1.sh says how to build it) the FAT kernel's seven (the
# whole render with kernels on against off, eager and compiled, in one process; the kernel's five in another) and the
# embedding kernel's two (merged rows included); then the block tail's three alone on the working tree (not completed
# in the twenty-fourth run: their float32 case compiles exact float32 products in five launch shapes, ~100 s alone).
# Usage: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfourth/next/call2.sh (carry .whl and .variants).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next2.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
BOTH=$PWD/.variants/both
(cd $BOTH && PYTHONPATH=/tmp/site:$BOTH/src:$BOTH/tests/model timeout -s KILL 300 python3 -m pytest -q \
  -p no:cacheprovider -rA --tb=short --durations=0 -m gpu tests/model/test_fused_field_attention.py -k render \
  > $OUT/pytest_both_render.log 2>&1) & R=$!
(cd $BOTH && PYTHONPATH=/tmp/site:$BOTH/src:$BOTH/tests/model timeout -s KILL 300 python3 -m pytest -q \
  -p no:cacheprovider -rA --tb=short --durations=0 -m gpu tests/model/test_fused_field_attention.py \
  tests/model/test_fused_embedding.py -k "not render" > $OUT/pytest_both_kernels.log 2>&1) & K=$!
wait $R $K
echo "[$(( $(date +%s) - start )) s] both's tests done"
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_both_*.log
pack
left=$(( 560 - ($(date +%s) - start) ))
PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $left python3 -m pytest -q -p no:cacheprovider -rA \
  --tb=short --durations=0 -m gpu tests/model/test_fused_feed_forward.py > $OUT/pytest_tail.log 2>&1
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_tail.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

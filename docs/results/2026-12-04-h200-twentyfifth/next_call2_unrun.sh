#!/usr/bin/env bash
# NOT RUN (prepared at the end of the twenty-fourth run; the twenty-fifth run's calls 2-4 ran these forms' GPU tests
# instead, on the trees that landed). The GPU tests of call1.sh's forms, nothing timed beside
# them, on .variants/all (HEAD + c51fec5 + 84b5dcd + 9df4a56 + 79d5134; call1.sh says how to build it): the FAT
# kernel's two render tests (kernels on against off, eager and compiled) in one process; the FAT kernel's five, the
# embedding kernel's two (merged rows included), the RAT kernel's, the contraction's and tl.exp2's against
# torch.exp2 in another.
# Then the block tail's three alone on the working tree (not completed in the twenty-fourth run: their float32 case
# compiles exact float32 products in five launch shapes, ~100 s alone), and with the time left the contraction alone
# at a chunk's shapes for head and all (bench_contraction.py --sweep-launches; over 60 s each).
# Usage: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfourth/next/call2.sh (carry .whl and .variants).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next2.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ALL=$PWD/.variants/all
(cd $ALL && PYTHONPATH=/tmp/site:$ALL/src:$ALL/tests/model timeout -s KILL 280 python3 -m pytest -q \
  -p no:cacheprovider -rA --tb=short --durations=0 -m gpu tests/model/test_fused_field_attention.py -k render \
  > $OUT/pytest_all_render.log 2>&1) & R=$!
(cd $ALL && PYTHONPATH=/tmp/site:$ALL/src:$ALL/tests/model timeout -s KILL 280 python3 -m pytest -q \
  -p no:cacheprovider -rA --tb=short --durations=0 -m gpu tests/model/test_fused_field_attention.py \
  tests/model/test_fused_embedding.py tests/model/test_fused_ray_attention.py \
  tests/model/test_fused_attention_contraction.py tests/model/test_triton_support.py -k "not render" \
  > $OUT/pytest_all_kernels.log 2>&1) & K=$!
wait $R $K
echo "[$(( $(date +%s) - start )) s] all's tests done"
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_all_*.log
pack
PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 200 python3 -m pytest -q -p no:cacheprovider -rA \
  --tb=short --durations=0 -m gpu tests/model/test_fused_feed_forward.py > $OUT/pytest_tail.log 2>&1
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_tail.log
pack
for form in all head; do
  left=$(( 570 - ($(date +%s) - start) )); [ $left -lt 40 ] && break
  tree=$PWD/src; [ $form = all ] && tree=$ALL/src
  PYTHONPATH=/tmp/site:$tree timeout -s KILL $left python3 benchmarks/bench_contraction.py --device cuda \
    --sweep-launches --json $OUT/contraction_$form.json > $OUT/contraction_$form.log 2>&1
  echo "[$(( $(date +%s) - start )) s] contraction $form: $(grep -E "^\| (on_chip|[0-9]+) \|" $OUT/contraction_$form.log | head -3 | tr "\n" " ")"
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

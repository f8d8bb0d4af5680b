#!/usr/bin/env bash
# The thirty-sixth run's fourth call (a fresh machine). Trees in .variants/<tree> as in call_1.sh: new2 = b76a2be (the
# contraction's one launch a block of groups, launch_for), new = ed34192 (main before it, the contraction autotuned).
# While the two compile side by side (cold, untimed), new2's gpu-marked tests of the contraction and of the compiled
# renders run beside them; then a trace of new2's render alone (the contraction's grid and registers), then fresh
# processes alone taking turns (new2, new, ...) while time is left.
# Usage: COMMIT=b76a2be CALL_LIMIT=480 bash <this file> (carry .whl, .variants). Results: $OUT/call4.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/call4; rm -rf $OUT; mkdir -p $OUT/timed $OUT/profile
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
pack() { tar czf $FINAL/call4.tar.gz -C $OUT --exclude='*.pickle' --exclude='*.pt' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render"
ROW="$ROW --chunk 4800 --render-warmup 1 --render-repeats 12"
row() {  # tree, name, time limit, extra arguments
  local dir=$ROOT/.variants/$1
  echo "$2 $(date +%s.%N)" >> $OUT/timed/starts.txt
  (cd $dir && PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=$COMMIT$(cat label 2>/dev/null) \
    timeout -s KILL $3 python3 benchmarks/bench_model.py $ROW $(cat args 2>/dev/null) ${4:-} --label render_$2 \
    --json $OUT/timed/render_$2.json > $OUT/timed/render_$2.log 2>&1)
  echo "$2 done $(date +%s.%N)" >> $OUT/timed/starts.txt
  grep "^| render_" $OUT/timed/render_$2.log || tail -n 3 $OUT/timed/render_$2.log | cut -c1-300
  echo "[$(( $(date +%s) - start )) s]"; pack
}
trace() {  # tree
  local dir=$ROOT/.variants/$1
  (cd $dir && PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=$COMMIT$(cat label 2>/dev/null) timeout -s KILL 150 \
    python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 \
    --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 --label $1 --out $OUT/profile \
    > $OUT/profile/$1.log 2>&1)
  for t in $OUT/profile/$1*_trace.json.gz; do
    python3 $ROOT/benchmarks/trace_summary.py "$t" --top 60 --gap-ms 0.01 > "${t%.json.gz}_summary.txt" 2>&1
    head -n 16 "${t%.json.gz}_summary.txt" | cut -c1-160
  done
  tail -n 3 $OUT/profile/$1.log | cut -c1-200
  echo "[$(( $(date +%s) - start )) s] trace $1"; pack
}
(cd .variants/new2 && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL ${TEST_LIMIT:-330} \
  python3 -m pytest -v -p no:cacheprovider -rA --tb=short -m gpu --durations=0 \
  tests/model/test_fused_attention_contraction.py \
  tests/model/test_fused_field_attention.py::test_render_with_fused_kernels_matches_the_pytorch_render \
  tests/model/test_render_graph.py::test_graphed_render_of_compiled_blocks_matches_eager \
  > $OUT/pytest_gpu.log 2>&1) & TEST=$!
cold=()
for tree in new2 new; do row $tree cold_$tree 330 & cold+=($!); done
wait "${cold[@]}"
wait $TEST; grep -hE "(PASSED|FAILED|ERROR|passed|failed)" $OUT/pytest_gpu.log | cut -c1-200
trace new2
turn=0; trees=(new2 new)
while [ $(( $(date +%s) - start + 60 )) -le ${CALL_LIMIT:-560} ]; do
  tree=${trees[$(( turn % 2 ))]}; turn=$(( turn + 1 ))
  row $tree alone${turn}_$tree 60 "--inductor-config autotune_local_cache=False"
done
kill $PACKER; wait $PACKER 2>/dev/null
echo "[$(( $(date +%s) - start )) s] done"; pack

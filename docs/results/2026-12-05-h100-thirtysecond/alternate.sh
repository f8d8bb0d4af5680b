#!/usr/bin/env bash
# The thirty-second run's calls 3 and 4: main's tree (.variants/head) against the working tree with the head, the
# teacher sampling and the losses compiled (.variants/new), each with its own benchmarks/bench_model.py (head's has no
# --compile-losses, so benchmarks/side_by_side.sh, which runs one bench_model.py for every row, cannot pair them).
# Both trees compile at once in their first (cold) processes, beside the new tree's GPU tests (TESTS=1); then fresh
# processes take turns alone (head, new, head, new, ...) while time is left, each with --inductor-config
# autotune_local_cache=False as side_by_side.sh's alone pass. Usage (carry .whl and .variants):
#   COMMIT=... WHAT=train|render [TESTS=1] [CALL_LIMIT=585] [ROW_LIMIT=100] bash .../alternate.sh
# Results: $OUT/<WHAT>.tar.gz
set -uo pipefail
start=$(date +%s)
: "${WHAT:?WHAT=train or render}"
FINAL=$OUT; OUT=/tmp/alt_$WHAT; rm -rf $OUT; mkdir -p $OUT/timed  # a machine may keep /tmp from earlier runs
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
pack() { tar czf $FINAL/$WHAT.tar.gz -C $OUT --exclude='*.pickle' --exclude='*.pt' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph"
if [ "$WHAT" = train ]; then ROW="$ROW --what train --trainer-step --warmup 3 --repeats 20"
else ROW="$ROW --what render --chunk 4800 --render-warmup 1 --render-repeats 12"; fi
row() {  # tree, name, time limit, extra arguments
  echo "$2 $(date +%s.%N)" >> $OUT/timed/starts.txt
  local commit=$COMMIT; [ "$1" = new ] && commit="$COMMIT+compiled-head-losses"
  (cd $ROOT/.variants/$1 && PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=$commit \
    timeout -s KILL $3 python3 benchmarks/bench_model.py $ROW ${4:-} --label ${WHAT}_$2 \
    --json $OUT/timed/${WHAT}_$2.json > $OUT/timed/${WHAT}_$2.log 2>&1)
  echo "$2 done $(date +%s.%N)" >> $OUT/timed/starts.txt
  grep "^| ${WHAT}_" $OUT/timed/${WHAT}_$2.log || tail -n 3 $OUT/timed/${WHAT}_$2.log | cut -c1-300
  echo "[$(( $(date +%s) - start )) s]"; pack
}
if [ "${TESTS:-0}" = 1 ]; then
  (cd .variants/new && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 300 python3 -m pytest -v \
    -p no:cacheprovider -rA --tb=short -m gpu tests/model/test_compilation.py tests/model/test_render_graph.py \
    > $OUT/pytest_gpu.log 2>&1) & TEST=$!
fi
row head cold_head 330 & COLD_HEAD=$!
row new cold_new 330 & COLD_NEW=$!
wait $COLD_HEAD $COLD_NEW
if [ -n "${TEST:-}" ]; then wait $TEST; grep -hE "(PASSED|FAILED|ERROR)" $OUT/pytest_gpu.log; fi
turn=0
while [ $(( $(date +%s) - start + ${ROW_LIMIT:-100} )) -le ${CALL_LIMIT:-585} ]; do
  turn=$(( turn + 1 )); tree=$([ $(( turn % 2 )) = 1 ] && echo head || echo new)
  row $tree alone${turn}_$tree ${ROW_LIMIT:-100} "--inductor-config autotune_local_cache=False"
done
kill $PACKER; wait $PACKER 2>/dev/null
echo "[$(( $(date +%s) - start )) s] done"; pack

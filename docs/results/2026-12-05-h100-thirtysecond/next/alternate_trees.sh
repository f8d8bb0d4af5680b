#!/usr/bin/env bash
# Prepared for the thirty-third run: the thirty-second run's alternate.sh (../alternate.sh) generalised to any number
# of trees: .variants/<tree> holds a tree's src, tests, benchmarks (each tree runs its own bench_model.py), an optional
# `label` file (appended to COMMIT in the record) and an optional `env` file (VAR=value words set for its processes,
# e.g. TORCHINDUCTOR_FORCE_LAYOUT_OPT=1) and an optional `args` file (bench_model.py arguments appended to the row's,
# e.g. --chunk 9600: the last one counts; added for the thirty-fifth run). The trees compile at once in their first (cold) processes, beside the GPU
# tests of the tree TEST_TREE (TESTS=1: compilation, graphed renders, the fused ray attention, the graphed trainer with
# batches built ahead, pinned episode copies); then fresh processes take turns alone (tree 1, tree 2, ..., tree 1, ...)
# while time is left, each with --inductor-config autotune_local_cache=False. Usage (carry .whl and .variants):
#   COMMIT=... WHAT=train|render TREES="head new" [TESTS=1 TEST_TREE=new] [CALL_LIMIT=585] [ROW_LIMIT=100] bash ...
# Results: $OUT/<WHAT>.tar.gz
set -uo pipefail
start=$(date +%s)
: "${WHAT:?WHAT=train or render}"
read -r -a trees <<< "${TREES:-head new}"
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
  local dir=$ROOT/.variants/$1
  echo "$2 $(date +%s.%N)" >> $OUT/timed/starts.txt
  (cd $dir && env $(cat env 2>/dev/null) PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=$COMMIT$(cat label 2>/dev/null) \
    timeout -s KILL $3 python3 benchmarks/bench_model.py $ROW $(cat args 2>/dev/null) ${4:-} --label ${WHAT}_$2 \
    --json $OUT/timed/${WHAT}_$2.json > $OUT/timed/${WHAT}_$2.log 2>&1)
  echo "$2 done $(date +%s.%N)" >> $OUT/timed/starts.txt
  grep "^| ${WHAT}_" $OUT/timed/${WHAT}_$2.log || tail -n 3 $OUT/timed/${WHAT}_$2.log | cut -c1-300
  echo "[$(( $(date +%s) - start )) s]"; pack
}
if [ "${TESTS:-0}" = 1 ]; then
  (cd .variants/${TEST_TREE:-new} && env $(cat env 2>/dev/null) PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model \
    timeout -s KILL 400 python3 -m pytest -v -p no:cacheprovider -rA --tb=short -m gpu tests/model/test_compilation.py \
    tests/model/test_render_graph.py tests/model/test_fused_ray_attention.py tests/engine/test_cuda_graph.py \
    tests/data/test_rays_and_episodes.py > $OUT/pytest_gpu.log 2>&1) & TEST=$!
fi
cold=()
for tree in "${trees[@]}"; do row $tree cold_$tree 330 & cold+=($!); done
wait "${cold[@]}"
if [ -n "${TEST:-}" ]; then wait $TEST; grep -hE "(PASSED|FAILED|ERROR)" $OUT/pytest_gpu.log; fi
turn=0
while [ $(( $(date +%s) - start + ${ROW_LIMIT:-100} )) -le ${CALL_LIMIT:-585} ]; do
  tree=${trees[$(( turn % ${#trees[@]} ))]}; turn=$(( turn + 1 ))
  row $tree alone${turn}_$tree ${ROW_LIMIT:-100} "--inductor-config autotune_local_cache=False"
done
kill $PACKER; wait $PACKER 2>/dev/null
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Prepared for the next run (first call on a fresh machine). Trees in .variants/<tree> as in scripts/call_1.sh (`git
# archive <ref> src tests benchmarks pyproject.toml`, a `label` file, an optional `args` file); TREES names them, the
# first being the one traced (default "new old": new = main, old = ed34192). Each tree's cold row compiles ALONE, one
# after another, so the launch configurations inductor times on a kernel's first launch are timed with the GPU to
# itself (the thirty-sixth run's side-by-side cold rows kept a contraction launch 12 ms a frame slower); their choices
# are listed by benchmarks/autotune_picks.py. Then a trace of each tree's render, then fresh processes alone taking
# turns while time is left. Usage: COMMIT=$(git rev-parse --short main) CALL_LIMIT=560 bash <this file> (carry .whl,
# .variants). Results: $OUT/next.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/next; rm -rf $OUT; mkdir -p $OUT/timed $OUT/profile
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
pack() { tar czf $FINAL/next.tar.gz -C $OUT --exclude='*.pickle' --exclude='*.pt' . ; }
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
    [ -e "$t" ] || continue
    python3 $ROOT/benchmarks/trace_summary.py "$t" --top 60 --gap-ms 0.01 > "${t%.json.gz}_summary.txt" 2>&1
    head -n 16 "${t%.json.gz}_summary.txt" | cut -c1-160
  done
  tail -n 3 $OUT/profile/$1.log | cut -c1-200
  echo "[$(( $(date +%s) - start )) s] trace $1"; pack
}
read -r -a trees <<< "${TREES:-new old}"
for tree in "${trees[@]}"; do row $tree cold_$tree 240; done
python3 benchmarks/autotune_picks.py $(for tree in "${trees[@]}"; do echo $OUT/timed/render_cold_$tree.json; done) \
  > $OUT/autotune_picks.txt 2>&1; grep -E "launch\(es\)|contract" $OUT/autotune_picks.txt | cut -c1-200
for tree in "${trees[@]}"; do trace $tree; done
turn=0
while [ $(( $(date +%s) - start + 60 )) -le ${CALL_LIMIT:-560} ]; do
  tree=${trees[$(( turn % ${#trees[@]} ))]}; turn=$(( turn + 1 ))
  row $tree alone${turn}_$tree 60
done
kill $PACKER; wait $PACKER 2>/dev/null
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# The thirty-first session's fourth call, on call 2's machine while warm (its compile caches filled): the render of
# head and proj again, each alone in a fresh process, alternating head, proj, head, proj (bench_model.py as
# side_by_side.sh's alone pass runs it), then a trace of proj's render (profile_model.py --trace, summed by
# trace_summary.py). Carry .whl and .variants (head, proj).
# Usage: COMMIT=$(git rev-parse --short main) bash .../prepared/call4.sh. Results: next4.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n4; mkdir -p $OUT/timed
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
pack() { tar czf $FINAL/next4.tar.gz -C $OUT --exclude='*.pickle' --exclude='*.pt' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render"
ROW="$ROW --chunk 4800 --render-warmup 1 --render-repeats 12 --inductor-config autotune_local_cache=False"
for turn in 1 2; do
  for tree in head proj; do
    suffix=""; [ $tree = proj ] && suffix=+f9e1864
    GPNERF_GIT_COMMIT=${COMMIT:-unknown}$suffix PYTHONPATH=/tmp/site:$ROOT/.variants/$tree/src timeout -s KILL 150 \
      python3 benchmarks/bench_model.py $ROW --label render_$tree.alone$turn --json $OUT/timed/render_$tree.alone$turn.json \
      > $OUT/timed/render_$tree.alone$turn.log 2>&1
    grep "^| render_" $OUT/timed/render_$tree.alone$turn.log || tail -n 3 $OUT/timed/render_$tree.alone$turn.log
    echo "[$(( $(date +%s) - start )) s]"; pack
  done
done
GPNERF_GIT_COMMIT=${COMMIT:-unknown}+f9e1864 PYTHONPATH=/tmp/site:$ROOT/.variants/proj/src timeout -s KILL \
  $(( 560 - ($(date +%s) - start) )) python3 benchmarks/profile_model.py --device cuda --preset paper-scannet \
  --implementation fast --precision bf16 --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 \
  --out $OUT/profile > $OUT/profile.log 2>&1
for t in $OUT/profile/*_trace.json.gz; do
  python3 benchmarks/trace_summary.py "$t" --top 40 --gap-ms 0.01 > "${t%.json.gz}_summary.txt" 2>&1
  head -n 24 "${t%.json.gz}_summary.txt"
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

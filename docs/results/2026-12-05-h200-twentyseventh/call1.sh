#!/usr/bin/env bash
# NOT RUN yet (prepared 2026-12-05 after the twenty-sixth run). What that run left, on main as it is (no variants):
# (1) the GPU tests that did not report in its call 4: the RAT kernel's own (fused on the GPU against the block, fp32
# 1e-5 and bf16 2e-2, both summaries as the render asks them) and the fold statistics kernel's, each alone in its own
# process, nothing timed beside them; (2) then, with the GPU to itself, the graphed compiled training step (the camera
# geometry now runs as elementwise float32 in it too: 1e352f3) and the render, each in its own process, one after the
# other (side_by_side.sh with one row: it compiles and is timed with nothing beside it), to confirm 0.0399 s and
# 0.2684 s at HEAD.
# Usage: COMMIT=<sha> bash docs/results/next-twenty-seventh/call1.sh (carry .whl). Results: next1.tar.gz in $OUT.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/m1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
gputest() {  # NAME FILE: one test file's GPU tests in a process of its own
  PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 240 python3 -m pytest -q -p no:cacheprovider -rA \
    --tb=short --durations=0 -m gpu "$2" > $OUT/pytest_$1.log 2>&1
}
gputest rat tests/model/test_fused_ray_attention.py & R=$!
gputest fold tests/model/test_fused_fold_statistics.py & F=$!
wait $R $F
echo "[$(( $(date +%s) - start )) s] tests done"; grep -hE "^(PASSED|FAILED|ERROR)|passed|failed" $OUT/pytest_*.log
pack
row() { echo "$1|PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}|$2"; }
for what in train render; do
  left=$(( 570 - ($(date +%s) - start) ))
  [ $left -gt 120 ] || break
  if [ $what = train ]; then
    ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
  else
    ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15"
  fi
  OUT=$OUT/$what DEADLINE=$(( left / 2 )) ROW="$ROW" timeout -s KILL $(( left - 10 )) \
    bash benchmarks/side_by_side.sh "$(row head '')"
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

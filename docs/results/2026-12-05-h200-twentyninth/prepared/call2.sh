#!/usr/bin/env bash
# The next run's second call, if a machine comes: the RAT file's longer GPU tests in the rat tree, at once: the kernel
# against its block (fp32, bf16) and the render at the presets' widths kernels on against off (no call has finished
# it); then main's training step alone (the projection kernel runs in training). Usage (after setup.sh):
# COMMIT=$(git rev-parse --short main) bash .../prepared/call2.sh; carry .whl and .variants. Results: next2.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next2.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 15; do pack; done ) & PACKER=$!
gputest() {
  local name=$1 limit=$2; shift 2
  (cd .variants/rat && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $limit python3 -m pytest -v \
    -p no:cacheprovider -rA --tb=short --durations=0 -m gpu "$@" > $OUT/pytest_$name.log 2>&1)
}
gputest rat_block 300 tests/model/test_fused_ray_attention.py -k matches_the_block & A=$!
gputest rat_presets 300 tests/model/test_fused_ray_attention.py -k presets & B=$!
wait $A $B
grep -hE "(PASSED|FAILED|ERROR).*%\]$" $OUT/pytest_*.log
OUT=$OUT/timed ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph" \
  DEADLINE=230 timeout -s KILL 260 bash benchmarks/side_by_side.sh \
  "train_head|PYTHONPATH=/tmp/site:$PWD/.variants/head/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}|--what train \
--trainer-step --warmup 3 --repeats 20" > $OUT/timed.log 2>&1
tail -4 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

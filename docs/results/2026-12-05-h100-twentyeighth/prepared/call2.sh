#!/usr/bin/env bash
# The next run's second call: the graphed training step of head and new (the projection kernel runs in training) side
# by side then alone, and the RAT file's render at the presets' widths (kernels on against off) in the new tree, which
# no call has finished yet. Usage: COMMIT=... bash .../prepared/call2.sh; carry .whl and .variants. Results:
# prepared2.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/p2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/prepared2.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
ROOT=$PWD
(cd .variants/new && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 500 python3 -m pytest -q \
  -p no:cacheprovider -rA --tb=short --durations=0 -m gpu tests/model/test_fused_ray_attention.py -k presets \
  > $OUT/pytest_rat_presets.log 2>&1) & A=$!
tree() { echo "PYTHONPATH=/tmp/site:$ROOT/.variants/$1/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2"; }
OUT=$OUT/timed DEADLINE=260 KILL_AT=320 ALONE=1 ALONE_KILL_AT=100 timeout -s KILL 540 bash benchmarks/side_by_side.sh \
  "train_head|$(tree head "")|" "train_new|$(tree new +prepared-twentyeighth)|" > $OUT/timed.log 2>&1 & T=$!
wait $A; grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
wait $T; tail -8 $OUT/timed.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

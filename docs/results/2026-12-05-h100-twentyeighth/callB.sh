#!/usr/bin/env bash
# Session of 2026-12-05 (second), call B: the RAT kernel's 4-warp launch in each source variant of rat_variants.py at
# each sample count and summary setting (each in a process of its own, CUDA_LAUNCH_BLOCKING=1), 2 warps unchanged
# beside them; then the RAT file's GPU tests alone (main's fix, never run). Results: nextB.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/nB; mkdir -p $OUT/variants
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1
pack() { tar czf $FINAL/nextB.tar.gz -C $OUT . ; }
( while sleep 20; do pack; done ) & PACKER=$!
SCRIPT=$PWD/docs/results/2026-12-05-h100-twentyeighth/rat_variants.py
cd .variants/head
jobs=()
for v in none barrier_loop barrier_v barrier_out barrier_all v_first transposed; do
  for s in 48 64; do for c in 0 1; do for f in 0 1; do jobs+=("$v $s 4 $c $f"); done; done; done
done
for s in 48 64; do for c in 0 1; do for f in 0 1; do jobs+=("none $s 2 $c $f"); done; done; done
printf '%s\n' "${jobs[@]}" | xargs -P 8 -L 1 bash -c 'name=$(echo "$0 $1 $2 $3 $4" | tr " " _); \
  CUDA_LAUNCH_BLOCKING=1 PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 90 \
  python3 '"$SCRIPT"' "$0" "$1" "$2" "$3" "$4" > '"$OUT"'/variants/$name.log 2>&1; echo "rc $?" >> '"$OUT"'/variants/$name.log'
for log in $OUT/variants/*.log; do echo "$(basename $log .log): $(grep -h "^variant\|Error" $log | tail -1) $(tail -1 $log)"; done
echo "[$(( $(date +%s) - start )) s] variants done"
PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 300 python3 -m pytest -q -p no:cacheprovider -rA \
  --tb=short --durations=0 -m gpu tests/model/test_fused_ray_attention.py > $OUT/pytest_rat.log 2>&1
grep -hE "^(PASSED|FAILED|ERROR)|passed|failed" $OUT/pytest_rat.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

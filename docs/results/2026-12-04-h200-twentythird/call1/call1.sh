#!/usr/bin/env bash
# Twenty-third run, call 1: the contraction reading the RAT column means by head as (pairs,) vectors (no scales formed
# before the launch; the twenty-second run's call 5, never run). (1) bench_contraction.py at a render chunk's shapes
# with the launch sweep; (2) the compiled graphed render at COMMIT against dd1c516 (the measured scales, eb6cd3d's
# kernel), side by side then alone, 15 renders each; (3) the contraction's GPU tests (nothing timed beside them).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentythird/call1/call1.sh, with
# .old/src and .old/tests = `git archive dd1c516 src tests` (carry .whl and .old).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 30; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
PYTHONPATH=/tmp/site:$PWD/src timeout -s KILL 100 python3 benchmarks/bench_contraction.py --device cuda --sweep-launches \
  --extra-launches 16,4,2 32,4,2 8,8,2 32,8,2 --warmup 3 --repeats 10 --json $OUT/contraction.json > $OUT/contraction.log 2>&1
echo "[$(( $(date +%s) - start )) s] contraction: $(grep -E '^\| (on_chip|two_step)' $OUT/contraction.log | tr '\n' ' ')"
pack
NEW="PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}"
OLD="PYTHONPATH=/tmp/site:$PWD/.old/src GPNERF_GIT_COMMIT=dd1c516"
OUT=$OUT/render DEADLINE=170 KILL_AT=220 ALONE=1 ALONE_KILL_AT=80 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 400 bash benchmarks/side_by_side.sh "head|$NEW|" "old|$OLD|"
pack
left=$(( 560 - ($(date +%s) - start) ))
echo "[$(( $(date +%s) - start )) s] contraction GPU tests, $left s"
PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $left python3 -m pytest -q -p no:cacheprovider -rA --tb=short \
  tests/model/test_fused_attention_contraction.py -m gpu > $OUT/pytest_contraction.log 2>&1
kill $PACKER; wait
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
for f in $OUT/render/*.json; do python3 -c "import json; r=json.load(open('$f'))['results'][0]; print('$f'.split('/')[-1], round(r.get('median_s',0),4), r.get('peak_reserved_gib', r.get('reserved_gib')), [l for l in r.get('autotuning',[]) if l.startswith('Best config for _contract')])" 2>/dev/null; done
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Twenty-second run, call 1: the FAT kernel taking several views per step (VIEW_BLOCK). (1) The kernel alone at a
# render chunk's fine and coarse shapes (4800 rays x 64 / 48 samples x 10 views, bf16) in every launch shape and more,
# at 2 and 3 pipelining stages; (2) the compiled graphed render at HEAD against fcacb71 (the kernel one view at a
# time), side by side then alone, 15 renders each; (3) with what time is left, the FAT kernel's GPU tests (nothing
# timed beside them).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentysecond/call1/call1.sh, with
# .old/src and .old/tests = `git archive fcacb71 src tests` (carry .whl and .old).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 30; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
EXTRA="16,1,2,4 16,2,2,2 32,2,2,8 64,2,2,8 16,1,4,4 16,2,4,8 32,1,4,8 8,2,8,4 16,2,8,8"
for samples in 64 48; do
  PYTHONPATH=/tmp/site:$PWD/src timeout -s KILL 130 python3 benchmarks/bench_fat_block.py --device cuda --precision bf16 \
    --rays 4800 --samples $samples --sweep-launches --stages 2 3 --extra-launches $EXTRA --warmup 3 --repeats 10 \
    --json $OUT/sweep_$samples.json > $OUT/sweep_$samples.log 2>&1
  echo "[$(( $(date +%s) - start )) s] sweep $samples samples: $(grep -c '^|' $OUT/sweep_$samples.log) table lines"
done
pack
NEW="PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}"
OLD="PYTHONPATH=/tmp/site:$PWD/.old/src GPNERF_GIT_COMMIT=fcacb71"
OUT=$OUT/render DEADLINE=170 KILL_AT=220 ALONE=1 ALONE_KILL_AT=80 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 400 bash benchmarks/side_by_side.sh "head|$NEW|" "old|$OLD|"
pack
left=$(( 570 - ($(date +%s) - start) ))
echo "[$(( $(date +%s) - start )) s] FAT kernel GPU tests, $left s"
PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $left python3 -m pytest -q -p no:cacheprovider -rA --tb=short \
  tests/model/test_fused_field_attention.py -m gpu > $OUT/pytest_fat.log 2>&1
kill $PACKER; wait
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
for f in $OUT/render/*.json; do python3 -c "import json,sys; r=json.load(open('$f'))['results'][0]; print('$f'.split('/')[-1], round(r.get('median_s',0),4), [l for l in r.get('autotuning',[]) if 'field_attention' in l][:2])" 2>/dev/null; done
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# NOT RUN (prepared at the end of the twenty-fifth run, its device time spent). One change made and checked on the CPU,
# not on main until a GPU run times it: branch prepared-maxnreg (10f3720; maxnreg.diff), the FAT kernel's autotuner
# also trying 16 x 1 x 2 and 32 x 1 x 4 at ptxas' 168-register limit (alone in the twenty-fifth run's call 1: 0.486
# against 0.515 ms at 16 x 1 x 2; sm_90: 168 registers, 32 bytes spilled, loop 416 instructions against 397).
# (1) The compiled graphed render, head (COMMIT) and maxnreg side by side, then each alone (ALONE=1). (2) The FAT
# kernel alone at a chunk's fine and coarse shapes on maxnreg (bench_fat_block.py --sweep-launches, its shapes at
# their own limits).
# Setup, from the repository root: mkdir -p .variants/maxnreg && git archive prepared-maxnreg src tests pyproject.toml |
#   tar -x -C .variants/maxnreg
# Usage: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfifth/next/call1.sh (carry .whl and .variants). Then
# call2.sh (maxnreg's GPU tests, a trace at COMMIT). Faster alone and passing its tests, it lands by
# `git merge --ff-only prepared-maxnreg` (or a cherry-pick of 10f3720).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
MX=$PWD/.variants/maxnreg
OUT=$OUT/render DEADLINE=150 KILL_AT=180 ALONE=1 ALONE_KILL_AT=80 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 330 bash benchmarks/side_by_side.sh \
  "head|PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}|" \
  "maxnreg|PYTHONPATH=/tmp/site:$MX/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}+10f3720|"
pack
for samples in 64 48; do
  left=$(( 560 - ($(date +%s) - start) )); [ $left -lt 40 ] && break
  PYTHONPATH=/tmp/site:$MX/src timeout -s KILL $left python3 benchmarks/bench_fat_block.py --device cuda \
    --precision bf16 --rays 4800 --samples $samples --sweep-launches --warmup 3 --repeats 10 \
    --json $OUT/fat_maxnreg_$samples.json > $OUT/fat_maxnreg_$samples.log 2>&1
  echo "[$(( $(date +%s) - start )) s] $samples samples: $(grep -E "^\| [0-9]+ \|" $OUT/fat_maxnreg_$samples.log | head -4 | tr "\n" " ")"
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Prepared at the end of the twenty-third run, run as the twenty-fourth run's call 1. The FAT kernel's launch
# shapes again, now that its view loop is shorter (docs/performance.md section 22), with more shapes under 64
# points per warpgroup, which compile to mma.sync instead of wgmma (SASS per output element and view, benchmarks/kernel_registers.py's
# counts: 16 x 1 x 2 warps 328, 32 x 2 x 2 344, 32 x 1 x 2 348, 32 x 1 x 4 347 (the autotuner's), 64 x 2 x 4 364).
# (1) bench_fat_block.py --sweep-launches at a chunk's fine (64 samples) and coarse (48) shapes with those extra
# shapes; (2) HEAD's compiled graphed render alone, 15 renders (no alone figure for b73c16b yet).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfourth/call1/call1.sh (carry .whl).
# If an extra shape wins at both shapes, add it to fused_field_attention.LAUNCH_SHAPES and time the render against
# the commit before (side_by_side.sh ALONE=1).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4 PYTHONPATH=/tmp/site:$PWD/src
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 30; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
EXTRA="16,1,2 16,2,2 32,1,2 32,2,2 16,1,4 32,1,8"
for samples in 64 48; do
  timeout -s KILL 150 python3 benchmarks/bench_fat_block.py --device cuda --precision bf16 --rays 4800 \
    --samples $samples --sweep-launches --extra-launches $EXTRA --warmup 3 --repeats 10 \
    --json $OUT/sweep_$samples.json > $OUT/sweep_$samples.log 2>&1
  echo "[$(( $(date +%s) - start )) s] $samples samples: $(grep -E "^\| [0-9]+ \|" $OUT/sweep_$samples.log | head -4 | tr "\n" " ")"
done
pack
GPNERF_GIT_COMMIT=${COMMIT:-unknown} timeout -s KILL 200 python3 benchmarks/bench_model.py --preset paper-scannet \
  --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 \
  --render-repeats 15 --label head.alone --json $OUT/head.alone.json > $OUT/head.alone.log 2>&1
grep "^| head.alone |" $OUT/head.alone.log || tail -n 3 $OUT/head.alone.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Twenty-fourth run, call 2. Forms (each a src tree): head = COMMIT's (.variants/head/src); shapes = the working tree's
# src (FAT launch shapes 16 x 1 x 2 and 32 x 2 x 2 added, from call 1's sweep); all = shapes with (a) the FAT kernel
# taking STEPS consecutive blocks of points per program (weights loaded once per program) and (b) the block tail
# holding its weights for STEPS blocks of rows per program (the whole hidden layer at once). The forms' diffs against
# the shapes form: (a) call3/fat_steps.diff, whose LAUNCH_SHAPES were those of fat_all_64.log's table here; (b)
# tail_blocks.diff.
# (1) The FAT kernel alone (all's launch shapes, at a chunk's fine and coarse shapes); (2) the block tail alone (the
# shapes form's kernel with extra launch shapes, all's kernel); (3) the compiled graphed render, head, shapes and all,
# side by side, then each alone (ALONE=1).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfourth/call2/call2.sh
# (carry .whl and .variants).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call2.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
tree() { [ "$1" = shapes ] && echo "$PWD/src" || echo "$PWD/.variants/$1/src"; }
for samples in 64 48; do
  PYTHONPATH=/tmp/site:$(tree all) timeout -s KILL 120 python3 benchmarks/bench_fat_block.py --device cuda \
    --precision bf16 --rays 4800 --samples $samples --sweep-launches --warmup 3 --repeats 10 \
    --json $OUT/fat_all_$samples.json > $OUT/fat_all_$samples.log 2>&1
  echo "[$(( $(date +%s) - start )) s] FAT all $samples: $(grep -E "^\| [0-9]+ \|" $OUT/fat_all_$samples.log | head -4 | tr "\n" " ")"
done
PYTHONPATH=/tmp/site:$(tree shapes) timeout -s KILL 90 python3 benchmarks/bench_block_tail.py --device cuda --sweep-launches \
  --extra-launches 16,2 16,4 32,2 16,8 32,8 256,8 --json $OUT/tail_shapes.json > $OUT/tail_shapes.log 2>&1
echo "[$(( $(date +%s) - start )) s] tail shapes: $(grep -E "^\| (pytorch|fused|[0-9]+) \|" $OUT/tail_shapes.log | head -5 | tr "\n" " ")"
PYTHONPATH=/tmp/site:$(tree all) timeout -s KILL 90 python3 benchmarks/bench_block_tail.py --device cuda --sweep-launches \
  --extra-launches 16,8,32 32,8,16 16,4,32 --json $OUT/tail_all.json > $OUT/tail_all.log 2>&1
echo "[$(( $(date +%s) - start )) s] tail all: $(grep -E "^\| (pytorch|fused|[0-9]+) \|" $OUT/tail_all.log | head -5 | tr "\n" " ")"
pack
row() { echo "$1|PYTHONPATH=/tmp/site:$(tree $1) GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2|"; }
OUT=$OUT/render DEADLINE=190 KILL_AT=240 ALONE=1 ALONE_KILL_AT=100 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL $(( 585 - ($(date +%s) - start) )) bash benchmarks/side_by_side.sh "$(row head '')" "$(row shapes +shapes)" "$(row all +all)"
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Run as call 1 of the twenty-sixth run (2026-12-05, nvidia-h200, COMMIT=25b28fd, wall 513 s; results in call1/;
# prepared on the CPU in the twenty-sixth session, 2026-12-04, which had no device time). The render with
# the changes prepared on the CPU (interpreter checks, sm_90 compiles and SASS counts, the whole suite on prepared-all),
# none on main until a GPU run times them and runs their GPU tests (call2.sh):
#   head   = main (COMMIT);
#   old3   = branch prepared-old3: main + the twenty-fifth run's three (maxnreg 10f3720, RAT summaries 748debd, fold
#            statistics 7caf9ba);
#   nomax  = branch prepared-nomax: the RAT summaries and FULL (no masks where the samples fill the map), the fold
#            statistics kernel, the FAT kernel's mask in padding units, its coarse pass's logits unrounded and its
#            stored logits rounded a pair at a time, the sampling kernels' select on each corner's weight and their
#            bf16 values widened a pair at a time (the contraction's logits too), the block tail's, the embedding's and
#            the FAT kernel's ReLU and rounding in one instruction a pair, the embedding's tokens rounded a pair at a
#            time;
#   ratin  = branch prepared-rat-input: nomax + the RAT kernel taking the block's input (one program a ray: the norm,
#            each head's Q, K and V and its map; no attn_norm kernel and no QKV product in memory);
#   all    = branch prepared-all: ratin + the 168-register FAT shapes;
#   fatq   = branch prepared-fat-query (twenty-seventh session): all + the FAT kernel taking the block's input X_0
#            (its norm and the query's hidden term formed in the kernel: no norm kernel, N = 8 product and subtraction
#            a layer outside it; sm_90 16 x 1 x 2: 1,120 -> 1,304 instructions a program, the view loop unchanged);
#   qfc    = branch prepared-query-update (twenty-seventh session): fatq + the block tail kernel applying the q_fc
#            that follows the FAT blocks of layers 0, 2, 4 and 6 (no q_fc products and bias-and-ReLU pass of their
#            own: 8.2 ms a frame in the twenty-fifth run's trace by call counts; sm_90 64 x 4: 1,096 -> 1,544
#            instructions a program where it applies);
#   rattail = branch prepared-rat-tail (twenty-seventh session): qfc + the RAT kernel applying its block's tail (out_fc
#            summed over the heads' A V, then the tail kernel's residual, norm and feed-forward on the ray's rows: no
#            A V written and read back, no tail launch for the RAT blocks; sm_90 4 warps: 3,064 instructions a ray at
#            178 registers, or 3,096 at 168, against 1,984 + 1,096 for the two kernels at 128 and 154).
# old3 (branch prepared-old3, main + the twenty-fifth run's three), ratin and all are built too but left out of the rows
# (five rows compile side by side within the deadline): nomax -> fatq then takes the RAT kernel taking the block's
# input, the 168-register FAT shapes (timed alone in the twenty-fifth run: 0.486 against 0.515 ms) and the FAT kernel
# taking X_0 at once; if fatq is not faster than nomax, ratin and all are the trees that split it. Every branch is
# rebased on main 1e352f3 (camera geometry in float32 under autocast, which also removes the two magma_sgemmEx kernels
# of the projection: head has it too).
# sm_90 SASS (benchmarks/kernel_registers.py, CPU): the FAT view loop 397 -> 354 instructions (16 x 1 x 2; at 168
# registers 372 and no spill, against 416 and 32 bytes spilled before), the coarse pass's 342 -> 286; the contraction's
# loop 980 -> 675 (8 x 64 x 4); the RAT kernel 1232 -> 848 a program a ray and head (fine pass's layers, 2 warps) in
# nomax, 1,840 a program a ray at 4 warps in ratin (1,840 warp-instructions a head against 1,696); the block tail 1480
# -> 1096 a program (64 x 4); the embedding's view loop 278 -> 215 (32 x 4).
# (1) The compiled graphed render of head, nomax, fatq, qfc and rattail, side by side, then each alone (ALONE=1). (2)
# With the time left, the FAT kernel alone at a chunk's fine shapes, head against fatq and all (bench_fat_block.py
# --sweep-launches).
# Setup, from the repository root: bash docs/results/2026-12-05-h200-twentysixth/setup.sh (the trees are what `run`
# carries). Usage: COMMIT=<sha> bash docs/results/2026-12-05-h200-twentysixth/call1.sh (carry .whl and .variants). Then
# call2.sh (all's GPU tests, a trace) and call3.sh (kernels alone, the render's matrix products by shape). What is
# faster alone than head and passes its GPU tests lands by cherry-picks of its commits (`git log main..prepared-all`).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
tree() { [ "$1" = head ] && echo "$PWD/src" || echo "$PWD/.variants/$1/src"; }
scripts() { [ "$1" = head ] && echo "$PWD/benchmarks" || echo "$PWD/.variants/$1/benchmarks"; }  # its own benchmarks
row() { echo "$1|PYTHONPATH=/tmp/site:$(tree $1) GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2|"; }
OUT=$OUT/render DEADLINE=230 KILL_AT=280 ALONE=1 ALONE_KILL_AT=80 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 540 bash benchmarks/side_by_side.sh "$(row head '')" "$(row nomax +prepared-nomax)" \
  "$(row fatq +prepared-fat-query)" "$(row qfc +prepared-query-update)" "$(row rattail +prepared-rat-tail)"
pack
for v in head fatq all; do
  left=$(( 570 - ($(date +%s) - start) ))
  [ $left -gt 40 ] || break
  PYTHONPATH=/tmp/site:$(tree $v) timeout -s KILL $(( left / 2 + 10 )) python3 $(scripts $v)/bench_fat_block.py \
    --device cuda --precision bf16 --rays 4800 --samples 64 --sweep-launches --warmup 3 --repeats 10 \
    --json $OUT/fat_$v.json > $OUT/fat_$v.log 2>&1
  echo "[$(( $(date +%s) - start )) s] FAT $v: $(grep -E "^\| [0-9]+ \|" $OUT/fat_$v.log | head -4 | tr "\n" " ")"
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

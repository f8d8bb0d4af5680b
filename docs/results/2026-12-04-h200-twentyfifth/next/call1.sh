#!/usr/bin/env bash
# NOT RUN (prepared at the end of the twenty-fifth run, its device time spent). Three changes made and checked on the
# CPU (interpreter, sm_90 compiles, the suite), not on main until a GPU run times them:
#   maxnreg = branch prepared-maxnreg (10f3720; maxnreg.diff): the FAT kernel's autotuner also tries 16 x 1 x 2 and
#            32 x 1 x 4 at ptxas' 168-register limit (alone in the twenty-fifth run's call 1: 0.486 against 0.515 ms
#            at 16 x 1 x 2; sm_90: 168 registers, 32 bytes spilled, loop 416 instructions against 397);
#   ratsum = branch prepared-rat-summaries (748debd; rat_summaries.diff): the RAT kernel computes its column means
#            and first row only where a caller reads them (sm_90 at 2 warps: 1232 instructions a program with both,
#            1080 with the column means alone, the fine pass's layers but its last, 760 with neither, the coarse
#            pass's layers but its last);
#   foldstat = branch prepared-fold-statistics (7caf9ba; fold_statistics.diff): the fold's per-layer scales and
#            position sum from one Triton kernel (one program a ray) instead of inductor's per-point kernel (13.3 ms a
#            frame at about 2.3 TB/s in the twenty-fifth run's call 2 trace); sm_90: 99 registers at 8 warps;
#   all    = main + the three.
# (1) The compiled graphed render, head (COMMIT) and the four forms, side by side, then each alone (ALONE=1). (2)
# With the time left, the FAT kernel alone at a chunk's fine shapes on maxnreg (bench_fat_block.py --sweep-launches,
# its shapes at their own limits).
# Setup, from the repository root (the trees are what `run` carries):
#   mkdir -p .variants/maxnreg .variants/ratsum .variants/foldstat .variants/all
#   git archive prepared-maxnreg src tests pyproject.toml | tar -x -C .variants/maxnreg
#   git archive prepared-rat-summaries src tests pyproject.toml | tar -x -C .variants/ratsum
#   git archive prepared-fold-statistics src tests pyproject.toml | tar -x -C .variants/foldstat
#   git worktree add /tmp/all HEAD --detach && (cd /tmp/all && git cherry-pick -n 10f3720 748debd 7caf9ba &&
#     git archive $(git stash create) src tests pyproject.toml | tar -x -C $OLDPWD/.variants/all)
#   git worktree remove --force /tmp/all
# Usage: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfifth/next/call1.sh (carry .whl and .variants). Then
# call2.sh (all's GPU tests, a trace). A form faster alone than head and passing its tests lands by a cherry-pick of
# its commit.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
tree() { [ "$1" = head ] && echo "$PWD/src" || echo "$PWD/.variants/$1/src"; }
row() { echo "$1|PYTHONPATH=/tmp/site:$(tree $1) GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2|"; }
OUT=$OUT/render DEADLINE=220 KILL_AT=270 ALONE=1 ALONE_KILL_AT=80 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 540 bash benchmarks/side_by_side.sh "$(row head '')" "$(row maxnreg +10f3720)" \
  "$(row ratsum +748debd)" "$(row foldstat +7caf9ba)" "$(row all +10f3720+748debd+7caf9ba)"
pack
left=$(( 570 - ($(date +%s) - start) ))
if [ $left -gt 40 ]; then
  PYTHONPATH=/tmp/site:$(tree maxnreg) timeout -s KILL $left python3 benchmarks/bench_fat_block.py --device cuda \
    --precision bf16 --rays 4800 --samples 64 --sweep-launches --warmup 3 --repeats 10 \
    --json $OUT/fat_maxnreg.json > $OUT/fat_maxnreg.log 2>&1
  echo "[$(( $(date +%s) - start )) s] FAT maxnreg: $(grep -E "^\| [0-9]+ \|" $OUT/fat_maxnreg.log | head -4 | tr "\n" " ")"
fi
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

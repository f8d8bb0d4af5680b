#!/usr/bin/env bash
# NOT RUN (prepared at the end of the twenty-fourth run, its device time spent). Two changes made and checked on the
# CPU, each committed and reverted on main until a GPU run times it and runs its GPU tests (call2.sh):
#   merged = c51fec5: the fine pass's RGB tokens read by the embedding kernel in the merged order (MergedSamples; no
#            cat + gather of the tokens, about 7 ms a frame in call 4's trace); merged_tokens.diff;
#   biases = 84b5dcd: the FAT kernel's output biases carried by padding units of its hidden layers, V + P and the
#            hidden layer's terms accumulated in their products (sm_90 view loop 450 -> 429 instructions at
#            16 x 1 x 2, registers 242 -> 225, the coarse pass's 188 -> 128); fat_biases.diff;
#   both   = the two together.
# (1) The compiled graphed render, head (COMMIT) and the three forms, side by side, then each alone (ALONE=1). (2) The
# FAT kernel of biases alone at a chunk's fine and coarse shapes, at ptxas register limits (--max-registers 0 168).
# Setup, from the repository root (the trees are what `run` carries):
#   mkdir -p .variants/merged .variants/biases .variants/both
#   git archive c51fec5 src tests pyproject.toml | tar -x -C .variants/merged
#   git archive 84b5dcd src tests pyproject.toml | tar -x -C .variants/biases
#   git worktree add /tmp/both HEAD --detach && (cd /tmp/both && git cherry-pick -n c51fec5 84b5dcd &&
#     git archive $(git stash create) src tests pyproject.toml | tar -x -C $OLDPWD/.variants/both); git worktree remove --force /tmp/both
# Usage: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfourth/next/call1.sh (carry .whl and .variants).
# A form faster alone than head (and passing call2.sh's tests) lands with `git revert` of its revert commit
# (f6fd85d for merged, d4c1766 for biases).
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
OUT=$OUT/render DEADLINE=200 KILL_AT=250 ALONE=1 ALONE_KILL_AT=90 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 480 bash benchmarks/side_by_side.sh "$(row head '')" "$(row merged +c51fec5)" "$(row biases +84b5dcd)" \
  "$(row both +c51fec5+84b5dcd)"
pack
for samples in 64 48; do
  left=$(( 580 - ($(date +%s) - start) )); [ $left -lt 30 ] && break
  PYTHONPATH=/tmp/site:$(tree biases) timeout -s KILL $left python3 benchmarks/bench_fat_block.py --device cuda \
    --precision bf16 --rays 4800 --samples $samples --sweep-launches --max-registers 0 168 --warmup 3 --repeats 10 \
    --json $OUT/fat_biases_$samples.json > $OUT/fat_biases_$samples.log 2>&1
  echo "[$(( $(date +%s) - start )) s] $samples: $(grep -E "^\| [0-9]+ \|" $OUT/fat_biases_$samples.log | head -4 | tr "\n" " ")"
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

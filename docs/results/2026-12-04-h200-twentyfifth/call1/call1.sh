#!/usr/bin/env bash
# Twenty-fifth run, call 1: prepared at the end of the twenty-fourth run and run as is (COMMIT=28f32d2; the trees
# built by the setup below). Three changes made and checked on the CPU (interpreter, sm_90 compiles, the suite), none
# yet run on a GPU, so none on main:
#   c51fec5 (reverted in f6fd85d): the fine pass's RGB tokens read by the embedding kernel in the merged order
#            (MergedSamples; no cat + gather of the tokens, about 7 ms a frame in call 4's trace); merged_tokens.diff;
#   84b5dcd (reverted in d4c1766): the FAT kernel's output biases carried by padding units of its hidden layers, V + P
#            and the hidden layer's terms accumulated in their products; fat_biases.diff;
#   9df4a56 (branch prepared-base2, on 84b5dcd): softmaxes in base 2, tl.exp2 (one ex2.approx.ftz) in the FAT, RAT
#            and contraction kernels; base2_softmax.diff. sm_90 loops: FAT 450 -> 397 instructions a view
#            (16 x 1 x 2; with 84b5dcd), contraction 1012 -> 964 and 162 -> 128 registers, RAT 1440 -> 1376;
#   79d5134 (branch prepared-base2, on 9df4a56): the RAT kernel normalising by reciprocals and products instead of
#            divisions (80 -> 5 div.full.f32; 1376 -> 1232 instructions at 2 warps); rat_reciprocal.diff.
# Forms: merged = c51fec5; fat = prepared-base2 (84b5dcd + 9df4a56 + 79d5134); all = HEAD + the four.
# (1) The compiled graphed render, head (COMMIT) and the three forms, side by side, then each alone (ALONE=1). (2) The
# FAT kernel alone at a chunk's fine shapes for head and fat, fat also at ptxas' 168-register limit.
# Setup, from the repository root (the trees are what `run` carries):
#   mkdir -p .variants/merged .variants/fat .variants/all
#   git archive c51fec5 src tests pyproject.toml | tar -x -C .variants/merged
#   git archive prepared-base2 src tests pyproject.toml | tar -x -C .variants/fat
#   git worktree add /tmp/all HEAD --detach && (cd /tmp/all && git cherry-pick -n c51fec5 84b5dcd 9df4a56 79d5134 &&
#     git archive $(git stash create) src tests pyproject.toml | tar -x -C $OLDPWD/.variants/all)
#   git worktree remove --force /tmp/all
# Usage: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfourth/next/call1.sh (carry .whl and .variants).
# Then call2.sh (the forms' GPU tests). A form faster alone than head and passing its tests lands: c51fec5 by
# `git revert f6fd85d`; fat by `git revert d4c1766` and `git cherry-pick 9df4a56 79d5134`.
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
  timeout -s KILL 480 bash benchmarks/side_by_side.sh "$(row head '')" "$(row merged +c51fec5)" \
  "$(row fat +84b5dcd+9df4a56+79d5134)" "$(row all +c51fec5+84b5dcd+9df4a56+79d5134)"
pack
for form in fat head; do
  left=$(( 580 - ($(date +%s) - start) )); [ $left -lt 30 ] && break
  registers="0"; [ $form = fat ] && registers="0 168"
  PYTHONPATH=/tmp/site:$(tree $form) timeout -s KILL $left python3 benchmarks/bench_fat_block.py --device cuda \
    --precision bf16 --rays 4800 --samples 64 --sweep-launches --max-registers $registers --warmup 3 --repeats 10 \
    --json $OUT/fat_$form.json > $OUT/fat_$form.log 2>&1
  echo "[$(( $(date +%s) - start )) s] $form: $(grep -E "^\| [0-9]+ \|" $OUT/fat_$form.log | head -4 | tr "\n" " ")"
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

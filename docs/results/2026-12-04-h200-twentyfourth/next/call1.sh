#!/usr/bin/env bash
# NOT RUN (prepared at the end of the twenty-fourth run, its device time spent). (1) The compiled graphed render with
# the fine pass's RGB tokens read by the embedding kernel in the merged order (MergedSamples; commit MERGED =
# c51fec5, reverted on main in f6fd85d until timed: no cat + gather of the tokens, about 7 ms a frame in call 4's
# trace) against COMMIT, side by side, then each alone (ALONE=1). (2) The FAT kernel alone at ptxas register limits
# (bench_fat_block.py --max-registers; 16 x 1 x 2 takes 242 registers, 8 warps an SM). (3) With the time left,
# nothing timed beside them: MERGED's GPU tests (the embedding kernel's, merged rows included; the whole render with
# kernels on against off, eager and compiled), then the block tail's GPU tests alone (not completed in the
# twenty-fourth run: their float32 case compiles exact float32 products in five launch shapes, about 100 s alone).
# Usage, from the repository root, after `mkdir -p .variants/merged && git archive $MERGED src tests pyproject.toml |
# tar -x -C .variants/merged`: COMMIT=<sha> MERGED=<sha> bash docs/results/2026-12-04-h200-twentyfourth/next/call1.sh
# (carry .whl and .variants; merged_tokens.diff beside this file is c51fec5's change). If merged is faster alone and
# its tests pass, `git revert f6fd85d`.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
MERGED_TREE=$PWD/.variants/merged
row() { echo "$1|PYTHONPATH=/tmp/site:$2 GPNERF_GIT_COMMIT=$3|"; }
OUT=$OUT/render DEADLINE=170 KILL_AT=220 ALONE=1 ALONE_KILL_AT=100 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 330 bash benchmarks/side_by_side.sh "$(row head $PWD/src ${COMMIT:-unknown})" \
  "$(row merged $MERGED_TREE/src ${MERGED:-unknown})"
pack
for samples in 64 48; do
  PYTHONPATH=/tmp/site:$PWD/src timeout -s KILL 100 python3 benchmarks/bench_fat_block.py --device cuda \
    --precision bf16 --rays 4800 --samples $samples --sweep-launches --max-registers 0 192 168 --warmup 3 \
    --repeats 10 --json $OUT/fat_registers_$samples.json > $OUT/fat_registers_$samples.log 2>&1
  echo "[$(( $(date +%s) - start )) s] $samples: $(grep -E "^\| [0-9]+ \|" $OUT/fat_registers_$samples.log | head -4 | tr "\n" " ")"
done
pack
left=$(( 575 - ($(date +%s) - start) ))
echo "[$(( $(date +%s) - start )) s] merged GPU tests, $left s"
(cd $MERGED_TREE && PYTHONPATH=/tmp/site:$MERGED_TREE/src:$MERGED_TREE/tests/model timeout -s KILL $left python3 -m pytest \
  -q -p no:cacheprovider -rA --tb=short -m gpu tests/model/test_fused_embedding.py \
  tests/model/test_fused_field_attention.py -k "embedding or render" > $OUT/pytest_merged.log 2>&1)
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_merged.log
left=$(( 575 - ($(date +%s) - start) ))
if [ $left -gt 60 ]; then
  PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $left python3 -m pytest -q -p no:cacheprovider -rA \
    --tb=short --durations=0 -m gpu tests/model/test_fused_feed_forward.py > $OUT/pytest_tail.log 2>&1
  grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_tail.log
fi
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Twenty-fifth run, call 2. Call 1: merged (c51fec5) faster than head alone and side by side; fat (84b5dcd + 9df4a56
# + 79d5134) slower in the render although its FAT kernel alone is faster. (1) The GPU tests of merged as it would land
# (.variants/merged = HEAD + c51fec5), nothing timed beside them: the FAT kernel's two whole-render tests (kernels on
# against off, eager and compiled) in one process, the embedding kernel's (merged rows included) in another.
# (2) A trace of one compiled graphed render of fat (.variants/fat), to set against the twenty-fourth run's call 4
# trace of c5385f3: which kernel made the render slower. (3) With the time left, the block tail's GPU tests alone.
# Setup: .variants/merged from `git worktree add /tmp/mg HEAD --detach && cd /tmp/mg && git cherry-pick -n c51fec5 &&
#   git archive $(git stash create) src tests pyproject.toml | tar -x -C <repo>/.variants/merged`; .variants/fat as in
#   call1.sh. Usage: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfifth/call2/call2.sh (carry .whl, .variants).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call2.tar.gz -C $OUT --exclude='*.pickle' --exclude='*_trace.json.gz' . ; }
( while sleep 15; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
M=$PWD/.variants/merged
(cd $M && PYTHONPATH=/tmp/site:$M/src:$M/tests/model timeout -s KILL 250 python3 -m pytest -q -p no:cacheprovider -rA \
  --tb=short --durations=0 -m gpu tests/model/test_fused_field_attention.py -k render \
  > $OUT/pytest_merged_render.log 2>&1) & R=$!
(cd $M && PYTHONPATH=/tmp/site:$M/src:$M/tests/model timeout -s KILL 250 python3 -m pytest -q -p no:cacheprovider -rA \
  --tb=short --durations=0 -m gpu tests/model/test_fused_embedding.py > $OUT/pytest_merged_embedding.log 2>&1) & E=$!
wait $R $E
echo "[$(( $(date +%s) - start )) s] merged's tests done"
grep -hE "^(PASSED|FAILED|ERROR)|passed|failed" $OUT/pytest_merged_*.log
pack
F=$PWD/.variants/fat
GPNERF_GIT_COMMIT=${COMMIT:-unknown}+84b5dcd+9df4a56+79d5134 PYTHONPATH=/tmp/site:$F/src timeout -s KILL 230 python3 \
  benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 \
  --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 --out $OUT/profile_fat > $OUT/profile_fat.log 2>&1
tail -n 2 $OUT/profile_fat.log
for t in $OUT/profile_fat/*_trace.json.gz; do
  python3 benchmarks/trace_summary.py "$t" --top 30 > "${t%.json.gz}_summary.txt" 2>&1; head -n 20 "${t%.json.gz}_summary.txt"
done
pack
left=$(( 560 - ($(date +%s) - start) ))
if [ $left -gt 60 ]; then
  PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $left python3 -m pytest -q -p no:cacheprovider -rA \
    --tb=short --durations=0 -m gpu tests/model/test_fused_feed_forward.py > $OUT/pytest_tail.log 2>&1
  grep -hE "^(PASSED|FAILED|ERROR)|passed|failed" $OUT/pytest_tail.log
fi
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

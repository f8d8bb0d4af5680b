#!/usr/bin/env bash
# Twenty-fourth run, call 4. (1) The GPU tests of the FAT kernel other than the render's (call 3's run of them printed
# nothing in 298 s beside the render tests and was killed) and of the block tail, alone, one process, with a stack
# dump after 150 s in one test and each test's duration; (2) with the time left, a trace of one compiled graphed
# render at COMMIT (profile_model.py --trace, trace_summary.py).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfourth/call4/call4.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o4; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call4.tar.gz -C $OUT --exclude='*.pickle' --exclude='*_trace.json.gz' . ; }
( while sleep 15; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 300 python3 -m pytest -v -p no:cacheprovider -rA \
  --tb=short --durations=0 -o faulthandler_timeout=150 tests/model/test_fused_field_attention.py \
  tests/model/test_fused_feed_forward.py -k "not render" -m gpu > $OUT/pytest_kernels.log 2>&1
echo "[$(( $(date +%s) - start )) s] tests done"
grep -hE "^(PASSED|FAILED|ERROR)|passed|failed" $OUT/pytest_kernels.log | tail -12
pack
left=$(( 470 - ($(date +%s) - start) ))
if [ $left -gt 120 ]; then
  GPNERF_GIT_COMMIT=${COMMIT:-unknown} PYTHONPATH=/tmp/site:$PWD/src timeout -s KILL $left python3 \
    benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 \
    --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 --out $OUT/profile > $OUT/profile.log 2>&1
  tail -n 3 $OUT/profile.log
  for t in $OUT/profile/*_trace.json.gz; do
    python3 benchmarks/trace_summary.py "$t" --top 30 > "${t%.json.gz}_summary.txt" 2>&1; head -n 25 "${t%.json.gz}_summary.txt"
  done
fi
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

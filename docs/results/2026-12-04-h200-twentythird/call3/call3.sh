#!/usr/bin/env bash
# Twenty-third run, call 3: (1) the FAT kernel's GPU tests at COMMIT (call 2 ran out of time before them): the kernel
# against the PyTorch block (float32, bf16), the channel split, the features alone, and the whole render with the
# fused kernels on against off (compiled and eager), the render tests beside the others (nothing timed beside them);
# (2) then alone, with the time left, a trace of one compiled graphed render (profile_model.py --trace,
# trace_summary.py): where the render's time is now.
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentythird/call3/call3.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o3; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8 PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model
pack() { tar czf $FINAL/call3.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 30; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
timeout -s KILL 330 python3 -m pytest -q -p no:cacheprovider -rA --tb=short -p no:logging --durations=0 \
  tests/model/test_fused_field_attention.py -k render -m gpu > $OUT/pytest_render.log 2>&1 & RENDER_TESTS=$!
timeout -s KILL 250 python3 -m pytest -q -p no:cacheprovider -rA --tb=short --durations=0 \
  tests/model/test_fused_field_attention.py -k "not render" -m gpu > $OUT/pytest_fat.log 2>&1 & FAT_TESTS=$!
wait $RENDER_TESTS $FAT_TESTS
echo "[$(( $(date +%s) - start )) s] tests done"
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
pack
left=$(( 545 - ($(date +%s) - start) ))
if [ $left -gt 120 ]; then
  GPNERF_GIT_COMMIT=${COMMIT:-unknown} timeout -s KILL $left python3 benchmarks/profile_model.py \
    --device cuda --preset paper-scannet --implementation fast --precision bf16 --chunk 4800 --what render --compile \
    --cuda-graph --trace --row-limit 60 --out $OUT/profile > $OUT/profile.log 2>&1
  tail -n 3 $OUT/profile.log
  for t in $OUT/profile/*_trace.json.gz; do python3 benchmarks/trace_summary.py "$t" --top 30 > "${t%.json.gz}_summary.txt" 2>&1; head -n 25 "${t%.json.gz}_summary.txt"; done
fi
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Twenty-second run, call 4: (1) the on-chip contraction's GPU tests (float32 and bf16 against the PyTorch fold) and
# the whole-render comparisons (compiled and eager, bf16, fused kernels on against off), side by side (nothing timed
# beside them); (2) then alone, with the time left, a trace of one compiled graphed render (profile_model.py --trace,
# trace_summary.py): where the render's time is now.
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentysecond/call4/call4.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o4; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8 PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model
pack() { tar czf $FINAL/call4.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 30; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
timeout -s KILL 280 python3 -m pytest -q -p no:cacheprovider -rA --tb=short -p no:logging \
  tests/model/test_fused_field_attention.py -k render -m gpu > $OUT/pytest_render.log 2>&1 & RENDER_TESTS=$!
timeout -s KILL 200 python3 -m pytest -q -p no:cacheprovider -rA --tb=short \
  tests/model/test_fused_attention_contraction.py -k gpu > $OUT/pytest_contraction.log 2>&1 & CONTRACTION_TESTS=$!
wait $RENDER_TESTS $CONTRACTION_TESTS
echo "[$(( $(date +%s) - start )) s] tests done"
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
pack
GPNERF_GIT_COMMIT=${COMMIT:-unknown} timeout -s KILL $(( 470 - ($(date +%s) - start) )) python3 benchmarks/profile_model.py \
  --device cuda --preset paper-scannet --implementation fast --precision bf16 --chunk 4800 --what render --compile \
  --cuda-graph --trace --row-limit 60 --out $OUT/profile > $OUT/profile.log 2>&1
tail -n 3 $OUT/profile.log
for t in $OUT/profile/*_trace.json.gz; do python3 benchmarks/trace_summary.py "$t" --top 30 > "${t%.json.gz}_summary.txt" 2>&1; head -n 45 "${t%.json.gz}_summary.txt"; done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

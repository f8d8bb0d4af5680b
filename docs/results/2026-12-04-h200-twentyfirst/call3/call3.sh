#!/usr/bin/env bash
# Twenty-first run, call 3: (1) the whole-render comparisons (compiled and eager, bf16, fused kernels on against off;
# test_fused_field_attention.py) beside the sampling kernels' GPU tests, whose float32 cases now allow CUDA's
# grid_sample coordinates a few ulps away (call 2: both the old and the new code were 2e-5 off on a sample at 1e-6);
# (2) then alone, a trace of one compiled graphed render at HEAD (profile_model.py --trace, trace_summary.py): where the
# time is with W formed on chip.
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfirst/call3/call3.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o3; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call3.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 30; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
export PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model
timeout -s KILL 240 python3 -m pytest -q -p no:cacheprovider -rA --tb=short tests/model/test_fused_field_attention.py \
  -k render -m gpu > $OUT/pytest_render.log 2>&1 & RENDER_TESTS=$!
timeout -s KILL 240 python3 -m pytest -q -p no:cacheprovider -rA --tb=short tests/model/test_fused_feature_sampling.py \
  -k "test_fused_sampling_on_the_gpu or test_concatenated_sampling_on_the_gpu" > $OUT/pytest_sampling.log 2>&1 & SAMPLING_TESTS=$!
wait $RENDER_TESTS $SAMPLING_TESTS
echo "[$(( $(date +%s) - start )) s] tests: $(tail -n 1 $OUT/pytest_render.log) / $(tail -n 1 $OUT/pytest_sampling.log)"
pack
GPNERF_GIT_COMMIT=${COMMIT:-unknown} timeout -s KILL $(( 570 - ($(date +%s) - start) )) python3 benchmarks/profile_model.py \
  --device cuda --preset paper-scannet --implementation fast --precision bf16 --chunk 4800 --what render --compile \
  --cuda-graph --trace --row-limit 60 --out $OUT/profile > $OUT/profile.log 2>&1
tail -n 3 $OUT/profile.log
for t in $OUT/profile/*_trace.json.gz; do python3 benchmarks/trace_summary.py "$t" --top 30 > "${t%.json.gz}_summary.txt" 2>&1; head -n 45 "${t%.json.gz}_summary.txt"; done
kill $PACKER; wait
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
echo "[$(( $(date +%s) - start )) s] done"; pack

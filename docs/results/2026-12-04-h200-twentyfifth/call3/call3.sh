#!/usr/bin/env bash
# Twenty-fifth run, call 3. Head is main with c51fec5 landed (the merged-order tokens: faster in call 1, its GPU tests
# passed in call 2). Call 2's trace of fat showed the FAT kernel 2.6 ms and the RAT kernel 0.7 ms faster a frame but
# the contraction 9.9 ms slower with tl.exp2 (128 registers); fatc (branch fatc: head + 84b5dcd + 9df4a56 + 79d5134 +
# the contraction's exp2 as inline PTX, 163 registers) keeps the first two. (1) The compiled graphed render, head and
# fatc side by side, then each alone. (2) fatc's GPU tests, nothing timed beside them: the FAT kernel's two render
# tests in one process; the FAT kernel's five others, the RAT kernel's, the contraction's and the exponential's in
# another. (3) With the time left, a trace of fatc's render.
# Setup: mkdir -p .variants/fatc && git archive fatc src tests pyproject.toml | tar -x -C .variants/fatc
# Usage: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfifth/call3/call3.sh (carry .whl and .variants).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o3; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call3.tar.gz -C $OUT --exclude='*.pickle' --exclude='*_trace.json.gz' . ; }
( while sleep 15; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
FC=$PWD/.variants/fatc
OUT=$OUT/render DEADLINE=150 KILL_AT=180 ALONE=1 ALONE_KILL_AT=80 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 330 bash benchmarks/side_by_side.sh \
  "head|PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}|" \
  "fatc|PYTHONPATH=/tmp/site:$FC/src GPNERF_GIT_COMMIT=$(cat $FC/../fatc.sha 2>/dev/null || echo fatc)|"
pack
(cd $FC && PYTHONPATH=/tmp/site:$FC/src:$FC/tests/model timeout -s KILL 230 python3 -m pytest -q -p no:cacheprovider -rA \
  --tb=short --durations=0 -m gpu tests/model/test_fused_field_attention.py -k render > $OUT/pytest_fatc_render.log 2>&1) & R=$!
(cd $FC && PYTHONPATH=/tmp/site:$FC/src:$FC/tests/model timeout -s KILL 230 python3 -m pytest -q -p no:cacheprovider -rA \
  --tb=short --durations=0 -m gpu tests/model/test_fused_field_attention.py tests/model/test_fused_ray_attention.py \
  tests/model/test_fused_attention_contraction.py tests/model/test_triton_support.py -k "not render" \
  > $OUT/pytest_fatc_kernels.log 2>&1) & K=$!
wait $R $K
echo "[$(( $(date +%s) - start )) s] fatc's tests done"
grep -hE "^(PASSED|FAILED|ERROR)|passed|failed" $OUT/pytest_fatc_*.log
pack
left=$(( 550 - ($(date +%s) - start) ))
if [ $left -gt 100 ]; then
  PYTHONPATH=/tmp/site:$FC/src timeout -s KILL $left python3 benchmarks/profile_model.py --device cuda \
    --preset paper-scannet --implementation fast --precision bf16 --chunk 4800 --what render --compile --cuda-graph \
    --trace --row-limit 60 --out $OUT/profile_fatc > $OUT/profile_fatc.log 2>&1
  for t in $OUT/profile_fatc/*_trace.json.gz; do
    python3 benchmarks/trace_summary.py "$t" --top 30 > "${t%.json.gz}_summary.txt" 2>&1; head -n 16 "${t%.json.gz}_summary.txt"
  done
fi
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

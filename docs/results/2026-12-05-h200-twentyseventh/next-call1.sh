#!/usr/bin/env bash
# NOT RUN yet (prepared 2026-12-05 after the twenty-seventh run, which had no device time left). On main as it is
# (2e98160 or later: the RAT kernel without its 4-warp launch): (1) the RAT kernel's GPU tests (every launch in WARPS
# at a chunk's shapes against the PyTorch ops, the autotuned kernel on the old shapes) and the render at the presets'
# widths with kernels on against off, each file in a process of its own; (2) then, with the GPU to itself, the
# compiled graphed render alone (side_by_side.sh with one row), to replace the estimate of 0.253-0.255 s.
# Usage: COMMIT=<sha> bash docs/results/2026-12-05-h200-twentyseventh/next-call1.sh (carry .whl). Results: next1.tar.gz.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/m1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
gputest() {  # NAME ARGS...: GPU tests in a process of their own
  local name=$1; shift
  PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 240 python3 -m pytest -q -p no:cacheprovider -rA \
    --tb=short --durations=0 -m gpu "$@" > $OUT/pytest_$name.log 2>&1
}
gputest launches tests/model/test_fused_ray_attention.py -k "every_launch or presets" & A=$!
gputest rat tests/model/test_fused_ray_attention.py -k "fused_kernel_on_the_gpu" & B=$!
wait $A $B
echo "[$(( $(date +%s) - start )) s] tests done"; grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
pack
left=$(( 570 - ($(date +%s) - start) ))
if [ $left -gt 150 ]; then
  OUT=$OUT/render DEADLINE=$(( left - 60 )) KILL_AT=$(( left - 5 )) \
  ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
    timeout -s KILL $(( left - 2 )) bash benchmarks/side_by_side.sh \
    "head|PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}|"
fi
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

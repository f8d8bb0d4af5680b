#!/usr/bin/env bash
# Nineteenth run, call 3: does bench_model.py --compile-gemm-autotune on (compile_transformer_blocks(gemm_autotune=True),
# the flag form of call 2's environment variables) compile and run the graphed training step on a GPU? The tiny-cpu
# preset (few, small products: a short autotune), against the default settings, side by side with --timing-barrier.
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-nineteenth/call3/call3.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o3; mkdir -p $OUT; rm -rf /tmp/barrier3
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
ROW="--preset tiny-cpu --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
for name in default gemm_autotune; do
  extra=""; [ $name = gemm_autotune ] && extra="--compile-gemm-autotune on"
  PYTHONPATH=/tmp/site2:$PWD/src:$PWD/benchmarks GPNERF_GIT_COMMIT=${COMMIT:-unknown} timeout -s KILL 150 \
    python3 benchmarks/bench_model.py $ROW $extra --timing-barrier /tmp/barrier3 --timing-parties 2 \
    --timing-barrier-timeout 140 --json $OUT/train_$name.json > $OUT/train_$name.log 2>&1 &
done
wait
for f in $OUT/train_*.log; do grep "^| tiny" $f || { echo "$f:"; tail -n 4 $f | cut -c1-300; }; done
grep -c "AUTOTUNE benchmarking" $OUT/train_gemm_autotune.log
echo "[$(( $(date +%s) - start )) s] done"; tar czf $FINAL/call3.tar.gz -C $OUT .

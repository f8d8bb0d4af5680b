#!/usr/bin/env bash
# Twenty-first run, call 1: the semantic fold's W formed on chip by the contraction from the FAT kernel's logits
# (gpnerf.model.fused_attention_contraction) against the code before it (876737c), the compiled graphed render, twice
# each, compiled side by side and then each alone (benchmarks/side_by_side.sh ALONE=1); every row records inductor's
# first-launch autotuning choices (bench_model.py's AutotuningLog), to find which kernel's choice makes some processes
# settle on a slow render (twentieth run: 0.5157 against 0.4249 s for the same code alone). The new kernel's GPU tests,
# the sampling kernels' (their bilinear helper is now shape-generic) and the whole-render comparisons run beside the
# first pass.
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentyfirst/call1/call1.sh, with
# .old/src = `git archive 876737c src` (carry .whl and .old).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 30; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
( PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 330 python3 -m pytest -q -p no:cacheprovider -rA \
  tests/model/test_fused_attention_contraction.py -k gpu > $OUT/pytest_contraction.log 2>&1
  PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 300 python3 -m pytest -q -p no:cacheprovider -rA \
  tests/model/test_fused_feature_sampling.py tests/model/test_fused_field_attention.py -k "gpu or training_step" \
  > $OUT/pytest_gpu.log 2>&1
  echo "[$(( $(date +%s) - start )) s] pytest: $(tail -n 1 $OUT/pytest_contraction.log) / $(tail -n 1 $OUT/pytest_gpu.log)" ) &
NEW="PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}"
OLD="PYTHONPATH=/tmp/site:$PWD/.old/src GPNERF_GIT_COMMIT=876737c"
OUT=$OUT/render DEADLINE=240 KILL_AT=300 ALONE=1 ALONE_KILL_AT=100 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 7" \
  timeout -s KILL 560 bash benchmarks/side_by_side.sh "head_a|$NEW|" "old_a|$OLD|" "head_b|$NEW|" "old_b|$OLD|"
kill $PACKER; wait
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
echo "[$(( $(date +%s) - start )) s] done"; pack

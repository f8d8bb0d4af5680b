#!/usr/bin/env bash
# Eleventh run, call 2: the compiled, graphed render with the FAT kernel's second pass (A rewritten from the parked
# logits) and without it (the fold computes A from the logits and the softmax's statistics), in one call; then the FAT
# kernel's GPU tests. The base is the checkout with change.diff reversed (commit 948963e's src).
# Usage, from the repository root: bash docs/results/2026-12-03-h200-eleventh/call2.sh COMMIT (carry .whl).
set -uo pipefail
start=$(date +%s)
HERE=docs/results/2026-12-03-h200-eleventh
FINAL=$OUT; OUT=/tmp/o; mkdir -p $OUT  # one archive comes back (the device returns few files), re-packed before each step
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl
rm -rf /tmp/base && mkdir -p /tmp/base && cp -r src /tmp/base/ && (cd /tmp/base && patch -s -p1 -R < "$OLDPWD/$HERE/change.diff") || echo "patch failed"
export PYTHONUNBUFFERED=1 GPNERF_GIT_COMMIT=$1
NEW=/tmp/site2:$PWD/src:$PWD/benchmarks:$PWD/tests/model BASE=/tmp/site2:/tmp/base/src:$PWD/benchmarks
el() { tar czf $FINAL/call2.tar.gz -C $OUT . ; echo "[$(( $(date +%s) - start )) s] $*"; }  # packs what exists so far
left() { echo $(( $1 - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --render-warmup 1 --render-repeats 3 --chunk 4800"
el render-base; PYTHONPATH=$BASE GPNERF_GIT_COMMIT=948963e timeout -s KILL 220 python3 benchmarks/bench_model.py $ROW --label "paper-scannet fast bf16 compile-blocks cuda-graph (948963e: A written by the kernel)" --json $OUT/render_base.json > $OUT/render_base.log 2>&1; grep "^| paper" $OUT/render_base.log || tail -n 8 $OUT/render_base.log
el render-new; PYTHONPATH=$NEW timeout -s KILL $(left 420) python3 benchmarks/bench_model.py $ROW --label "paper-scannet fast bf16 compile-blocks cuda-graph (A from the logits in the fold)" --json $OUT/render_new.json > $OUT/render_new.log 2>&1; grep "^| paper" $OUT/render_new.log || tail -n 8 $OUT/render_new.log
el tests; PYTHONPATH=$NEW timeout -s KILL $(left 550) python3 -m pytest -q -p no:cacheprovider -rA -k "not interpreter and not hopper" tests/model/test_fused_field_attention.py > $OUT/tests.log 2>&1; grep -E "PASSED|FAILED|passed|failed|Error" $OUT/tests.log | head -12
el done

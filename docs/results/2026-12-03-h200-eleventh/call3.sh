#!/usr/bin/env bash
# Eleventh run, call 3: the graphed compiled training step with f_P's first layer (K = 4) as a broadcast product and
# sum, against the base's cuBLAS product, in one call; then a trace of the new step. The base is the checkout with
# change.diff reversed (commit 948963e's src). Usage, from the repository root:
# bash docs/results/2026-12-03-h200-eleventh/call3.sh COMMIT (carry .whl).
set -uo pipefail
start=$(date +%s)
HERE=docs/results/2026-12-03-h200-eleventh
FINAL=$OUT; OUT=/tmp/o; mkdir -p $OUT  # one archive comes back (the device returns few files), re-packed before each step
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl
rm -rf /tmp/base && mkdir -p /tmp/base && cp -r src /tmp/base/ && (cd /tmp/base && patch -s -p1 -R < "$OLDPWD/$HERE/change.diff") || echo "patch failed"
export PYTHONUNBUFFERED=1 GPNERF_GIT_COMMIT=$1
NEW=/tmp/site2:$PWD/src:$PWD/benchmarks BASE=/tmp/site2:/tmp/base/src:$PWD/benchmarks
el() { tar czf $FINAL/call3.tar.gz -C $OUT . ; echo "[$(( $(date +%s) - start )) s] $*"; }  # packs what exists so far
left() { echo $(( $1 - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
el train-new; PYTHONPATH=$NEW timeout -s KILL 180 python3 benchmarks/bench_model.py $ROW --label "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph (f_P's K = 4 layer as a sum)" --json $OUT/train_new.json > $OUT/train_new.log 2>&1; grep "^| paper" $OUT/train_new.log || tail -n 8 $OUT/train_new.log
el train-base; PYTHONPATH=$BASE GPNERF_GIT_COMMIT=948963e timeout -s KILL $(left 300) python3 benchmarks/bench_model.py $ROW --label "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph (948963e)" --json $OUT/train_base.json > $OUT/train_base.log 2>&1; grep "^| paper" $OUT/train_base.log || tail -n 8 $OUT/train_base.log
el trace; mkdir -p /tmp/p
PYTHONPATH=$NEW timeout -s KILL $(left 450) python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 --what train --compile --cuda-graph --trainer-step --trace --steps 3 --out /tmp/p > $OUT/train_profile.log 2>&1; tail -n 2 $OUT/train_profile.log
PYTHONPATH=$NEW python3 benchmarks/trace_summary.py /tmp/p/*train_trace.json.gz --top 40 > $OUT/train_trace_summary.txt 2>&1; head -n 30 $OUT/train_trace_summary.txt | cut -c1-160
el done

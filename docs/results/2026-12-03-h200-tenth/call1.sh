#!/usr/bin/env bash
# Tenth run, call 1: the graphed training step with the fused softmax over views on, its GPU tests (and the
# channels-last encoder's), the step with the softmax kernels off, the step with a channels-last encoder, then a trace
# of the graphed step (as time allows). Usage: bash call1.sh COMMIT (carry .whl).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o; mkdir -p $OUT  # one archive comes back (the device returns few files), re-packed before each step
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl
export PYTHONPATH=/tmp/site2:$PWD/src:$PWD/benchmarks:$PWD/tests/model PYTHONUNBUFFERED=1 GPNERF_GIT_COMMIT=$1
el() { tar czf $FINAL/call1.tar.gz -C $OUT . ; echo "[$(( $(date +%s) - start )) s] $*"; }  # packs what exists so far
left() { echo $(( $1 - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"
el train-on; timeout -s KILL 170 python3 benchmarks/bench_model.py $ROW --json $OUT/train_on.json > $OUT/train_on.log 2>&1; grep "^| paper" $OUT/train_on.log || tail -n 8 $OUT/train_on.log
el tests; timeout -s KILL 110 python3 -m pytest -q -p no:cacheprovider -rA -k "not interpreter and not hopper" tests/model/test_fused_view_softmax.py "tests/model/test_fast_paths.py::test_channels_last_encoder_matches_the_default_layout" > $OUT/tests.log 2>&1; grep -E "PASSED|FAILED|passed|failed|Error" $OUT/tests.log | head -12
el train-off; timeout -s KILL $(left 420) python3 benchmarks/bench_model.py $ROW --fused-softmax off --json $OUT/train_off.json > $OUT/train_off.log 2>&1; grep "^| paper" $OUT/train_off.log || tail -n 4 $OUT/train_off.log
el train-channels-last; timeout -s KILL $(left 500) python3 benchmarks/bench_model.py $ROW --channels-last on --json $OUT/train_cl.json > $OUT/train_cl.log 2>&1; grep "^| paper" $OUT/train_cl.log || tail -n 4 $OUT/train_cl.log
el trace; mkdir -p /tmp/p
timeout -s KILL $(left 550) python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 --what train --compile --cuda-graph --trainer-step --trace --steps 3 --out /tmp/p > $OUT/train_profile.log 2>&1; tail -n 2 $OUT/train_profile.log
python3 benchmarks/trace_summary.py /tmp/p/*train_trace.json.gz --top 40 > $OUT/train_trace_summary.txt 2>&1; head -n 30 $OUT/train_trace_summary.txt | cut -c1-160
el done

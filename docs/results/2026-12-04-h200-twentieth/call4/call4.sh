#!/usr/bin/env bash
# Twentieth run, call 4: call 3 timed the same training step at 37.8 ms in side_by_side.sh's first pass and 39.9 ms in
# its alone pass (77394ac: 38.7 and 40.5), each over 20 steps within 1 %; the sixteenth to eighteenth runs (one row per
# process, nothing beside it) gave 40.2-41.4 ms, the nineteenth (side by side) 38.1-39.2. Which conditions move it?
# The same HEAD row, one process at a time: cold compile; from the caches; a 100-step warm-up; two CPU spinners beside
# it; a second process holding a CUDA context beside it; 100 timed steps.
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentieth/call4/call4.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o4; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8 PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}
pack() { tar czf $FINAL/call4.tar.gz -C $OUT . ; }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --inductor-config autotune_local_cache=False"
row() {  # row NAME KILL_S ARGS...
  local name=$1 kill_s=$2; shift 2
  nvidia-smi --query-gpu=clocks.sm,temperature.gpu,power.draw --format=csv,noheader > $OUT/$name.smi
  timeout -s KILL $kill_s python3 benchmarks/bench_model.py $ROW --label $name --json $OUT/$name.json "$@" > $OUT/$name.log 2>&1
  echo "[$(( $(date +%s) - start )) s] $(grep "^| $name " $OUT/$name.log || tail -n 2 $OUT/$name.log)"; pack
}
row cold 250 --warmup 3 --repeats 20
row cached 100 --warmup 3 --repeats 20
row long_warmup 100 --warmup 100 --repeats 20
python3 -c "while True: pass" & S1=$!; python3 -c "while True: pass" & S2=$!
row cpu_spinners 100 --warmup 3 --repeats 20
kill $S1 $S2
python3 -c "import torch, time; torch.zeros(1, device='cuda'); time.sleep(300)" & IDLE=$!
row idle_cuda_process 100 --warmup 3 --repeats 20
kill $IDLE
row repeats100 100 --warmup 3 --repeats 100
echo "[$(( $(date +%s) - start )) s] done"

#!/usr/bin/env bash
# Twenty-third run, call 2: the softmax exponentials as one ex2.approx.ftz.f32 each (triton_support.exp_flushed) in the
# FAT, RAT and contraction kernels; the FAT kernel's loop drops from 431 to 383 SASS instructions a view at 64 points x
# half the channels x 8 warps (sm_90, compiled on the CPU). (1) The FAT kernel alone at a render chunk's fine shapes in
# every launch shape, COMMIT against d2f1bb2; (2) the contraction at a chunk's shapes, both; (3) the compiled graphed
# render, side by side then alone, 15 renders each; (4) with the time left, GPU tests (nothing timed beside them).
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentythird/call2/call2.sh, with
# .old/src and .old/tests = `git archive d2f1bb2 src tests` (carry .whl and .old).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call2.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 30; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
for tree in src .old/src; do
  name=$([ $tree = src ] && echo head || echo old)
  PYTHONPATH=/tmp/site:$PWD/$tree timeout -s KILL 80 python3 benchmarks/bench_fat_block.py --device cuda --precision bf16 \
    --rays 4800 --samples 64 --sweep-launches --warmup 3 --repeats 10 --json $OUT/fat_$name.json > $OUT/fat_$name.log 2>&1
  echo "[$(( $(date +%s) - start )) s] FAT $name: $(grep -E "^\| (forward|[0-9]+ \|)" $OUT/fat_$name.log | head -3 | tr "\n" " ")"
  PYTHONPATH=/tmp/site:$PWD/$tree timeout -s KILL 60 python3 benchmarks/bench_contraction.py --device cuda \
    --warmup 3 --repeats 10 --json $OUT/contraction_$name.json > $OUT/contraction_$name.log 2>&1
  echo "[$(( $(date +%s) - start )) s] contraction $name: $(grep -E '^\| (on_chip|two_step)' $OUT/contraction_$name.log | tr '\n' ' ')"
done
pack
NEW="PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}"
OLD="PYTHONPATH=/tmp/site:$PWD/.old/src GPNERF_GIT_COMMIT=d2f1bb2"
OUT=$OUT/render DEADLINE=170 KILL_AT=220 ALONE=1 ALONE_KILL_AT=80 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 400 bash benchmarks/side_by_side.sh "head|$NEW|" "old|$OLD|"
pack
left=$(( 575 - ($(date +%s) - start) ))
echo "[$(( $(date +%s) - start )) s] GPU tests, $left s"
PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $left python3 -m pytest -q -p no:cacheprovider -rA --tb=short \
  -p no:logging tests/model/test_triton_support.py tests/model/test_fused_ray_attention.py \
  tests/model/test_fused_attention_contraction.py tests/model/test_fused_field_attention.py -m gpu > $OUT/pytest_gpu.log 2>&1
kill $PACKER; wait
grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
for f in $OUT/render/*.json; do python3 -c "import json; r=json.load(open('$f'))['results'][0]; print('$f'.split('/')[-1], round(r.get('median_s',0),4), r.get('peak_reserved_gib'))" 2>/dev/null; done
echo "[$(( $(date +%s) - start )) s] done"; pack

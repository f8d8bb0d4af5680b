#!/usr/bin/env bash
# Twenty-third run, call 4: three forms of the FAT kernel's view loop against COMMIT's, chosen by their SASS on the
# CPU (instructions a warp issues per output element, sm_90): ab = V and P kept in float32 (no bf16 round trip);
# ab_u = ab with the ten views unrolled (tl.static_range); base_u = COMMIT's with the views unrolled. (1) Each kernel
# alone at a render chunk's fine shapes in every launch shape; (2) the fastest form's compiled graphed render against
# COMMIT's, side by side (one pass: the device time left allows no alone pass); (3) that form's FAT GPU tests.
# Usage, from the repository root: COMMIT=<sha> bash docs/results/2026-12-04-h200-twentythird/call4/call4.sh, with
# .variants/<form>/src = src with that form's src/gpnerf/model/fused_field_attention.py (carry .whl and .variants).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/o4; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/call4.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
tree() { [ "$1" = head ] && echo "$PWD/src" || echo "$PWD/.variants/$1/src"; }
for form in head ab ab_u base_u; do
  PYTHONPATH=/tmp/site:$(tree $form) timeout -s KILL 60 python3 benchmarks/bench_fat_block.py --device cuda --precision bf16 \
    --rays 4800 --samples 64 --sweep-launches --warmup 3 --repeats 10 --json $OUT/fat_$form.json > $OUT/fat_$form.log 2>&1
  echo "[$(( $(date +%s) - start )) s] FAT $form: $(grep -E "^\| [0-9]+ \|" $OUT/fat_$form.log | head -2 | tr "\n" " ")"
done
pack
best=$(python3 - "$OUT" <<'PY'
import json, sys
times = {}
for form in ("ab", "ab_u", "base_u"):
    try:
        times[form] = min(l["median_s"] for l in json.load(open(f"{sys.argv[1]}/fat_{form}.json"))["launches"])
    except Exception:
        pass
print(min(times, key=times.get) if times else "none")
PY
)
echo "fastest form: $best"
if [ "$best" != none ]; then
  NEW="PYTHONPATH=/tmp/site:$(tree $best) GPNERF_GIT_COMMIT=${COMMIT:-unknown}+$best"
  OLD="PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}"
  OUT=$OUT/render DEADLINE=160 KILL_AT=200 \
  ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
    timeout -s KILL 230 bash benchmarks/side_by_side.sh "$best|$NEW|" "head|$OLD|"
  pack
  export PYTHONPATH=/tmp/site:$(tree $best):$PWD/tests/model
  left=$(( 450 - ($(date +%s) - start) ))
  echo "[$(( $(date +%s) - start )) s] $best GPU tests, $left s"
  timeout -s KILL $left python3 -m pytest -q -p no:cacheprovider -rA --tb=short -p no:logging \
    tests/model/test_fused_field_attention.py -k render -m gpu > $OUT/pytest_render.log 2>&1 & R=$!
  timeout -s KILL $left python3 -m pytest -q -p no:cacheprovider -rA --tb=short \
    tests/model/test_fused_field_attention.py -k "not render" -m gpu > $OUT/pytest_fat.log 2>&1 & F=$!
  wait $R $F
  grep -hE "^(PASSED|FAILED|ERROR)" $OUT/pytest_*.log
fi
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Prepared for the next run (thirty-ninth run, README "Next"): the float32 fast render now that float32 passes keep
# their products out of the Triton kernels (ModelConfig.float32_kernels off), and the bf16 goal row unchanged by it.
# 1. fast fp32 eager at 4,096 rays, first frame and two warm (call 2's all-kernels-off row: 3.79 s; with every kernel
#    on no frame came in 150-340 s); 2. the reference fp32 default chunk (2,048) warm; 3. the GPU tests of the blocks
#    and renders touched (fp32 and bf16). Usage: COMMIT=$(git rev-parse --short main) bash <this file> from the
#    repository root (carry .whl). Results: $OUT/f32/<label>.json, .log, pytest.log. Then, in a second call, the goal's
#    row against the tree before (a044db7) with benchmarks/compare_trees.sh (TREES="main before").
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 PYTHONFAULTHANDLER=1 PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}
results=$OUT/f32; mkdir -p "$results"
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > "$results/gpu.txt"
for row in "fast 4096 0 3 150" "reference 2048 1 2 100"; do
  read -r implementation chunk warmup repeats limit <<< "$row"
  label=$implementation-fp32-$chunk; row_start=$(date +%s)
  timeout -s ABRT "$limit" python3 benchmarks/bench_model.py --preset paper-scannet --implementation "$implementation" \
    --precision fp32 --compile none --what render --chunk "$chunk" --render-warmup "$warmup" \
    --render-repeats "$repeats" --label "$label" --json "$results/$label.json" > "$results/$label.log" 2>&1
  echo "$label: rc $? in $(( $(date +%s) - row_start )) s"
  grep "^| $label |" "$results/$label.log" || grep -A14 "most recent call first" "$results/$label.log" | head -16
  python3 -c "import json,sys; print('frames s', json.load(open(sys.argv[1]))['results'][0].get('times_s'))" \
    "$results/$label.json" 2>/dev/null
done
PYTHONPATH=$PYTHONPATH:tests/model timeout -s ABRT 240 python3 -m pytest -q -p no:cacheprovider -m gpu \
  tests/model/test_fused_field_attention.py tests/model/test_fused_ray_attention.py \
  tests/model/test_fused_feature_sampling.py > "$results/pytest.log" 2>&1
echo "pytest rc $?"; tail -n 5 "$results/pytest.log"

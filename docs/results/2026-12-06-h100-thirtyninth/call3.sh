#!/usr/bin/env bash
# Thirty-ninth run, call 3: where the fast fp32 render's first frame goes (call 2: still compiling the RAT kernel's
# float32 launches after 200 s). Row 1 without the fused RAT kernel, row 2 with every kernel; the row's wall time
# minus its warm frames is the first frame's compile and autotuning. SIGABRT past the limit prints where it was.
# Usage: COMMIT=<main> bash <this file> from the repository root (carry .whl). Results: $OUT/call3/<label>.json, .log.
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 PYTHONFAULTHANDLER=1 PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}
results=$OUT/call3; mkdir -p "$results"
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > "$results/gpu.txt"
for row in "off 170" "on 340"; do
  read -r ray_attention limit <<< "$row"
  label=fast-fp32-rat$ray_attention-4096; row_start=$(date +%s)
  timeout -s ABRT "$limit" python3 benchmarks/bench_model.py --preset paper-scannet --implementation fast \
    --precision fp32 --compile none --fused-ray-attention "$ray_attention" --what render --chunk 4096 \
    --render-warmup 0 --render-repeats 2 --label "$label" --json "$results/$label.json" > "$results/$label.log" 2>&1
  echo "$label: rc $? in $(( $(date +%s) - row_start )) s"
  grep "^| $label |" "$results/$label.log" || grep -A14 "most recent call first" "$results/$label.log" | head -16 | cut -c1-200
  python3 -c "import json,sys; print('frames s', json.load(open(sys.argv[1]))['results'][0].get('times_s'))" \
    "$results/$label.json" 2>/dev/null
done

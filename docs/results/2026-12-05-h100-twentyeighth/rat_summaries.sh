#!/usr/bin/env bash
# The RAT kernel's 4-warp launch (the only one whose 64-row products compile to one warpgroup's wgmma; wrong at
# 4,800 x 48 in the twenty-seventh run) at each summary setting (column means, first row: on/off) and sample count
# (48: padded to 64, keys masked; 64: FULL), bf16, d_rgb 64, 4 heads, in the head tree, each launch in a process of its
# own with CUDA_LAUNCH_BLOCKING=1 (an illegal memory access ends its process only). Which setting goes wrong says
# which product or store to look at. Usage (from call1.sh): OUT=DIR bash docs/results/2026-12-05-h100-twentyeighth/rat_summaries.sh
set -uo pipefail
mkdir -p "$OUT"
SCRIPT=$PWD/docs/results/2026-12-05-h100-twentyeighth/rat_launch.py
cd .variants/head
for samples in 48 64; do
  for column_mean in 0 1; do
    for first_row in 0 1; do
      for warps in 4 2; do
        name="s${samples}_c${column_mean}_f${first_row}_w${warps}"
        (CUDA_LAUNCH_BLOCKING=1 PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 60 \
          python3 $SCRIPT 64 4 4800 $samples $warps $column_mean $first_row > "$OUT/$name.log" 2>&1;
         echo "rc $?" >> "$OUT/$name.log") &
      done
    done
  done
  wait
done
for log in "$OUT"/*.log; do echo "$(basename "$log" .log): $(grep -h "^rat\|Error\|error" "$log" | tail -1) $(tail -1 "$log")"; done

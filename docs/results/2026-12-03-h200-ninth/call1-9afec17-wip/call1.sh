#!/usr/bin/env bash
# EXPERIMENT (not committed): FAT kernel A/B, render rows, kernel tests, trace.
set -uo pipefail
start=$(date +%s)
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl
export PYTHONPATH=/tmp/site2:$PWD/src:$PWD/benchmarks:$PWD/tests/model PYTHONUNBUFFERED=1
export GPNERF_GIT_COMMIT=${GPNERF_GIT_COMMIT:-wip}
nvidia-smi > $OUT/gpu.txt 2>&1
el() { echo "[$(( $(date +%s) - start )) s] $*"; }
el ab; timeout 150 python3 experiments/tmp/fat_ab.py > $OUT/fat_ab.log 2>&1; tail -n 40 $OUT/fat_ab.log
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what render --render-warmup 1 --render-repeats 3 --chunk 4800"
el tile; timeout 200 python3 benchmarks/bench_model.py $ROW --json $OUT/render_tile.json > $OUT/render_tile.log 2>&1; grep "^| paper" $OUT/render_tile.log || tail -n 20 $OUT/render_tile.log
el online; timeout 130 python3 -c "
import sys; from gpnerf.model import fused_field_attention as f; f.KERNEL='online'
import bench_model; bench_model.main(sys.argv[1:])" $ROW --json $OUT/render_online.json > $OUT/render_online.log 2>&1; grep "^| paper" $OUT/render_online.log || tail -n 20 $OUT/render_online.log
el tests; timeout 150 python3 -m pytest -q -p no:cacheprovider -k "not interpreter and not hopper and (contraction or on_the_gpu_matches_the_block or render_with_fused)" tests/model/test_fused_field_attention.py tests/model/test_fused_feature_sampling.py > $OUT/tests.log 2>&1; tail -n 8 $OUT/tests.log
el profile; timeout $(( 575 - ($(date +%s) - start) )) python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 --out $OUT/profile > $OUT/profile.log 2>&1; tail -n 3 $OUT/profile.log
el done

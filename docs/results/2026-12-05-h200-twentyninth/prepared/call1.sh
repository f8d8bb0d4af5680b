#!/usr/bin/env bash
# The next run's first call (prepared 2026-12-05, twenty-ninth run): the GPU tests no call has finished, all at once,
# in the rat tree (main + the RAT kernel's A V transposed): the projection kernel's test with its float32 bound (main's
# kernel; the bound never ran on a GPU), the RAT kernel against the block and every launch of WARPS incl. 4 warps at
# 4,800 x 48 / x 64, and the render at the presets' widths kernels on against off. Nothing is timed. Usage (after
# setup.sh): bash docs/results/2026-12-05-h200-twentyninth/prepared/call1.sh; carry .whl and .variants.
# Results: tests.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/t1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1
pack() { tar czf $FINAL/tests.tar.gz -C $OUT . ; }
( while sleep 15; do pack; done ) & PACKER=$!
gputest() {
  local name=$1 limit=$2; shift 2
  (cd .variants/rat && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $limit python3 -m pytest -v \
    -p no:cacheprovider -rA --tb=short --durations=0 -m gpu "$@" > $OUT/pytest_$name.log 2>&1)
}
gputest projection 200 tests/model/test_fused_projection.py & A=$!
gputest rat_launches 500 tests/model/test_fused_ray_attention.py -k every_launch & B=$!
gputest rat_block 500 tests/model/test_fused_ray_attention.py -k matches_the_block & C=$!
gputest rat_presets 540 tests/model/test_fused_ray_attention.py -k presets & D=$!
wait $A $B $C $D
grep -hE "(PASSED|FAILED|ERROR).*%\]$" $OUT/pytest_*.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Twenty-ninth run, call 2 (2026-12-05, nvidia-h200): the GPU tests call 1 did not finish or failed, in the prepared
# tree (.variants/new = branch prepared-twentyeighth with the projection test's float32 bound), at once, in the 264 s
# of device time left: the projection kernel's, and the RAT kernel's every launch (verbose: each test's result as it
# ends). Usage: bash docs/results/2026-12-05-h200-twentyninth/call2.sh; carry .whl and .variants.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/c2; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1
pack() { tar czf $FINAL/call2.tar.gz -C $OUT . ; }
( while sleep 15; do pack; done ) & PACKER=$!
gputest() {
  local name=$1 limit=$2; shift 2
  (cd .variants/new && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL $limit python3 -m pytest -v \
    -p no:cacheprovider -rA --tb=short --durations=0 -m gpu "$@" > $OUT/pytest_$name.log 2>&1)
}
gputest projection 100 tests/model/test_fused_projection.py & A=$!
gputest rat 145 tests/model/test_fused_ray_attention.py -k every_launch & B=$!
wait $A $B
grep -hE "(PASSED|FAILED|ERROR)" $OUT/pytest_*.log | grep -v "^tests.*%\]$" | sort -u
grep -hE "(PASSED|FAILED|ERROR).*%\]$" $OUT/pytest_*.log
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

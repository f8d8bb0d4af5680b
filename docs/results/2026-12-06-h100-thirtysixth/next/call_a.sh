#!/usr/bin/env bash
# Prepared for the next run (first call, a fresh machine): benchmarks/compare_trees.sh over TREES (default "new old":
# new = main, old = ed34192, each under .variants/ with a `label`), each compiled alone, their launch choices compared,
# a traced render of each (TRACE=1), then alone rows in turns. Usage: COMMIT=$(git rev-parse --short main)
# [TREES="new old"] [CALL_LIMIT=560] bash <this file> (carry .whl, .variants). Results: $OUT/next_a.tar.gz
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8 PYTHONPATH=/tmp/site
FINAL=$OUT; RESULTS=/tmp/next_a; rm -rf $RESULTS; mkdir -p $RESULTS
pack() { tar czf $FINAL/next_a.tar.gz -C $RESULTS --exclude='*.pickle' --exclude='*.pt' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $RESULTS/gpu.txt
OUT=$RESULTS TREES="${TREES:-new old}" TRACE=1 CALL_LIMIT=${CALL_LIMIT:-560} bash benchmarks/compare_trees.sh
kill $PACKER; wait $PACKER 2>/dev/null; pack

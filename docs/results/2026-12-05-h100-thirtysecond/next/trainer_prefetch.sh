#!/usr/bin/env bash
# Prepared in the thirty-third session: the trainer's throughput with and without batches built ahead
# (trainer.prefetch_batches, gpnerf.engine.prefetch; default 2 on CUDA) on built-in data at the paper's image size,
# frames cached in memory (paper-builtin's default) and decoded every step (as paper-scannet / paper-replica read
# their datasets). `gpnerf train paper-builtin --model.implementation fast --compile --trainer.cuda-graph`, STEPS
# steps, rays/s every 50 steps from metrics.jsonl (the first window holds the compilation and the capture). The
# first run compiles cold; the others reuse inductor's cache. Carry .whl. Usage:
#   COMMIT=$(git rev-parse --short HEAD) [STEPS=250] bash .../trainer_prefetch.sh     (about 500 s)
# Results: $OUT/trainer.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/trainer_prefetch; rm -rf $OUT /tmp/tp_runs; mkdir -p $OUT  # /tmp may hold earlier runs' files
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8 PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=${COMMIT:-unknown}
pack() { tar czf $FINAL/trainer.tar.gz -C $OUT . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
gpnerf() { python3 -c "import sys; from gpnerf.cli import main; sys.argv[0] = 'gpnerf'; sys.exit(main())" "$@"; }
[ -d /tmp/tp_synth ] || gpnerf synth --out /tmp/tp_synth --scenes 3 --views 30 --device cuda > $OUT/synth.log 2>&1
echo "[$(( $(date +%s) - start )) s] data ready"
run() {  # name, extra arguments
  local left=$(( 585 - ($(date +%s) - start) ))
  [ $left -lt 60 ] && { echo "$1: skipped, $left s left"; return; }
  timeout -s KILL $left python3 -c "import sys; from gpnerf.cli import main; sys.argv[0] = 'gpnerf'; sys.exit(main())" \
    train paper-builtin --data.root /tmp/tp_synth --model.implementation fast --compile --trainer.cuda-graph \
    --trainer.max-steps ${STEPS:-250} --trainer.log-every 50 --trainer.val-every 0 --trainer.save-every 0 \
    --output-root /tmp/tp_runs/$1 "${@:2}" > $OUT/$1.log 2>&1
  mkdir -p $OUT/$1 && cp /tmp/tp_runs/$1/*/*/metrics.jsonl /tmp/tp_runs/$1/*/*/config.json $OUT/$1/ 2>/dev/null
  echo "$1: rays/s $(grep -o '"train/rays_per_sec": [0-9.]*' $OUT/$1/metrics.jsonl 2>/dev/null | cut -d' ' -f2 | \
    xargs printf '%.0f ') [$(( $(date +%s) - start )) s]"; pack
}
run cached_prefetch0 --trainer.prefetch-batches 0
run cached_prefetch2 --trainer.prefetch-batches 2
run decoded_prefetch0 --trainer.prefetch-batches 0 --data.no-cache-frames
run decoded_prefetch2 --trainer.prefetch-batches 2 --data.no-cache-frames
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

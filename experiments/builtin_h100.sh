#!/usr/bin/env bash
# Generalized training of the paper preset on the built-in procedural dataset on one GPU, then
# evaluation on the held-out rooms. Used for docs/results.md. Runs two trainings side by side on the
# one card (the paper's learning rates, and a short-run variant with larger transformer/head rates),
# each for TRAIN_SECONDS of wall time, then evaluates each run's last checkpoint.
#
#   bash experiments/builtin_h100.sh start     # generate data, smoke-test, start both runs (background)
#   bash experiments/builtin_h100.sh status    # progress of both runs
#   bash experiments/builtin_h100.sh collect   # pack results into $OUT/results.tar.gz
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
GPNERF="python3 -m gpnerf.cli"
DATA=data/builtin
LOGS=outputs/logs
TRAIN_SECONDS=${TRAIN_SECONDS:-1500}
STEPS=${STEPS:-5000}
COMMON=(--data.root "$DATA" --trainer.max-steps "$STEPS" --trainer.val-every 500 --trainer.save-every 250
        --trainer.log-every 50 --trainer.progress off --eval.chunk-rays 8192)

run_one() {  # name, extra args...
  local name=$1; shift
  timeout --signal=INT "$TRAIN_SECONDS" $GPNERF train paper-builtin --experiment "$name" "${COMMON[@]}" "$@" \
    > "$LOGS/$name.train.log" 2>&1 || echo "training of $name stopped (exit $?)" >> "$LOGS/$name.train.log"
  $GPNERF eval --run-dir "$(ls -d outputs/$name/*/ | tail -1)" --max-targets-per-scene 5 \
    > "$LOGS/$name.eval.log" 2>&1 || echo "eval of $name failed (exit $?)" >> "$LOGS/$name.eval.log"
  $GPNERF render --run-dir "$(ls -d outputs/$name/*/ | tail -1)" --num-frames 3 --no-video \
    > "$LOGS/$name.render.log" 2>&1 || echo "render of $name failed (exit $?)" >> "$LOGS/$name.render.log"
}

case "${1:-}" in
  start)
    mkdir -p "$LOGS"
    nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$LOGS/gpu.txt"
    $GPNERF synth --out "$DATA" --scenes 20 --views 60 --device cuda --seed 0 > "$LOGS/synth.log" 2>&1
    tail -2 "$LOGS/synth.log"
    python3 benchmarks/bench_synth.py --device cuda --views 2048 | tee "$LOGS/bench_synth.txt"
    # Smoke: a few steps of the whole loop on the GPU before committing the card for 25 minutes.
    $GPNERF train paper-builtin --experiment smoke "${COMMON[@]}" --trainer.max-steps 3 --trainer.save-every 3 \
      --trainer.val-every 3 --output-root outputs/smoke 2>&1 | tail -3
    setsid nohup bash -c "$(declare -f run_one); GPNERF='$GPNERF'; LOGS='$LOGS'; TRAIN_SECONDS='$TRAIN_SECONDS'; \
      COMMON=(${COMMON[*]}); run_one paper-builtin" > /dev/null 2>&1 < /dev/null &
    setsid nohup bash -c "$(declare -f run_one); GPNERF='$GPNERF'; LOGS='$LOGS'; TRAIN_SECONDS='$TRAIN_SECONDS'; \
      COMMON=(${COMMON[*]}); run_one short-lr-builtin --trainer.optim.lr.transformer 5e-4 --trainer.optim.lr.head 5e-4" \
      > /dev/null 2>&1 < /dev/null &
    sleep 60; tail -n 3 "$LOGS"/*.train.log; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv
    ;;
  status)
    for f in outputs/paper-builtin/*/metrics.jsonl outputs/short-lr-builtin/*/metrics.jsonl; do
      echo "== $f"; grep '"val"' "$f" | tail -3 | cut -c1-200; tail -1 "$f" | cut -c1-160
    done
    tail -n 2 "$LOGS"/*.log; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv
    ;;
  collect)
    tar czf "$OUT/results.tar.gz" "$LOGS" outputs/*/*/config.json outputs/*/*/metrics.jsonl outputs/*/*/run.json \
      outputs/*/*/eval outputs/*/*/render 2>/dev/null || true
    ls -la "$OUT"
    ;;
  *) echo "usage: $0 start|status|collect" >&2; exit 2 ;;
esac

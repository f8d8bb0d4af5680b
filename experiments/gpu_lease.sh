#!/usr/bin/env bash
# One device lease (1 GPU: nvidia-h200 or nvidia-h100-x1; 2 GPUs: nvidia-h200-x2 or nvidia-h100-x2) for
# docs/results.md and docs/benchmarks.md:
#   GPU 0     : generalized training of the paper preset on the built-in data for TRAIN_MINUTES
#               (fast implementation, bf16, extra train arguments in TRAIN_EXTRA, e.g. --compile),
#               then the full-protocol evaluation (10 targets per held-out room, LPIPS) and a few
#               rendered frames; on a 1-GPU machine then FT_MINUTES (default 0 = skip) of fine-tuning.
#   2 GPUs    : first the 2-GPU NCCL engine test and DDP training throughput at 1 and 2 ranks; GPU 1
#               then runs the model benchmarks (released-code baseline in the same run, compiled
#               blocks), kernel profiles, and per-scene fine-tuning of test_000 from the paper run's
#               newest checkpoint until the training deadline (evaluated before and after).
#
#   bash experiments/gpu_lease.sh start      # set up, start the chains in the background, report after 90 s
#   bash experiments/gpu_lease.sh wait SECS  # report progress for up to SECS seconds, then pack $OUT
#   bash experiments/gpu_lease.sh pack       # pack what exists into $OUT
#   bash experiments/gpu_lease.sh bench      # one GPU, one call: the benchmark chain alone (GPU 1's list
#                                            # without fine-tuning) for at most BENCH_SECONDS (540), then pack
#   bash experiments/gpu_lease.sh graph      # one GPU, one call: the CUDA-graph tests, eager vs graphed rows and a
#                                            # short graphed training run on the built-in data, then pack
#                                            # (GRAPH_ROWS=compiled-render: the tests, the training run and the
#                                            # compiled graphed render row alone)
#   bash experiments/gpu_lease.sh fused      # one GPU, one call: the fused FAT kernel's GPU tests, the block alone,
#                                            # compiled + graphed renders with the kernel off and on, a training row
#                                            # (FUSED_ROWS=all: also the eager renders and a render profile;
#                                            # FUSED_ROWS=quick: the kernels' tests, the compiled graphed row, a training row without the optimizer
#                                            # overlap, one with the encoder eager, a render without the compiled glue, a render profile, the row with
#                                            # the kernels off, a graphed-step profile (in that order, as time allows);
#                                            # FUSED_ROWS=check: the kernels' tests and the compiled graphed render, kernels on;
#                                            # FUSED_ROWS=graphprof: a profile and trace of the compiled graphed render, the
#                                            # sampling, update and graphed-render tests, the compiled graphed rows;
#                                            # FUSED_ROWS=rat: the RAT, block-tail and FAT kernels' tests, the graphed rows
#                                            # with each of the first two off, a trace of the graphed render, a max-autotune row;
#                                            # FUSED_ROWS=embed: the embedding kernel's and the FAT kernel's GPU tests (whole
#                                            # renders, all kernels on vs off), the graphed rows with the embedding kernel on and
#                                            # off, a trace of the graphed render;
#                                            # FUSED_ROWS=train: the graphed training step and a trace of it)
#
# Issue every call right after the previous one returns: the machine is given back after 30 s idle,
# and the training, its checkpoints and the evaluation go with it (session 2 lost a run that way).
# A 1-GPU machine holds at most 30 minutes: TRAIN_MINUTES 20.25 + ~1.5 setup + ~4 evaluation fit.
# On 2026-12-02 an nvidia-h200 counted its held time in full: start + three waits (25.6 min held) used the
# session's whole 30-minute device budget, so plan `bench` for a session of its own.
# The background jobs run from a snapshot (/tmp/gp): later calls re-sync the checkout under them.
# Environment: GPNERF_GIT_COMMIT (the commit being run; the snapshot has no .git), TRAIN_MINUTES,
# TRAIN_EXTRA, FT_MINUTES, SYNTH_ARGS. CPU dry run of the whole script (a fake nvidia-smi on PATH):
#   OUT=/tmp/o SYNTH_ARGS="--scenes 5 --views 24 --height 24 --width 32" TRAIN_MINUTES=0.2 FT_MINUTES=0.1 \
#     TRAIN_EXTRA="--data.episodes.num-rays 32" bash experiments/gpu_lease.sh start LPIPS weights: .whl/lpips/alex.pt and the two halves of vgg.pt
# (.lpips_vgg/vgg.pt.part.*, carried in separate calls to stay under the 64 MiB transfer limit) are
# assembled in /tmp/lpips; without both, the evaluation runs with --lpips False.
set -uo pipefail
SNAP=/tmp/gp
LOGS=$SNAP/outputs/logs
export TRAIN_MINUTES=${TRAIN_MINUTES:-20.25} TRAIN_EXTRA=${TRAIN_EXTRA:-} FT_MINUTES=${FT_MINUTES:-0}
SYNTH_ARGS=${SYNTH_ARGS:---scenes 20 --views 60 --device cuda}  # a CPU dry run of this script passes tiny sizes
GPNERF="python3 -m gpnerf.cli"

environment() {
  export PYTHONPATH="/tmp/site:$SNAP/src:$SNAP/benchmarks" PYTHONUNBUFFERED=1 GPNERF_LPIPS_WEIGHTS=/tmp/lpips
  export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1 OMP_NUM_THREADS=8
}

lpips_weights() {  # copy what this call carried; assemble vgg.pt once both halves have arrived
  mkdir -p /tmp/lpips
  [ -f .whl/lpips/alex.pt ] && cp -n .whl/lpips/alex.pt /tmp/lpips/
  for part in .lpips_vgg/vgg.pt.part.*; do [ -f "$part" ] && cp -n "$part" /tmp/lpips/; done
  [ -f .lpips_vgg/vgg.sha256 ] && cp -n .lpips_vgg/vgg.sha256 /tmp/lpips/
  if [ ! -f /tmp/lpips/vgg.pt ] && [ -f /tmp/lpips/vgg.pt.part.aa ] && [ -f /tmp/lpips/vgg.pt.part.ab ]; then
    cat /tmp/lpips/vgg.pt.part.aa /tmp/lpips/vgg.pt.part.ab > /tmp/lpips/vgg.tmp
    if (cd /tmp/lpips && sed 's#/tmp/vgg.pt#vgg.tmp#' vgg.sha256 | sha256sum -c --quiet); then
      mv /tmp/lpips/vgg.tmp /tmp/lpips/vgg.pt && echo "LPIPS vgg.pt assembled"
    else
      echo "LPIPS vgg.pt checksum mismatch"; rm -f /tmp/lpips/vgg.tmp
    fi
  fi
  ls /tmp/lpips
}

latest_run() { ls -d "$SNAP/outputs/$1"/*/ 2>/dev/null | tail -1; }

gpu0_chain() {  # generalized paper-preset training, full evaluation, a few frames
  export CUDA_VISIBLE_DEVICES=0
  $GPNERF train paper-builtin --experiment paper-builtin --data.root data/builtin --output-root outputs \
    --model.implementation fast --trainer.max-minutes "$TRAIN_MINUTES" --trainer.val-every 1000 \
    --trainer.save-every 500 --trainer.log-every 50 --trainer.progress off --eval.chunk-rays 4800 $TRAIN_EXTRA \
    > "$LOGS/train.log" 2>&1 || echo "training exited with $?" >> "$LOGS/train.log"
  local run; run=$(latest_run paper-builtin)
  local lpips=True; [ -f /tmp/lpips/vgg.pt ] && [ -f /tmp/lpips/alex.pt ] || lpips=False
  $GPNERF eval --run-dir "$run" --lpips $lpips > "$LOGS/eval.log" 2>&1 || echo "eval exited with $?" >> "$LOGS/eval.log"
  $GPNERF render --run-dir "$run" --num-frames 3 --no-video > "$LOGS/render.log" 2>&1 \
    || echo "render exited with $?" >> "$LOGS/render.log"
  if [ "$GPUS" = 1 ] && [ "$FT_MINUTES" != 0 ]; then finetune_chain "$FT_MINUTES"; fi
  echo done > "$LOGS/gpu0.done"
}

finetune_chain() {  # minutes: fine-tune test_000 from the paper run's newest checkpoint, score it before and after
  local base; base=$(latest_run paper-builtin)
  local ckpt; ckpt=$(ls "$base"checkpoints/*.ckpt 2>/dev/null | tail -1)
  if [ -z "$ckpt" ]; then echo "no checkpoint to fine-tune from" > "$LOGS/finetune.log"; return; fi
  mkdir -p outputs/ft_base && cp "$ckpt" outputs/ft_base/ && ckpt=outputs/ft_base/$(basename "$ckpt")
  $GPNERF finetune --run-dir "$base" --checkpoint "$ckpt" --scene test_000 --steps 10000 --max-minutes "$1" \
    > "$LOGS/finetune.log" 2>&1 || echo "finetune exited with $?" >> "$LOGS/finetune.log"
  local ft; ft=$(latest_run paper-builtin-ft-test_000)
  $GPNERF eval --run-dir "$ft" --lpips False --checkpoint "$ckpt" --out "$SNAP/outputs/ft_base/eval" > "$LOGS/ft_base_eval.log" 2>&1 \
    || echo "eval exited with $?" >> "$LOGS/ft_base_eval.log"
  $GPNERF eval --run-dir "$ft" --lpips False > "$LOGS/ft_eval.log" 2>&1 || echo "eval exited with $?" >> "$LOGS/ft_eval.log"
}

b() {  # one bench_model.py row: file label args... (time limit LIMIT, default 180 s; the log records a failure)
  local file=$1 label=$2; shift 2
  timeout -s KILL "${LIMIT:-180}" python3 benchmarks/bench_model.py --label "$label" --json "$bench/$file.json" "$@" \
    > "$bench/$file.log" 2>&1 || echo "exit $?" >> "$bench/$file.log"
}

model_rows() {  # timing options: the released-code baseline, then the paper preset eager, graphed, compiled + graphed
  local rows=$1
  b released_ref_fp32 "released-code reference fp32" --preset released-code --implementation reference --precision fp32 \
    --warmup 2 --repeats 10 --render-warmup 1 --render-repeats 2 --chunk 2400
  b paper_fast_bf16_trainer "paper-scannet fast bf16 trainer-step" --preset paper-scannet --implementation fast \
    --precision bf16 --trainer-step $rows
  b paper_fast_bf16_trainer_graph "paper-scannet fast bf16 trainer-step cuda-graph" --preset paper-scannet \
    --implementation fast --precision bf16 --trainer-step --cuda-graph $rows
  LIMIT=360 b paper_fast_bf16_compile_blocks_graph "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph" \
    --preset paper-scannet --implementation fast --precision bf16 --compile blocks --trainer-step --cuda-graph $rows
  python3 benchmarks/bench_table.py "$bench"/released_ref_fp32*.json "$bench"/paper_fast_bf16*.json --out "$bench/table.md" \
    > "$bench/table.log" 2>&1
}

graph_chain() {  # CUDA graphs: their GPU tests, eager vs graphed rows beside the released-code baseline, then the trainer
  local bench=outputs/bench
  mkdir -p "$bench"
  timeout -s KILL 240 python3 -m pytest -q -p no:cacheprovider tests/engine/test_gpu.py tests/model/test_render_precision.py \
    tests/model/test_render_graph.py tests/engine/test_cuda_graph.py > "$bench/test_gpu.log" 2>&1
  tail -n 4 "$bench/test_gpu.log"
  local rows="--warmup 3 --repeats 20 --render-warmup 1 --render-repeats 3 --chunk 4800"
  if [ "${GRAPH_ROWS:-all}" = compiled-render ]; then  # the training run, then the compiled graphed render row alone
    graph_training_run
    LIMIT=240 b paper_fast_bf16_compile_blocks_graph_render "paper-scannet fast bf16 compile-blocks cuda-graph" \
      --preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render $rows
    return
  fi
  model_rows "$rows"
  graph_training_run
}

fused_chain() {  # the fused FAT kernel: GPU tests, the block alone, renders with the kernel off and on (FUSED_ROWS=all:
  local bench=outputs/bench  # also the eager renders and a profile; default: the compiled graphed rows and a training row)
  mkdir -p "$bench"
  local tests="tests/model/test_fused_field_attention.py tests/model/test_fused_feature_sampling.py
    tests/model/test_render_precision.py tests/engine/test_update.py"
  case "${FUSED_ROWS:-}" in  # quick and check: the kernels' and the update's tests only (~2 min), rows first
    quick|check) tests="tests/model/test_fused_field_attention.py tests/model/test_fused_feature_sampling.py tests/engine/test_update.py" ;;
    *) tests="$tests tests/model/test_render_graph.py tests/engine/test_cuda_graph.py" ;;
  esac
  local skip="not nothing"  # quick, check and graphprof: the CPU-side checks (CI runs them) skipped
  case "${FUSED_ROWS:-}" in quick|check|graphprof) skip="not interpreter and not hopper" ;; esac
  case "${FUSED_ROWS:-}" in graphprof|rat|train) ;; *)  # these modes run their own tests (train: none)
    timeout -s KILL 300 python3 -m pytest -q -p no:cacheprovider -k "$skip" --durations 5 $tests > "$bench/test_gpu.log" 2>&1
    tail -n 4 "$bench/test_gpu.log" ;;
  esac
  if [ "${FUSED_ROWS:-}" = check ]; then  # the kernels' tests, then the compiled graphed render with the kernels on
    LIMIT=150 b paper_fast_bf16_compile_blocks_graph_fused_on "paper-scannet fast bf16 compile-blocks cuda-graph fused-kernels on" \
      --preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render \
      --render-warmup 1 --render-repeats 3 --chunk 4800
    grep "^| paper" "$bench"/*.log
    return
  fi
  if [ "${FUSED_ROWS:-}" = graphprof ]; then  # where a graphed render's time goes beyond its kernels, then the tests and a row
    timeout 170 python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast \
      --precision bf16 --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 --out "$bench/profile" \
      > "$bench/profile_graphed_render.log" 2>&1
    tail -n 3 "$bench/profile_graphed_render.log"
    timeout -s KILL 200 python3 -m pytest -q -p no:cacheprovider -k "$skip" tests/model/test_fused_feature_sampling.py \
      tests/engine/test_update.py tests/model/test_render_graph.py > "$bench/test_gpu.log" 2>&1
    tail -n 4 "$bench/test_gpu.log"
    LIMIT=160 b paper_fast_bf16_compile_blocks_graph_fused_on "paper-scannet fast bf16 compile-blocks cuda-graph fused-kernels on" \
      --preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step \
      --what both --warmup 3 --repeats 20 --render-warmup 1 --render-repeats 3 --chunk 4800
    grep -h "^| paper" "$bench"/*.log
    return
  fi
  if [ "${FUSED_ROWS:-}" = rat ]; then  # the RAT kernel: its tests and the FAT kernel's (whole renders with the kernels on
    local rows="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step"
    if [ "${RAT_TESTS:-1}" = 1 ]; then  # RAT_TESTS=0: rows only
      timeout -s KILL 240 python3 -m pytest -q -p no:cacheprovider -k "not interpreter and not hopper" --durations 5 \
        tests/model/test_fused_ray_attention.py tests/model/test_fused_feed_forward.py tests/model/test_fused_field_attention.py \
        > "$bench/test_gpu.log" 2>&1  # and off), then the graphed rows with each new kernel off, a trace, max-autotune GEMMs
      tail -n 4 "$bench/test_gpu.log"
    fi
    LIMIT=150 b paper_fast_bf16_compile_blocks_graph_fused_on "paper-scannet fast bf16 compile-blocks cuda-graph fused-kernels on" \
      $rows --what both --warmup 3 --repeats 20 --render-warmup 1 --render-repeats 3 --chunk 4800
    LIMIT=120 b paper_fast_bf16_compile_blocks_graph_no_fused_rat "paper-scannet fast bf16 compile-blocks cuda-graph no-fused-rat" \
      $rows --what render --render-warmup 1 --render-repeats 3 --chunk 4800 --fused-ray-attention off
    LIMIT=120 b paper_fast_bf16_compile_blocks_graph_no_fused_tail "paper-scannet fast bf16 compile-blocks cuda-graph no-fused-tail" \
      $rows --what render --render-warmup 1 --render-repeats 3 --chunk 4800 --fused-block-tail off
    grep -h "^| paper" "$bench"/*.log
    timeout 150 python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast \
      --precision bf16 --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 --out "$bench/profile" \
      > "$bench/profile_graphed_render.log" 2>&1
    tail -n 3 "$bench/profile_graphed_render.log"
    LIMIT=240 b paper_fast_bf16_compile_blocks_max_autotune_graph "paper-scannet fast bf16 compile-blocks cuda-graph max-autotune" \
      $rows --what both --warmup 3 --repeats 20 --render-warmup 1 --render-repeats 3 --chunk 4800 \
      --compile-mode max-autotune-no-cudagraphs  # inductor's own GEMMs, bias and ReLU in their epilogues
    grep -h "^| paper" "$bench"/*.log
    return
  fi
  if [ "${FUSED_ROWS:-}" = train ]; then  # the graphed training step, then a trace
    local rows="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step"
    LIMIT=220 b paper_fast_bf16_compile_blocks_graph_train "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph" \
      $rows --what train --warmup 3 --repeats 20
    grep -h "^| paper" "$bench"/*.log
    timeout -s KILL 150 python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast \
      --precision bf16 --what train --compile --cuda-graph --trainer-step --trace --steps 3 --out "$bench/profile" \
      > "$bench/profile_graphed_train.log" 2>&1
    python3 benchmarks/trace_summary.py "$bench"/profile/*train_trace.json.gz --top 40 > "$bench/train_trace_summary.txt" 2>&1
    head -n 12 "$bench/train_trace_summary.txt" | cut -c1-160
    return
  fi
  if [ "${FUSED_ROWS:-}" = embed ]; then  # the input-embedding kernel and the projected query updates (ninth run)
    timeout -s KILL 150 python3 -m pytest -q -p no:cacheprovider -rA -k "not interpreter and not hopper" \
      tests/model/test_fused_embedding.py tests/model/test_fused_field_attention.py > "$bench/test_gpu.log" 2>&1
    tail -n 4 "$bench/test_gpu.log"
    local rows="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step"
    LIMIT=200 b paper_fast_bf16_compile_blocks_graph_fused_on "paper-scannet fast bf16 compile-blocks cuda-graph fused-kernels on" \
      $rows --what both --warmup 3 --repeats 20 --render-warmup 1 --render-repeats 3 --chunk 4800
    LIMIT=120 b paper_fast_bf16_compile_blocks_graph_no_fused_embedding "paper-scannet fast bf16 compile-blocks cuda-graph no-fused-embedding" \
      $rows --what render --render-warmup 1 --render-repeats 3 --chunk 4800 --fused-embedding off
    grep -h "^| paper" "$bench"/*.log
    timeout 150 python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast \
      --precision bf16 --chunk 4800 --what render --compile --cuda-graph --trace --row-limit 60 --out "$bench/profile" \
      > "$bench/profile_graphed_render.log" 2>&1
    tail -n 3 "$bench/profile_graphed_render.log"
    return
  fi
  if [ "${FUSED_ROWS:-}" = quick ]; then  # the tests, then (most wanted first, each under its own limit) the compiled
    local rows="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step"
    LIMIT=150 b paper_fast_bf16_compile_blocks_graph_fused_on "paper-scannet fast bf16 compile-blocks cuda-graph fused-kernels on" \
      $rows --what both --warmup 3 --repeats 20 --render-warmup 1 --render-repeats 3 --chunk 4800  # graphed render + step
    LIMIT=120 b paper_fast_bf16_compile_blocks_graph_train_no_overlap "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph no-overlap-optimizer" \
      $rows --what train --warmup 3 --repeats 20 --overlap-optimizer off  # the reference order of the guarded update
    LIMIT=150 b paper_fast_bf16_compile_blocks_no_encoder_graph_train "paper-scannet fast bf16 compile-blocks no-encoder trainer-step cuda-graph" \
      $rows --what train --warmup 3 --repeats 20 --compile-encoder off  # the encoder eager (compiled by default)
    LIMIT=150 b paper_fast_bf16_compile_blocks_no_glue_graph_fused_on "paper-scannet fast bf16 compile-blocks no-glue cuda-graph fused-kernels on" \
      $rows --what render --render-warmup 1 --render-repeats 3 --chunk 4800 --compile-glue off  # blocks and fold compiled only
    cat "$bench"/*.log | grep "^| paper"
    timeout 150 python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast \
      --precision bf16 --chunk 4800 --what render --compile --row-limit 60 --out "$bench/profile" \
      > "$bench/profile_fused.log" 2>&1
    LIMIT=150 b paper_fast_bf16_compile_blocks_graph_fused_off "paper-scannet fast bf16 compile-blocks cuda-graph fused-kernels off" \
      $rows --what both --warmup 3 --repeats 20 --render-warmup 1 --render-repeats 3 --chunk 4800 --fused-kernels off
    timeout 150 python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast \
      --precision bf16 --what train --compile --trainer-step --cuda-graph --row-limit 150 --out "$bench/profile" \
      > "$bench/profile_graphed_train.log" 2>&1  # the graph's kernels appear in the ops table only
    tail -n 4 "$bench/profile_fused.log" "$bench/profile_graphed_train.log"
    return
  fi
  local sizes="4800"; [ "${FUSED_ROWS:-}" = all ] && sizes="512 4800"
  for rays in $sizes; do  # a training batch's and a render chunk's points (64 samples each)
    timeout 120 python3 benchmarks/bench_fat_block.py --device cuda --precision bf16 --rays $rays --warmup 5 --repeats 20 \
      --json "$bench/fat_block_bf16_$rays.json" > "$bench/fat_block_bf16_$rays.log" 2>&1
    cat "$bench/fat_block_bf16_$rays.log"
  done
  local rows="--what render --render-warmup 1 --render-repeats 3 --chunk 4800"
  b released_ref_fp32 "released-code reference fp32" --preset released-code --implementation reference \
    --precision fp32 --warmup 2 --repeats 10 --render-warmup 1 --render-repeats 2 --chunk 2400
  if [ "${FUSED_ROWS:-}" = all ]; then
    for fused in off on; do
      b paper_fast_bf16_fused_$fused "paper-scannet fast bf16 fused-kernels $fused" --preset paper-scannet \
        --implementation fast --precision bf16 --fused-kernels $fused $rows
    done
  fi
  for fused in on off; do
    LIMIT=240 b paper_fast_bf16_compile_blocks_graph_fused_$fused "paper-scannet fast bf16 compile-blocks cuda-graph fused-kernels $fused" \
      --preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --fused-kernels $fused $rows
  done
  LIMIT=240 b paper_fast_bf16_compile_blocks_graph_train "paper-scannet fast bf16 compile-blocks trainer-step cuda-graph" \
    --preset paper-scannet --implementation fast --precision bf16 --compile blocks --trainer-step --cuda-graph \
    --what train --warmup 3 --repeats 20
  python3 benchmarks/bench_table.py "$bench"/released_ref*.json "$bench"/paper_fast*.json --out "$bench/table.md" \
    > "$bench/table.log" 2>&1
  if [ "${FUSED_ROWS:-}" = all ]; then
    timeout 200 python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast \
      --precision bf16 --chunk 4800 --what render --compile --out "$bench/profile" > "$bench/profile_fused.log" 2>&1
    timeout 200 python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast \
      --precision bf16 --what train --compile --trainer-step --cuda-graph --out "$bench/profile" \
      > "$bench/profile_graphed_train.log" 2>&1  # where the graphed step's wall time exceeds its kernels'
  fi
}

graph_training_run() {  # the trainer on the built-in data: compiled blocks, graphed steps and graphed validation renders
  $GPNERF synth --out data/builtin --scenes 3 --views 30 --device cuda --seed 0 > "$LOGS/synth.log" 2>&1
  $GPNERF train paper-builtin --experiment graph-trainer --data.root data/builtin --output-root outputs \
    --model.implementation fast --compile --trainer.cuda-graph --eval.cuda-graph --trainer.max-steps 600 \
    --trainer.val-every 300 --trainer.save-every 300 --trainer.log-every 50 --trainer.progress off --eval.chunk-rays 4800 \
    --eval.val-targets 1 > "$LOGS/train_graph.log" 2>&1 || echo "training exited with $?" >> "$LOGS/train_graph.log"
  tail -n 3 "$LOGS/train_graph.log" | cut -c1-300
}

bench_chain() {  # model benchmarks (released-code baseline in the same run) and kernel profiles on the visible GPU
  local bench=outputs/bench
  mkdir -p "$bench"
  local fast="--warmup 3 --repeats 10 --render-warmup 1 --render-repeats 3 --chunk 4800"
  for precision in bf16 fp32; do  # one FAT block, reference vs folded attention logits (seconds)
    timeout 120 python3 benchmarks/bench_fat_block.py --device cuda --precision $precision --warmup 5 --repeats 20 \
      --json "$bench/fat_block_$precision.json" > "$bench/fat_block_$precision.log" 2>&1
  done
  model_rows "$fast"
  timeout 360 python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast \
    --precision bf16 --chunk 4800 --what both --compile --trainer-step --out "$bench/profile" > "$bench/profile_compiled.log" 2>&1
  timeout 300 python3 benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast \
    --precision bf16 --chunk 4800 --what both --trainer-step --out "$bench/profile" > "$bench/profile_fast.log" 2>&1
}

gpu1_chain() {  # benchmarks and profiles, then fine-tuning from the running generalized model
  export CUDA_VISIBLE_DEVICES=1
  bench_chain
  finetune_chain "$(python3 -c "import time; print(max(1.0, ($(cat "$LOGS/deadline") - time.time()) / 60 - 1.5))")"
  echo done > "$LOGS/gpu1.done"
}

report() {
  date -u +%H:%M:%S
  for f in "$SNAP"/outputs/paper-builtin*/*/metrics.jsonl; do
    [ -f "$f" ] || continue
    echo "== $f"; grep '"val"' "$f" | tail -1 | cut -c1-240; tail -1 "$f" | cut -c1-240
  done
  tail -n 2 "$LOGS"/*.log 2>/dev/null | cut -c1-200
  ls "$SNAP/outputs/bench" 2>/dev/null | tr '\n' ' '; echo
  nvidia-smi --query-gpu=index,utilization.gpu,memory.used --format=csv,noheader
}

pack() {
  (cd "$SNAP/outputs" && tar czf "$OUT/outputs.tar.gz" --exclude='*.ckpt' --exclude='events.out.tfevents*' . 2>/dev/null)
  ls -la "$OUT"
}

case "${1:-}" in
  start)
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
    rm -rf "$SNAP" && mkdir -p "$SNAP" && cp -r src benchmarks experiments tests pyproject.toml "$SNAP"/
    lpips_weights
    environment; cd "$SNAP"; mkdir -p "$LOGS"
    nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader | tee "$LOGS/gpu.txt"
    echo "commit ${GPNERF_GIT_COMMIT:-unknown}, torch $(python3 -c 'import torch; print(torch.__version__)')" | tee -a "$LOGS/gpu.txt"
    CUDA_VISIBLE_DEVICES=0 $GPNERF synth --out data/builtin $SYNTH_ARGS --seed 0 > "$LOGS/synth.log" 2>&1
    tail -n 1 "$LOGS/synth.log"
    export GPUS; GPUS=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
    mkdir -p outputs/bench
    if [ "$GPUS" -ge 2 ]; then
      timeout -s KILL 120 python3 -m pytest -q -p no:cacheprovider tests/engine/test_gpu.py > "$LOGS/test_gpu.log" 2>&1
      tail -n 2 "$LOGS/test_gpu.log"
      for ranks in 1 2; do  # weak scaling: 512 rays per rank and step
        timeout 150 python3 -m torch.distributed.run --standalone --nproc-per-node $ranks benchmarks/bench_ddp.py \
          --preset paper-scannet --implementation fast --precision bf16 --warmup 5 --repeats 20 \
          --json outputs/bench/ddp_w$ranks.json --profile outputs/bench/ddp_profile > outputs/bench/ddp_w$ranks.log 2>&1
        tail -n 2 outputs/bench/ddp_w$ranks.log
      done
      python3 benchmarks/bench_ddp.py --compare outputs/bench/ddp_w1.json outputs/bench/ddp_w2.json | tee outputs/bench/ddp_compare.txt
    fi
    python3 -c "import time; print(time.time() + 60 * $TRAIN_MINUTES + 30)" > "$LOGS/deadline"
    export GPNERF LOGS SNAP
    setsid nohup bash -c "$(declare -f gpu0_chain finetune_chain latest_run); gpu0_chain" \
      > "$LOGS/gpu0_chain.log" 2>&1 < /dev/null &
    if [ "$GPUS" -ge 2 ]; then
      setsid nohup bash -c "$(declare -f gpu1_chain b model_rows bench_chain finetune_chain latest_run); gpu1_chain" \
        > "$LOGS/gpu1_chain.log" 2>&1 < /dev/null &
    else
      echo "one GPU: no gpu1 chain" > "$LOGS/gpu1.done"
    fi
    sleep 90; report; pack
    ;;
  wait)
    lpips_weights
    environment; cd "$SNAP"
    end=$((SECONDS + ${2:-500}))
    while [ $SECONDS -lt "$end" ]; do
      if [ -f "$LOGS/gpu0.done" ] && [ -f "$LOGS/gpu1.done" ]; then echo "both chains done"; break; fi
      sleep 20
    done
    report; pack
    ;;
  bench|graph|fused)  # one GPU, foreground: bench_chain (~7 min) or graph_chain alone (each row has its own time limit), then pack
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
    rm -rf "$SNAP" && mkdir -p "$SNAP" && cp -r src benchmarks experiments tests pyproject.toml "$SNAP"/
    environment; cd "$SNAP"; mkdir -p "$LOGS"
    nvidia-smi --query-gpu=index,name,memory.total,clocks.max.sm --format=csv,noheader | tee "$LOGS/gpu.txt"
    echo "commit ${GPNERF_GIT_COMMIT:-unknown}, torch $(python3 -c 'import torch; print(torch.__version__)')" | tee -a "$LOGS/gpu.txt"
    export CUDA_VISIBLE_DEVICES=0  # the whole chain under one limit, so the pack below always runs in the call
    export GPNERF LOGS; timeout "${BENCH_SECONDS:-540}" bash -c "$(declare -f b model_rows graph_training_run "$1"_chain); $1_chain" || echo "$1 chain stopped ($?)"
    pkill -f "benchmarks/(bench_model|profile_model).py" 2>/dev/null  # a row the limit cut short
    cat outputs/bench/table.md 2>/dev/null; tail -n 3 outputs/bench/*.log | cut -c1-200
    pack
    ;;
  pack) environment; cd "$SNAP"; report; pack ;;
  *) echo "usage: $0 start | wait SECONDS | pack | bench | graph | fused" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Call 1 of the twenty-seventh run (prepared 2026-12-05 on the CPU). The render's host-side gaps and per-launch weight
# kernels, from the twenty-sixth run's trace of main (docs/performance.md "Where the render's time is now"): 18.7 ms of
# the 274.9 ms span idle, 12.6 ms of it in 286 gaps of 10-100 us, nearly all while the host launches the encoder's
# ~650 kernels before the first chunk's graph (the GPU has nothing queued); and about 4,600 small kernels a frame
# (6.8 ms of device time, plus their launch gaps) that make the same kernel weights again for every chunk (casts,
# the FAT block's folded products W_1 W_Q, W_1 W_K, W_1 W_P2, the RAT block's [W_Q log2(e)/sqrt(d); W_K; W_V]).
#   head    = main (COMMIT, the tree .variants/head): each chunk replayed from its CUDA graph, the encoder, ray
#             geometry and head launched;
#   graph   = branch prepared-frame-graph: the whole frame (encoder, ray geometry, every chunk, head) one CUDA graph;
#   weights = branch prepared-frame-weights: graph + each layer's kernel weights made once a frame and shared by
#             every chunk's launches (GeneralizableTransformer.frame_weights, PreparedWeights).
# The compiled graphed render of the three side by side, then each alone (ALONE=1).
# Setup: bash docs/results/2026-12-05-h200-twentyseventh/setup.sh. Usage: COMMIT=<sha> bash
# docs/results/2026-12-05-h200-twentyseventh/call1.sh (carry .whl and .variants). Results: next1.tar.gz in $OUT.
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n1; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=4
pack() { tar czf $FINAL/next1.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
tree() { echo "$PWD/.variants/$1/src"; }  # head too: the checkout may be a prepared branch
row() { echo "$1|PYTHONPATH=/tmp/site:$(tree $1) GPNERF_GIT_COMMIT=${COMMIT:-unknown}$2|"; }
OUT=$OUT/render DEADLINE=250 KILL_AT=300 ALONE=1 ALONE_KILL_AT=85 \
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 15" \
  timeout -s KILL 570 bash benchmarks/side_by_side.sh "$(row head '')" "$(row graph +prepared-frame-graph)" \
  "$(row weights +prepared-frame-weights)"
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

#!/usr/bin/env bash
# Prepared for the thirty-third run: the thirty-first session's next/call2.sh for any tree of .variants (TREE, default
# head), run with that tree's own benchmarks: a trace of the graphed trainer step (profile_model.py --trace, three steps
# after the warm-up) summed by trace_summary.py. Then the inductor sources that define the kernels named in KERNELS
# (default: the fold's two backward reductions of the thirty-second run's trace, 0.88 ms a step) are copied from the
# machine's inductor cache, to read which reductions they are. Carry .whl and .variants. Usage:
#   COMMIT=... TREE=layout [KERNELS="name ..."] bash .../trace_tree.sh   (about 70 s with a warm cache, 400 s cold)
# Results: $OUT/trace.tar.gz
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/trace_${TREE:-head}; rm -rf $OUT; mkdir -p $OUT/kernels  # a machine may keep /tmp from earlier runs
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 TORCHINDUCTOR_COMPILE_THREADS=8
pack() { tar czf $FINAL/trace.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 20; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
TREE_DIR=$PWD/.variants/${TREE:-head}
(cd $TREE_DIR && env $(cat env 2>/dev/null) GPNERF_GIT_COMMIT=${COMMIT:-unknown}$(cat label 2>/dev/null) \
  PYTHONPATH=/tmp/site:$TREE_DIR/src timeout -s KILL 540 python3 benchmarks/profile_model.py --device cuda \
  --preset paper-scannet --implementation fast --precision bf16 --what train --trainer-step --compile --cuda-graph \
  --trace --steps 3 --row-limit 60 --out $OUT/profile > $OUT/profile.log 2>&1)
for t in $OUT/profile/*_trace.json.gz; do
  python3 $TREE_DIR/benchmarks/trace_summary.py "$t" --top 40 --gap-ms 0.01 > "${t%.json.gz}_summary.txt" 2>&1
  head -n 30 "${t%.json.gz}_summary.txt"
done
CACHE=${TORCHINDUCTOR_CACHE_DIR:-/tmp/torchinductor_$(whoami)}
for name in ${KERNELS:-triton_per_fused_mul_squeeze_sum_3 \
    triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_unsqueeze_view_2}; do
  # the compiled modules that launch the kernel (recently written: this run's compilation, or its cache hits)
  grep -rl --include='*.py' "def $name\|$name = async_compile" $CACHE 2>/dev/null | head -n 4 | while read -r f; do
    cp "$f" $OUT/kernels/; echo "$name: $(basename $f)"; done
done
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

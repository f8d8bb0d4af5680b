#!/usr/bin/env bash
# NOT RUN (the twenty-sixth run's call 3 bisected a test failure instead: call3/command.txt). Prepared in the
# twenty-sixth session, no device time. Kernels alone and the render's matrix products:
# (1) the contraction (bench_contraction.py --sweep-launches) and the block tail (bench_block_tail.py --sweep-launches)
# at a chunk's shapes, head against .variants/all (call1.sh says how to build it); (2) every matrix product of one
# eager fast bf16 render on the GPU with its shapes, strides and dtypes (a TorchDispatchMode around render_image, fused
# kernels on), to name the products behind the nvjet kernels and to confirm that no N = 3 product is left: the two
# magma_sgemmEx kernels of the twenty-fifth run's trace (6.9 ms a frame, 32 calls each) were, by their call counts and
# bf16 operands, the projection's, which main 1e352f3 applies as elementwise products.
# Usage: COMMIT=<sha> bash docs/results/2026-12-05-h200-twentysixth/call3.sh (carry .whl and .variants).
set -uo pipefail
start=$(date +%s)
FINAL=$OUT; OUT=/tmp/n3; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1
pack() { tar czf $FINAL/next3.tar.gz -C $OUT --exclude='*.pickle' . ; }
( while sleep 15; do pack; done ) & PACKER=$!
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
tree() { [ "$1" = head ] && echo "$PWD/src" || echo "$PWD/.variants/$1/src"; }
scripts() { [ "$1" = head ] && echo "$PWD/benchmarks" || echo "$PWD/.variants/$1/benchmarks"; }  # its own benchmarks
cat > /tmp/products.py <<'PY'
import sys
from collections import Counter
from dataclasses import replace

import torch
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, "benchmarks")
import bench_model  # noqa: E402
from gpnerf.model import GPNeRF  # noqa: E402

PRODUCTS = {torch.ops.aten.mm.default: (0, 1), torch.ops.aten.addmm.default: (1, 2), torch.ops.aten.bmm.default: (0, 1),
            torch.ops.aten.baddbmm.default: (1, 2)}


class Log(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.calls = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func in PRODUCTS:
            a, b = (args[i] for i in PRODUCTS[func])
            self.calls[(str(func).split(".")[1], tuple(a.shape), a.stride(), tuple(b.shape), b.stride(), str(a.dtype),
                        str(b.dtype), str(out.dtype), out.stride())] += 1
        return out


args = bench_model.parse_args(["--preset", "paper-scannet", "--implementation", "fast", "--precision", "bf16",
                               "--device", "cuda", "--what", "render", "--chunk", "4800"])
torch.manual_seed(0)
model = GPNeRF(bench_model.build_config(args), args.num_classes).cuda().eval()
episode = bench_model.random_episode(args.views, args.height, args.width, args.rays, args.num_classes).to("cuda")
with torch.autocast("cuda", dtype=torch.bfloat16):
    model.render_image(replace(episode, ray_indices=None), chunk_rays=4800)  # warm-up: autotuning
    with Log() as log:
        model.render_image(replace(episode, ray_indices=None), chunk_rays=4800)
for key, count in sorted(log.calls.items(), key=lambda item: -item[1]):
    print(count, *key)
PY
for v in head all; do
  left=$(( 420 - ($(date +%s) - start) ))
  [ $left -gt 30 ] || break
  PYTHONPATH=/tmp/site:$(tree $v) timeout -s KILL $(( left / 2 )) python3 $(scripts $v)/bench_contraction.py --device cuda \
    --sweep-launches --json $OUT/contraction_$v.json > $OUT/contraction_$v.log 2>&1
  PYTHONPATH=/tmp/site:$(tree $v) timeout -s KILL 90 python3 $(scripts $v)/bench_block_tail.py --device cuda \
    --sweep-launches --json $OUT/tail_$v.json > $OUT/tail_$v.log 2>&1
  echo "[$(( $(date +%s) - start )) s] $v: $(grep -E "^\|" $OUT/contraction_$v.log | head -6 | tr "\n" " ")"
  echo "[$(( $(date +%s) - start )) s] $v: $(grep -E "^\|" $OUT/tail_$v.log | head -6 | tr "\n" " ")"
done
left=$(( 570 - ($(date +%s) - start) ))
[ $left -gt 30 ] && PYTHONPATH=/tmp/site:$(tree head) timeout -s KILL $left python3 /tmp/products.py \
  > $OUT/products.txt 2>&1
head -n 40 $OUT/products.txt
kill $PACKER; wait
echo "[$(( $(date +%s) - start )) s] done"; pack

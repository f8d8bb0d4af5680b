"""One launch of the RAT kernel at one shape, warp count and input dtype, outside the autotuner, against the block's
PyTorch ops under bf16 autocast (call3.sh runs each in a process of its own, with CUDA_LAUNCH_BLOCKING=1, to find the
launch behind the bf16 test's illegal memory access in the twenty-seventh run's call 2).
Usage: python3 rat_warps.py D HEADS RAYS SAMPLES WARPS float32|bfloat16"""

import os
import sys

import torch

sys.path.insert(0, "tests/model")
from test_fused_ray_attention import rat_block  # noqa: E402

from gpnerf.model import fused_ray_attention as fused  # noqa: E402
from gpnerf.model.triton_support import LOG2E  # noqa: E402

d, heads, rays, samples, warps = (int(a) for a in sys.argv[1:6])
dtype = getattr(torch, sys.argv[6])
device = os.environ.get("DEVICE", "cuda")  # DEVICE=cpu TRITON_INTERPRET=1: the script checked on the CPU
block, x = rat_block(d, heads, (rays, samples), device=device)
x = x.to(dtype)
with torch.no_grad(), torch.autocast(device, dtype=torch.bfloat16):
    d_head = d // heads
    qkv = torch.cat([block.q_fc.weight * d_head**-0.5 * LOG2E, block.k_fc.weight, block.v_fc.weight])
    arguments, constants = fused.kernel_arguments(x, block.attn_norm, qkv, heads, torch.bfloat16)
    fused._fused_ray_attention_kernel.fn[(rays,)](*arguments, **constants, num_warps=warps)
    if device == "cuda":
        torch.cuda.synchronize()
    out = arguments[4]
    h = block.attn_norm(x)
    q, k, v = (t.unflatten(-1, (heads, -1)).transpose(1, 2) for t in (h @ w.t() for w in qkv.split(d)))
    attention = torch.softmax((q.float() @ k.float().transpose(-1, -2)) / LOG2E, dim=-1)
    expected = (attention.to(torch.bfloat16) @ v).transpose(1, 2).flatten(-2)
    error = float((out.double() - expected.double()).norm() / expected.double().norm())
print(f"rat d={d} heads={heads} {rays}x{samples} warps={warps} x={sys.argv[6]}: ok, out error {error:.2e}")

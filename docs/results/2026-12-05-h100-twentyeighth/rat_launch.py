"""One launch of the RAT kernel outside the autotuner at one shape, warp count and summary setting, bf16 input under
bf16 autocast, against the block's PyTorch ops: ``A V`` (out), the column means and the first row, each as a relative
error (rat_summaries.sh runs each in a process of its own with CUDA_LAUNCH_BLOCKING=1). The twenty-seventh run's
rat_warps.py with the summaries switchable.
Usage: python3 rat_launch.py D HEADS RAYS SAMPLES WARPS WITH_COLUMN_MEAN(0|1) WITH_FIRST_ROW(0|1)"""

import os
import sys

import torch

sys.path.insert(0, "tests/model")
from test_fused_ray_attention import rat_block  # noqa: E402

from gpnerf.model import fused_ray_attention as fused  # noqa: E402
from gpnerf.model.triton_support import LOG2E  # noqa: E402

d, heads, rays, samples, warps, column_mean, first_row = (int(a) for a in sys.argv[1:8])
device = os.environ.get("DEVICE", "cuda")  # DEVICE=cpu TRITON_INTERPRET=1 DTYPE=float32: the script checked on the CPU
dtype = getattr(torch, os.environ.get("DTYPE", "bfloat16"))  # the interpreter computes float32 only
block, x = rat_block(d, heads, (rays, samples), device=device)
x = x.to(dtype)


def relative(got: torch.Tensor, expected: torch.Tensor) -> float:
    return float((got.double() - expected.double()).norm() / expected.double().norm())


with torch.no_grad(), torch.autocast(device, dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
    qkv = torch.cat([block.q_fc.weight * (d // heads) ** -0.5 * LOG2E, block.k_fc.weight, block.v_fc.weight])
    arguments, constants = fused.kernel_arguments(
        x, block.attn_norm, qkv, heads, dtype, bool(column_mean), bool(first_row)
    )
    fused._fused_ray_attention_kernel.fn[(rays,)](*arguments, **constants, num_warps=warps)
    if device == "cuda":
        torch.cuda.synchronize()
    out, got_column_mean, got_first_row = arguments[fused.OUTPUTS]
    h = block.attn_norm(x)
    q, k, v = (t.unflatten(-1, (heads, -1)).transpose(1, 2) for t in (h @ w.t() for w in qkv.split(d)))
    attention = torch.softmax((q.float() @ k.float().transpose(-1, -2)) / LOG2E, dim=-1)  # (rays, heads, s, s)
    expected = (attention.to(v.dtype) @ v).transpose(1, 2).flatten(-2)
    errors = [f"out {relative(out, expected):.2e}"]
    if column_mean:
        errors.append(f"column_mean {relative(got_column_mean, attention.to(v.dtype).float().mean(2)):.2e}")
    if first_row:
        errors.append(f"first_row {relative(got_first_row, attention[:, :, 0]):.2e}")
print(f"rat d={d} heads={heads} {rays}x{samples} warps={warps} column_mean={column_mean} first_row={first_row}: "
      + ", ".join(errors))

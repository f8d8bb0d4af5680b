"""The RAT kernel's 4-warp launch (wrong A V on the card: callA, 2026-12-05) with the kernel's source changed one way
at a time, to find a form the compiler gets right: barriers between the heads' products, V projected first, A V
computed transposed. One launch at one shape and summary setting, bf16 input under bf16 autocast, against the block's
PyTorch ops (as rat_launch.py), then the launch timed (CUDA events, median of 50).
Usage: python3 rat_variants.py VARIANT SAMPLES WARPS WITH_COLUMN_MEAN WITH_FIRST_ROW (from the head tree's root)"""

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, "tests/model")
from test_fused_ray_attention import rat_block  # noqa: E402

from gpnerf.model.triton_support import LOG2E  # noqa: E402

SOURCE = Path("src/gpnerf/model/fused_ray_attention.py").read_text()
LOOP = "        for head in tl.static_range(HEADS):\n"
V_LINE = "            v = _head_projection(h, qkv_w_ptr, 2 * D + head * D_HEAD, D, D_HEAD, D_HEAD_PAD, IEEE)\n"
Q_LINE = "            q = _head_projection(h, qkv_w_ptr, head * D_HEAD, D, D_HEAD, D_HEAD_PAD, IEEE)\n"
OUT_LINE = "            out = dot(probabilities, v, IEEE)  # (S_PAD, D_HEAD_PAD)\n"
BARRIER = "            tl.debug_barrier()\n"
VARIANTS = {
    "none": [],
    "barrier_loop": [(LOOP, LOOP + BARRIER)],
    "barrier_v": [(V_LINE, V_LINE + BARRIER)],
    "barrier_out": [(OUT_LINE, OUT_LINE + BARRIER)],
    "barrier_all": [(LOOP, LOOP + BARRIER), (V_LINE, V_LINE + BARRIER), (OUT_LINE, OUT_LINE + BARRIER)],
    "v_first": [(V_LINE, ""), (Q_LINE, V_LINE + Q_LINE)],
    "transposed": [(OUT_LINE, "            out = tl.trans(dot(tl.trans(v), tl.trans(probabilities), IEEE))\n")],
}


def load(variant: str):
    source = SOURCE
    for old, new in VARIANTS[variant]:
        assert source.count(old) == 1, (variant, old)
        source = source.replace(old, new)
    path = Path(tempfile.mkdtemp()) / f"rat_{variant}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"rat_{variant}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def relative(got: torch.Tensor, expected: torch.Tensor) -> float:
    return float((got.double() - expected.double()).norm() / expected.double().norm())


variant = sys.argv[1]
samples, warps, column_mean, first_row = (int(a) for a in sys.argv[2:6])
device = os.environ.get("DEVICE", "cuda")  # DEVICE=cpu TRITON_INTERPRET=1 DTYPE=float32: checked on the CPU
dtype = getattr(torch, os.environ.get("DTYPE", "bfloat16"))
fused = load(variant)
d, heads, rays = 64, 4, int(os.environ.get("RAYS", 4800))
block, x = rat_block(d, heads, (rays, samples), device=device)
x = x.to(dtype)
with torch.no_grad(), torch.autocast(device, dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
    qkv = torch.cat([block.q_fc.weight * (d // heads) ** -0.5 * LOG2E, block.k_fc.weight, block.v_fc.weight])
    arguments, constants = fused.kernel_arguments(
        x, block.attn_norm, qkv, heads, dtype, bool(column_mean), bool(first_row)
    )

    def launch():
        fused._fused_ray_attention_kernel.fn[(rays,)](*arguments, **constants, num_warps=warps)

    launch()
    if device == "cuda":
        torch.cuda.synchronize()
    out, got_column_mean, got_first_row = arguments[fused.OUTPUTS]
    h = block.attn_norm(x)
    q, k, v = (t.unflatten(-1, (heads, -1)).transpose(1, 2) for t in (h @ w.t() for w in qkv.split(d)))
    attention = torch.softmax((q.float() @ k.float().transpose(-1, -2)) / LOG2E, dim=-1)
    expected = (attention.to(v.dtype) @ v).transpose(1, 2).flatten(-2)
    errors = [f"out {relative(out, expected):.2e}"]
    if column_mean:
        errors.append(f"column_mean {relative(got_column_mean, attention.to(v.dtype).float().mean(2)):.2e}")
    if first_row:
        errors.append(f"first_row {relative(got_first_row, attention[:, :, 0]):.2e}")
    timing = ""
    if device == "cuda":
        times = []
        for _ in range(50):
            begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            begin.record()
            launch()
            end.record()
            end.synchronize()
            times.append(begin.elapsed_time(end))
        timing = f", {sorted(times)[len(times) // 2]:.4f} ms"
print(f"variant {variant} {rays}x{samples} warps={warps} c={column_mean} f={first_row}: " + ", ".join(errors) + timing)

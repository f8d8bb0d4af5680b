"""The projection and PE(x) terms kernels of one tree, timed alone at a render chunk's shapes, their outputs saved
for comparison with another tree's (prepared 2026-12-05, thirtieth session). Run once per tree:

    PYTHONPATH=.variants/head/src python3 kernel_times.py time head.pt
    PYTHONPATH=.variants/new/src python3 kernel_times.py time new.pt
    python3 kernel_times.py compare head.pt new.pt

Shapes: 4,800 rays x 48 (coarse), x 64 (fine) and x 16 samples, 10 views at 240 x 320, bf16 autocast as the render
runs them; the PE(x) terms for 8 layers' q_fcs of d_rgb 64 and 10 octaves. Median of 50 CUDA-event-timed launches
after warm-up (the PE(x) kernel's autotuning included in the warm-up). A dry run on the CPU: ``TRITON_INTERPRET=1
DEVICE=cpu RAYS=4 python3 kernel_times.py time x.pt`` (the interpreter; wall-clock times, meaningless)."""

import json
import os
import sys
import time

import torch

LAUNCHES = ((32, 2), (32, 4), (64, 2), (64, 4), (64, 8), (128, 4), (128, 8))
"""Projection kernel launches (points a program, warps) timed beside the default one."""
DEVICE = os.environ.get("DEVICE", "cuda")
RAYS = int(os.environ.get("RAYS", 4800))


def median_ms(fn, repeats: int = 50) -> float:
    for _ in range(5 if DEVICE == "cuda" else 1):
        fn()
    times = []
    if DEVICE != "cuda":
        start = time.perf_counter()
        fn()
        return (time.perf_counter() - start) * 1e3
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def time_tree(path: str) -> None:
    from torch import nn

    from gpnerf.geometry import Cameras, intrinsics_from_fov
    from gpnerf.model.fused_position_terms import position_terms_fused, position_weight
    import triton

    from gpnerf.model import fused_projection
    from gpnerf.model.fused_projection import project_points_fused

    g = torch.Generator(device=DEVICE).manual_seed(0)
    views = 10
    K = intrinsics_from_fov(320, 240, 60.0).to(DEVICE).expand(views, 3, 3).contiguous()
    rotation, _ = torch.linalg.qr(torch.randn(views, 3, 3, device=DEVICE, generator=g))
    poses = torch.eye(4, device=DEVICE).repeat(views, 1, 1)
    poses[:, :3, :3] = rotation * torch.det(rotation)[:, None, None].sign()
    poses[:, :3, 3] = torch.randn(views, 3, device=DEVICE, generator=g) * 2
    cameras = Cameras(K=K, world_from_cam=poses, height=240, width=320)
    target = torch.randn(3, device=DEVICE, generator=g)
    torch.manual_seed(0)
    q_fcs = nn.ModuleList([nn.Sequential(nn.Linear(64 + 2 * 63, 64)) for _ in range(8)]).to(DEVICE)
    results, outputs = {"device": torch.cuda.get_device_name() if DEVICE == "cuda" else DEVICE}, {}
    for samples in (48, 64, 16):
        xyz = torch.randn(RAYS, samples, 3, device=DEVICE, generator=g) * 3
        with torch.no_grad(), torch.autocast(DEVICE, dtype=torch.bfloat16):
            weight = position_weight(q_fcs, 63, torch.bfloat16)
            results[f"projection {samples}"] = median_ms(lambda: project_points_fused(xyz, cameras, target))
            arguments, constants, _ = fused_projection.kernel_arguments(xyz, cameras, target)
            for block, warps in LAUNCHES:  # the launch shapes around the default (64 points, 4 warps)
                launch = dict(constants, BLOCK_POINTS=block)
                grid = (triton.cdiv(xyz.shape[0] * samples, block),)
                results[f"projection {samples} at {block} x {warps}"] = median_ms(
                    lambda: fused_projection._project_points_kernel[grid](*arguments, **launch, num_warps=warps)
                )
            results[f"position terms {samples}"] = median_ms(lambda: position_terms_fused(xyz, weight, 10))
            projected = project_points_fused(xyz, cameras, target)
            outputs[samples] = (projected.uv_pix, projected.valid, projected.relative_direction,
                                position_terms_fused(xyz, weight, 10))
    print(json.dumps({k: round(v * 1e3, 1) if isinstance(v, float) else v for k, v in results.items()}), "(us)")
    torch.save({"results": results, "outputs": outputs}, path)


def compare(first: str, second: str) -> None:
    a, b = torch.load(first), torch.load(second)
    for samples in a["outputs"]:
        for name, x, y in zip(("uv", "valid", "direction", "position terms"), a["outputs"][samples],
                              b["outputs"][samples]):
            same = torch.equal(x, y)
            difference = 0.0 if same or x.dtype == torch.bool else float((x.float() - y.float()).abs().max())
            print(f"{samples} samples, {name}: equal {same}, largest difference {difference:.3g}"
                  + ("" if x.dtype != torch.bool else f", {int((x != y).sum())} differ"))


if __name__ == "__main__":
    {"time": time_tree, "compare": compare}[sys.argv[1]](*sys.argv[2:])

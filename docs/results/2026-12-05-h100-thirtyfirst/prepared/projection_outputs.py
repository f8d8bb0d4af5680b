"""Where two trees' projection kernels differ (thirty-first session): the thirtieth run's kernel_times.py found the uv
of main's kernel and the vector-store kernel's not bitwise equal on an H100 (largest difference 1.57e6 px at 48
samples) while valid and direction were. This script says where the differences lie:

    PYTHONPATH=TREE/src:TREE/tests/model python3 projection_outputs.py save OUT.pt   # once per tree
    PYTHONPATH=TREE/src:TREE/tests/model python3 projection_outputs.py compare A.pt B.pt

For each of 48, 64 and 16 samples at 4,800 rays (kernel_times.py's scene: same seed, same draws), it prints how many
uv coordinates differ, the largest difference among valid points and among the others, and for each tree the largest
ratio of its error against the float64 projection to the float32 bound of test_fused_projection.py (at most 1 is what
that test asserts)."""

import os
import sys

import torch

DEVICE = os.environ.get("DEVICE", "cuda")
RAYS = int(os.environ.get("RAYS", 4800))


def scene(samples_list=(48, 64, 16)):
    """kernel_times.py's cameras and points, drawn in its order (its q_fcs draw no generator numbers)."""
    from gpnerf.geometry import Cameras, intrinsics_from_fov

    g = torch.Generator(device=DEVICE).manual_seed(0)
    views = 10
    K = intrinsics_from_fov(320, 240, 60.0).to(DEVICE).expand(views, 3, 3).contiguous()
    rotation, _ = torch.linalg.qr(torch.randn(views, 3, 3, device=DEVICE, generator=g))
    poses = torch.eye(4, device=DEVICE).repeat(views, 1, 1)
    poses[:, :3, :3] = rotation * torch.det(rotation)[:, None, None].sign()
    poses[:, :3, 3] = torch.randn(views, 3, device=DEVICE, generator=g) * 2
    cameras = Cameras(K=K, world_from_cam=poses, height=240, width=320)
    target = torch.randn(3, device=DEVICE, generator=g)
    for samples in samples_list:
        yield samples, torch.randn(RAYS, samples, 3, device=DEVICE, generator=g) * 3, cameras, target


def save(path: str) -> None:
    from gpnerf.model.fused_projection import project_points_fused
    from test_fused_projection import float32_error_bound

    outputs = {}
    for samples, xyz, cameras, target in scene():
        with torch.no_grad(), torch.autocast(DEVICE, dtype=torch.bfloat16):
            projected = project_points_fused(xyz, cameras, target)
        exact, bound = float32_error_bound(xyz, cameras)
        outputs[samples] = {"uv": projected.uv_pix.cpu(), "valid": projected.valid.cpu(), "exact": exact.cpu(),
                            "bound": bound.cpu()}
    torch.save(outputs, path)


def compare(first: str, second: str) -> None:
    a, b = torch.load(first), torch.load(second)
    for samples in a:
        x, y = a[samples], b[samples]
        valid = x["valid"].permute(2, 0, 1).unsqueeze(-1).expand_as(x["uv"])  # valid: (rays, samples, views)
        differ = x["uv"] != y["uv"]
        difference = (x["uv"].double() - y["uv"].double()).abs()
        on_valid = float(difference[valid].max()) if bool(valid.any()) else 0.0
        off_valid = float(difference[~valid].max()) if bool((~valid).any()) else 0.0
        bounded = x["bound"].isfinite()
        ratios = [float(((t["uv"].double() - t["exact"]).abs() / t["bound"])[bounded].max()) for t in (x, y)]
        print(f"{samples} samples: {int(differ.sum())} of {differ.numel()} uv coordinates differ "
              f"({int(differ[valid].sum())} of valid points'); largest difference on valid points {on_valid:.3g} px, "
              f"on the others {off_valid:.3g} px; largest error / float32 bound: first {ratios[0]:.3g}, "
              f"second {ratios[1]:.3g}")


if __name__ == "__main__":
    {"save": save, "compare": compare}[sys.argv[1]](*sys.argv[2:])

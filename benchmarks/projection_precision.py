"""How far autocast moves the projected pixels: gpnerf's camera geometry against the same maps as matrix products.

    PYTHONPATH=src python benchmarks/projection_precision.py [--views 8] [--points 2000] [--seed 0]

Cameras a few metres apart in a 6 x 4 x 3 m room, each looking at a point in it, 320 x 240 pixels, 60 degrees of
horizontal field of view; points 1-5 m in front of each camera at random pixels. Each point is projected back into
its camera under CPU autocast (bf16 and fp16) by :func:`gpnerf.geometry.project` (every 3 x 3 matrix applied as
elementwise float32 products) and by the matrix-product form it replaced (``x @ R^T + t``, ``x @ K^T``, the rigid
inverse's ``-R^T t`` a product too), against float64. Prints a table of the mean and largest pixel error and returns
the rows. CPU only; no tyro: argparse only.
"""

import argparse

import torch

from gpnerf.geometry import intrinsics_from_fov, project, unproject

ROOM = torch.tensor([6.0, 4.0, 3.0], dtype=torch.float64)
"""The room's extent in metres, one corner at the origin."""


def look_at(eye: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``(4, 4)`` world_from_cam of an OpenCV camera at ``eye`` looking at ``target`` (world z up)."""
    forward = torch.nn.functional.normalize(target - eye, dim=0)
    up = torch.tensor([0.0, 0.0, 1.0], dtype=eye.dtype)
    right = torch.nn.functional.normalize(torch.linalg.cross(forward, up), dim=0)
    down = torch.linalg.cross(forward, right)
    pose = torch.eye(4, dtype=eye.dtype)
    pose[:3, :3] = torch.stack([right, down, forward], dim=1)
    pose[:3, 3] = eye
    return pose


def room_rig(views: int, points: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """float64 ``(views, points, 3)`` world points, ``(views, 3, 3)`` K and ``(views, 4, 4)`` poses."""
    generator = torch.Generator().manual_seed(seed)
    eyes = ROOM * (0.2 + 0.6 * torch.rand(views, 3, generator=generator, dtype=torch.float64))
    targets = ROOM * torch.rand(views, 3, generator=generator, dtype=torch.float64)
    poses = torch.stack([look_at(eye, target) for eye, target in zip(eyes, targets)])
    K = intrinsics_from_fov(320, 240, 60.0).double().expand(views, 3, 3)
    uv = torch.rand(views, points, 2, generator=generator, dtype=torch.float64) * torch.tensor([319.0, 239.0]).double()
    depth = 1 + 4 * torch.rand(views, points, generator=generator, dtype=torch.float64)
    return unproject(uv, depth, K, poses), K, poses


def matrix_product_projection(xyz: torch.Tensor, K: torch.Tensor, poses: torch.Tensor) -> torch.Tensor:
    """The pixels as the camera geometry computed them before it applied its matrices elementwise."""
    rotation_t = poses[..., :3, :3].transpose(-1, -2)
    translation = -(rotation_t @ poses[..., :3, 3:])
    xyz_cam = xyz @ rotation_t.transpose(-1, -2) + translation.transpose(-1, -2)
    pix = xyz_cam @ K.transpose(-1, -2)
    return pix[..., :2] / pix[..., 2:]


def run(args: argparse.Namespace) -> list[dict]:
    xyz, K, poses = room_rig(args.views, args.points, args.seed)
    expected, _ = project(xyz, K, poses)
    forms = {"gpnerf.geometry.project": lambda *a: project(*a)[0], "matrix products": matrix_product_projection}
    rows = []
    for dtype in (torch.bfloat16, torch.float16):
        for name, form in forms.items():
            with torch.autocast("cpu", dtype=dtype):
                got = form(xyz.float(), K.float(), poses.float())
            error = (got.double() - expected).norm(dim=-1)
            rows.append({"autocast": str(dtype).removeprefix("torch."), "form": name,
                         "mean_px": float(error.mean()), "max_px": float(error.max())})
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=8)
    parser.add_argument("--points", type=int, default=2000, help="points per view")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = run(args)
    print(f"{args.views} views x {args.points} points, 320 x 240, against float64")
    print("| autocast | form | mean px | max px |\n|---|---|---|---|")
    for row in rows:
        print(f"| {row['autocast']} | {row['form']} | {row['mean_px']:.2e} | {row['max_px']:.2e} |")
    return rows


if __name__ == "__main__":
    main()

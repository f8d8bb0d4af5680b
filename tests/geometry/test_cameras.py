import math

import pytest
import torch

from gpnerf.geometry import (
    Cameras,
    intrinsics_from_fov,
    invert_rigid,
    pixel_centers_from_indices,
    pixel_grid,
    project,
    rays_from_pixels,
    scale_intrinsics,
    transform,
    unproject,
)


def random_pose(generator: torch.Generator) -> torch.Tensor:
    q, _ = torch.linalg.qr(torch.randn(3, 3, generator=generator, dtype=torch.float64))
    if torch.det(q) < 0:
        q[:, 0] = -q[:, 0]
    pose = torch.eye(4, dtype=torch.float64)
    pose[:3, :3] = q
    pose[:3, 3] = torch.randn(3, generator=generator, dtype=torch.float64)
    return pose


def test_replica_intrinsics_from_fov():
    K = intrinsics_from_fov(640, 480, 90.0)
    assert torch.allclose(K, torch.tensor([[320.0, 0, 319.5], [0, 320.0, 239.5], [0, 0, 1]]))


def test_point_ahead_projects_to_principal_point():
    g = torch.Generator().manual_seed(1)
    pose = random_pose(g)
    K = intrinsics_from_fov(64, 48, 70.0).double()
    xyz = (pose[:3, :3] @ torch.tensor([0.0, 0.0, 2.0], dtype=torch.float64) + pose[:3, 3])[None]
    uv, z = project(xyz, K, pose)
    assert torch.allclose(uv[0], K[:2, 2], atol=1e-9)
    assert torch.allclose(z, torch.tensor([2.0], dtype=torch.float64))


@pytest.mark.parametrize("num_points", [1, 7, 100])
def test_project_unproject_round_trip(num_points):
    g = torch.Generator().manual_seed(num_points)
    pose = random_pose(g)
    K = intrinsics_from_fov(32, 24, 90.0).double()
    uv = torch.rand(num_points, 2, generator=g, dtype=torch.float64) * 30
    depth = torch.rand(num_points, generator=g, dtype=torch.float64) * 5 + 0.1
    xyz = unproject(uv, depth, K, pose)
    uv2, depth2 = project(xyz, K, pose)
    assert torch.allclose(uv2, uv, atol=1e-9)
    assert torch.allclose(depth2, depth, atol=1e-9)


def test_ray_parameter_is_z_depth():
    g = torch.Generator().manual_seed(3)
    pose = random_pose(g)
    K = intrinsics_from_fov(32, 24, 90.0).double()
    uv = pixel_grid(24, 32).double()
    o, d = rays_from_pixels(uv, K, pose)
    _, z = project(o + 3.0 * d, K, pose)
    assert torch.allclose(z, torch.full_like(z, 3.0), atol=1e-9)


def test_batched_projection_broadcasts_over_cameras():
    g = torch.Generator().manual_seed(4)
    poses = torch.stack([random_pose(g) for _ in range(3)])
    K = intrinsics_from_fov(32, 24, 90.0).double().expand(3, 3, 3)
    xyz = torch.randn(5, 3, generator=g, dtype=torch.float64)
    uv, z = project(xyz[None].expand(3, 5, 3), K, poses)
    for i in range(3):
        uv_i, z_i = project(xyz, K[i], poses[i])
        assert torch.allclose(uv[i], uv_i) and torch.allclose(z[i], z_i)


def test_invert_rigid():
    g = torch.Generator().manual_seed(5)
    pose = random_pose(g)
    assert torch.allclose(invert_rigid(pose) @ pose, torch.eye(4, dtype=torch.float64), atol=1e-12)


def test_scale_intrinsics_maps_pixel_grids_consistently():
    # The centre of the 2x2 block of full-res pixels (0..1, 0..1) is the centre of half-res pixel 0.
    K = intrinsics_from_fov(64, 48, 90.0).double()
    K_half = scale_intrinsics(K, 0.5, 0.5)
    g = torch.Generator().manual_seed(6)
    pose = random_pose(g)
    xyz = unproject(torch.tensor([[0.5, 0.5]], dtype=torch.float64), torch.tensor([2.0], dtype=torch.float64), K, pose)
    uv_half, _ = project(xyz, K_half, pose)
    assert torch.allclose(uv_half, torch.zeros(1, 2, dtype=torch.float64), atol=1e-9)
    assert math.isclose(K_half[0, 2].item(), 15.5)


def test_pixel_indices_are_row_major():
    grid = pixel_grid(3, 5)
    idx = torch.tensor([0, 4, 5, 14])
    assert torch.equal(pixel_centers_from_indices(idx, 5), grid[idx])


def test_cameras_validate_shapes():
    with pytest.raises(ValueError, match=r"world_from_cam must have shape \(cams, 4, 4\)"):
        Cameras(torch.eye(3)[None], torch.eye(3)[None], 4, 4)
    with pytest.raises(ValueError, match="has 2 cameras but world_from_cam has 1"):
        Cameras(torch.eye(3).expand(2, 3, 3), torch.eye(4)[None], 4, 4)


def test_transform_is_the_matrix_product_with_broadcast_batches():
    g = torch.Generator().manual_seed(7)
    matrix = torch.randn(4, 1, 3, 5, generator=g, dtype=torch.float64)
    vectors = torch.randn(6, 7, 5, generator=g, dtype=torch.float64)
    got = transform(matrix, vectors)
    assert got.shape == (4, 6, 7, 3)
    assert torch.allclose(got, vectors @ matrix.transpose(-1, -2), atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_projection_and_rays_stay_float32_under_autocast(dtype):
    """The fast path trains and renders under autocast, which runs matrix products in bf16: as products, the
    projection into 320 x 240 views of cameras in a room was 1.7 px off on average, 17 px at most (the rotation,
    the translation and K rounded to 8 bits; benchmarks/projection_precision.py). Elementwise products keep it
    float32: the same values as without autocast, and within 1e-3 px of float64."""
    g = torch.Generator().manual_seed(8)
    poses = torch.stack([random_pose(g) for _ in range(4)])
    poses[:, :3, 3] *= 3.0  # cameras a few metres from the origin, as in a room
    K = intrinsics_from_fov(320, 240, 60.0).double().expand(4, 3, 3)
    uv = torch.rand(4, 500, 2, generator=g, dtype=torch.float64) * torch.tensor([319.0, 239.0], dtype=torch.float64)
    depth = torch.rand(4, 500, generator=g, dtype=torch.float64) * 4 + 1
    xyz = unproject(uv, depth, K, poses)  # (4, 500, 3) points in each view
    expected, _ = project(xyz, K, poses)
    xyz32, K32, poses32, uv32 = xyz.float(), K.float(), poses.float(), uv.float()
    plain, _ = project(xyz32, K32, poses32)
    plain_rays = rays_from_pixels(uv32, K32, poses32)
    with torch.autocast("cpu", dtype=dtype):
        got, _ = project(xyz32, K32, poses32)
        got_rays = rays_from_pixels(uv32, K32, poses32)
    assert got.dtype == torch.float32
    assert torch.equal(got, plain)
    assert all(torch.equal(a, b) for a, b in zip(got_rays, plain_rays))
    assert float((got.double() - expected).abs().max()) <= 1e-3

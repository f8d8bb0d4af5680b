"""The projection kernel against ``project_points`` (gpnerf.model.fused_projection).

On the CPU the kernel runs under the Triton interpreter (``TRITON_INTERPRET=1``, in a subprocess: this file run as a
script). Both compute in float32 with the same formulas in the same order; fused multiply-adds (and, on the GPU, the
compiled reference's own) round differently. Tolerances: pixel coordinates, the kernel's and the reference's alike,
within :func:`float32_error_bound` of the projection computed in float64 (a point near a camera's z = 0 plane takes a
depth that cancels to a few ulps of its terms and lands far outside the image: the GPU test's 2.3 million points met
float32 pixel coordinates 2e8 px from the float64 ones there, so no bound relative to the pixel alone holds); validity
equal except within ``1e-3`` px of the image's edges (where one rounding can
move a point across); the relative direction's cosine ``1e-5``, its unit vector ``1e-5`` divided by the norm of
the difference it normalises (a difference of two unit vectors near each other loses that many digits), checked
where that norm exceeds ``1e-3``. Under autocast the relative direction is the float32 one rounded to the autocast
dtype: exactly on the GPU, within one bf16 step under the interpreter (which truncates).
"""

import pytest
import torch

from gpnerf.geometry import Cameras, intrinsics_from_fov, invert_rigid, project
from gpnerf.model.fused_projection import project_points_fused, projection_kernel_supported
from gpnerf.model.projection import project_points
from triton_checks import compile_for_hopper_with, needs_cuda, needs_triton, run_interpreted


def random_scene(views: int = 10, rays: int = 37, samples: int = 11, height: int = 24, width: int = 32,
                 device: str = "cpu"):
    """Random points around cameras with random rotations and centres (some points behind cameras, some outside the
    images, one on a camera's centre), and a target centre."""
    torch.manual_seed(0)
    K = intrinsics_from_fov(width, height, 70.0)[None].repeat(views, 1, 1)
    rotation, _ = torch.linalg.qr(torch.randn(views, 3, 3, dtype=torch.float64))
    rotation = rotation * torch.det(rotation)[:, None, None].sign()  # proper rotations
    poses = torch.eye(4, dtype=torch.float64).repeat(views, 1, 1)
    poses[:, :3, :3] = rotation
    poses[:, :3, 3] = torch.randn(views, 3, dtype=torch.float64) * 2 + 5
    cameras = Cameras(K.to(device), poses.float().to(device), height, width)
    xyz = (torch.randn(rays, samples, 3) * 3 + 5).to(device)
    xyz[0, 0] = cameras.centers[0]
    return xyz, cameras, torch.tensor([4.0, 6.0, 5.5], device=device)


def float32_error_bound(xyz: torch.Tensor, cameras: Cameras) -> tuple[torch.Tensor, torch.Tensor]:
    """The float64 projection's pixel coordinates ``(views, rays, samples, 2)`` and how far a float32 projection may
    lie from them: ``8 u_32 S (f / |z|) (1 + |x / z|)`` per coordinate (x the camera-frame coordinate along it, z the
    depth, f the focal length, ``S`` the largest sum of the magnitudes of a camera-frame coordinate's terms, ``u_32 =
    2^-24``: each coordinate is rounded to a few ulps of ``S``, and ``u = f x / z + c`` magnifies that by ``f / |z|
    (1 + |x / z|)``) plus ``1e-5`` of the pixel's magnitude and ``1e-4`` px for the intrinsics' products. The float32
    reference stays within 2.5 times the first term on the GPU test's scene (2.3 million points), hence 8."""
    K = cameras.K.double()
    cam_from_world = invert_rigid(cameras.world_from_cam.double())
    rotation, translation = cam_from_world[:, :3, :3], cam_from_world[:, :3, 3]
    points = xyz.double().reshape(-1, 3)
    camera_frame = torch.einsum("vij,pj->vpi", rotation, points) + translation[:, None]  # (views, points, 3)
    term_sizes = torch.einsum("vij,pj->vpi", rotation.abs(), points.abs()) + translation.abs()[:, None]
    depth = camera_frame[..., 2:].abs()
    focal = torch.stack([K[:, 0, 0], K[:, 1, 1]], -1)[:, None]  # (views, 1, 2)
    magnification = focal / depth * (1 + camera_frame[..., :2].abs() / depth)
    exact, _ = project(xyz.double().reshape(1, -1, 3), K, cameras.world_from_cam.double())
    bound = 8 * 2.0**-24 * term_sizes.amax(-1, keepdim=True) * magnification + 1e-5 * exact.abs() + 1e-4
    shape = (len(cameras), *xyz.shape[:2], 2)
    return exact.reshape(shape), bound.reshape(shape)


def assert_projections_agree(got, expected, xyz: torch.Tensor, cameras: Cameras) -> None:
    """The module docstring's tolerances: ``got`` (the kernel's) against ``expected`` (``project_points``') of
    ``xyz`` into ``cameras``."""
    height, width = cameras.height, cameras.width
    assert got.uv_pix.shape == expected.uv_pix.shape and got.uv_pix.dtype == torch.float32
    assert got.valid.shape == expected.valid.shape and got.valid.dtype == torch.bool
    assert got.relative_direction.shape == expected.relative_direction.shape
    exact, bound = float32_error_bound(xyz, cameras)
    bounded = bound.isfinite()  # not a point on a camera's centre (z = 0: no finite bound; its validity is checked)
    assert int(bounded.sum()) >= bound.numel() - 2 * len(cameras)
    for name, uv in (("kernel", got.uv_pix), ("project_points", expected.uv_pix)):
        error = (uv.double() - exact).abs()
        assert bool((error[bounded] <= bound[bounded]).all()), (name, float((error / bound)[bounded].max()))
    uv = expected.uv_pix.permute(1, 2, 0, 3)  # (rays, samples, views, 2)
    edge = torch.stack([uv[..., 0], width - 1 - uv[..., 0], uv[..., 1], height - 1 - uv[..., 1]]).abs().amin(0)
    differ = got.valid != expected.valid
    assert bool((edge[differ] <= 1e-3).all()), int(differ.sum())
    assert 0 < int(expected.valid.sum()) < expected.valid.numel()  # both kinds of points present
    cosine_error = (got.relative_direction[..., 3] - expected.relative_direction[..., 3]).abs().max()
    assert float(cosine_error) <= 1e-5, float(cosine_error)
    # the norm of (unit to target - unit to source), recomputed from the cosine: |a - b|^2 = 2 - 2 a.b
    spread = (2 - 2 * expected.relative_direction[..., 3].double()).clamp_min(0).sqrt()
    conditioned = spread > 1e-3
    unit_error = (got.relative_direction[..., :3] - expected.relative_direction[..., :3]).norm(dim=-1)
    assert bool((unit_error[conditioned] * spread[conditioned] <= 1e-5).all()), float(unit_error.max())


def interpreted_checks() -> None:
    xyz, cameras, target = random_scene()
    assert projection_kernel_supported(xyz, cameras)
    got = project_points_fused(xyz, cameras, target)
    assert_projections_agree(got, project_points(xyz, cameras, target), xyz, cameras)
    xyz, cameras, target = random_scene(views=3, rays=2, samples=5)  # fewer points than a block, views not 2^k
    got = project_points_fused(xyz, cameras, target)
    assert_projections_agree(got, project_points(xyz, cameras, target), xyz, cameras)
    with torch.autocast("cpu", dtype=torch.bfloat16):  # the relative direction stored as its readers round it
        rounded = project_points_fused(xyz, cameras, target)
    assert rounded.relative_direction.dtype == torch.bfloat16
    # the interpreter converts to bf16 by truncation (the GPU rounds to nearest: the GPU test asserts equality), so
    # here within one bf16 step of the float32 values
    step = got.relative_direction.abs() * 2**-7
    assert bool(((rounded.relative_direction.float() - got.relative_direction).abs() <= step).all())
    assert torch.equal(rounded.uv_pix, got.uv_pix) and torch.equal(rounded.valid, got.valid)
    print("interpreted checks passed")


@needs_triton
def test_projection_kernel_under_the_triton_interpreter_matches_project_points():
    run_interpreted(__file__)


@needs_triton
def test_kernel_compiles_for_hopper():
    from gpnerf.model import fused_projection

    xyz, cameras, target = random_scene()
    for autocast in (False, True):  # the relative direction stored in float32, then bf16
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            arguments, constants, _ = fused_projection.kernel_arguments(xyz, cameras, target)
        assert arguments[fused_projection.OUTPUTS][2].dtype == (torch.bfloat16 if autocast else torch.float32)
        compile_for_hopper_with(fused_projection._project_points_kernel, arguments, constants)


@needs_triton
def test_kernel_stores_whole_vectors_for_hopper():
    """Every output leaves the sm_90 kernel in vector stores of consecutive addresses across threads (uv as 8-byte
    (u, v) pairs along the points of a view, the direction as a point's views' components in 8- or 16-byte pieces),
    the validity as bytes: no scalar float stores, which made the kernel as slow as writing its outputs byte-scattered
    (153 us at 4,800 x 48 x 10 on an H100 against 185 us for a kernel only storing the same layouts;
    docs/benchmarks.md, thirtieth run)."""
    import re

    from gpnerf.model import fused_projection
    from gpnerf.model.triton_support import compile_configurations

    xyz, cameras, target = random_scene()
    for autocast, direction_type in ((True, "*bf16"), (False, "*fp32")):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            arguments, constants, _ = fused_projection.kernel_arguments(xyz, cameras, target)
        types = dict(zip(
            ("xyz_ptr", "intrinsics_ptr", "pose_ptr", "target_ptr", "uv_ptr", "valid_ptr", "direction_ptr", "points",
             "views", "last_column", "last_row"),
            ("*fp32",) * 5 + ("*i1", direction_type, "i32", "i32", "fp32", "fp32"),
        ))
        [(_, compiled)] = compile_configurations(
            fused_projection._project_points_kernel, types, constants, aligned=list(range(7))
        )
        stores = set(re.findall(r"st\.global[.\w]*", compiled.asm["ptx"]))
        assert stores and stores <= {"st.global.v2.b32", "st.global.v4.b32", "st.global.b8"}, stores


def test_supported_inputs():
    xyz, cameras, target = random_scene(rays=2, samples=3)
    interpreted = __import__("os").environ.get("TRITON_INTERPRET") == "1"
    assert projection_kernel_supported(xyz, cameras) == interpreted  # CPU tensors: the interpreter's only
    assert not projection_kernel_supported(xyz.double(), cameras)
    assert not projection_kernel_supported(xyz[0], cameras)
    if not interpreted:
        with pytest.raises(ValueError, match="projection_kernel_supported"):
            project_points_fused(xyz, cameras, target)


@pytest.mark.gpu
@needs_cuda
def test_projection_kernel_on_the_gpu_matches_project_points():
    """At a render chunk's shapes (4,800 rays x 48 samples, 10 views), eager and compiled reference."""
    xyz, cameras, target = random_scene(rays=4800, samples=48, height=240, width=320, device="cuda")
    got = project_points_fused(xyz, cameras, target)
    for reference in (project_points, torch.compile(project_points)):
        assert_projections_agree(got, reference(xyz, cameras, target), xyz, cameras)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        rounded = project_points_fused(xyz, cameras, target)
    assert torch.equal(rounded.relative_direction, got.relative_direction.to(torch.bfloat16))


if __name__ == "__main__":
    interpreted_checks()

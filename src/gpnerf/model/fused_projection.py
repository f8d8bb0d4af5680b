"""The sample points' projection into the source views (:func:`gpnerf.model.projection.project_points`) in one Triton
kernel (fast path, ``fused_kernels``; docs/performance.md).

``project_points`` compiled is seven inductor kernels a call (the inverse poses, the projection, the validity test, the
two normalised directions and their difference, each reading and writing its own intermediates): 5.9 ms of a 320 x 240
frame in the twenty-sixth run's render trace for about 0.3 ms of memory traffic. Here one program takes a block of
points against every view: it reads each point once and each view's pose and intrinsics once, inverts the pose on
chip and writes only the three outputs. The points need no gradient (cameras and sample depths are data), so the
kernel serves training as well as inference.

The kernel is bound by its stores (39 MB at 4,800 x 48 points x 10 views): each output leaves as rows of consecutive
addresses in vector stores, ``uv`` a view's row of (u, v) pairs, the direction a point's row of every view's four
components (``tests/model/test_fused_projection.py`` checks the sm_90 code has no scalar float stores). Stored one
component at a time, a launch there took 153 us on an H100, as long as a kernel only writing those scattered stores;
so stored, a frame's 48 launches take 1.3 ms against 6.6 (docs/benchmarks.md, thirtieth and thirty-first runs).

Float32 throughout, as the reference (whose :func:`gpnerf.geometry.cameras.transform` keeps 3 x 3 products out of
autocast). The same formulas in the same order, so the two differ by float32 rounding only (fused multiply-adds):
tests/model/test_fused_projection.py states the tolerances. Under autocast the relative direction is stored in the
autocast dtype: its only readers, the FAT blocks' f_P (a Linear under autocast, or the FAT kernel, which converts it to
the compute dtype as it loads it), round it so first, so the stored values are the ones they use, in half the bytes.
"""

import torch

from gpnerf.geometry import Cameras
from gpnerf.model.projection import SourceProjection
from gpnerf.model.triton_support import compute_dtype, kernels_can_run_on, tl, triton

BLOCK_POINTS = 64
"""Points per program (each against every view: ``VIEW_LANES`` lanes, the views rounded up to a power of two)."""

PROJECT_EPS = 1e-8
"""The z-depth below which a point divides by this instead (:func:`gpnerf.geometry.cameras.project`'s ``eps``)."""

NORMALIZE_EPS = 1e-12
"""``F.normalize``'s smallest norm for the two unit directions."""

DIRECTION_EPS = 1e-6
"""The smallest norm of their difference (``project_points``' ``clamp_min``)."""


def projection_kernel_supported(xyz_world: torch.Tensor, source_cameras: Cameras) -> bool:
    """Whether the kernel can project ``xyz_world`` ``(rays, samples, 3)``: Triton installed, CUDA tensors (any device
    under the Triton interpreter), float32 points and cameras."""
    return (
        kernels_can_run_on(xyz_world) and xyz_world.dim() == 3 and xyz_world.shape[-1] == 3
        and xyz_world.dtype == torch.float32
        and source_cameras.K.dtype == torch.float32 and source_cameras.world_from_cam.dtype == torch.float32
        and source_cameras.K.device == xyz_world.device
    )


if triton is not None:

    @triton.jit
    def _view_entry(ptr, view, view_ok, STRIDE: tl.constexpr, OFFSET: tl.constexpr):
        """``(1, VIEW_LANES)`` entry ``OFFSET`` of each view's row-major ``STRIDE``-element matrix (0 past the
        views)."""
        return tl.load(ptr + view * STRIDE + OFFSET, mask=view_ok, other=0.0)[None, :]

    @triton.jit
    def _project_points_kernel(
        xyz_ptr, intrinsics_ptr, pose_ptr, target_ptr, uv_ptr, valid_ptr, direction_ptr,
        points, views, last_column, last_row,
        BLOCK_POINTS: tl.constexpr, VIEW_LANES: tl.constexpr,
        PROJECT_EPS: tl.constexpr, NORMALIZE_EPS: tl.constexpr, DIRECTION_EPS: tl.constexpr,
    ):
        """One program: ``BLOCK_POINTS`` points against every view, a ``(BLOCK_POINTS, VIEW_LANES)`` tile.

        ``xyz`` ``(points, 3)``, ``intrinsics`` ``(views, 3, 3)``, ``pose`` ``(views, 4, 4)`` world_from_cam,
        ``target`` ``(3,)``, all float32; writes ``uv`` ``(views, points, 2)`` float32, ``valid`` ``(points, views)``
        bool and ``direction`` ``(points, views, 4)`` (its dtype)."""
        point = tl.program_id(0).to(tl.int64) * BLOCK_POINTS + tl.arange(0, BLOCK_POINTS)
        view = tl.arange(0, VIEW_LANES)
        point_ok = point < points
        view_ok = view < views
        x = tl.load(xyz_ptr + point * 3, mask=point_ok, other=0.0)[:, None]
        y = tl.load(xyz_ptr + point * 3 + 1, mask=point_ok, other=0.0)[:, None]
        z = tl.load(xyz_ptr + point * 3 + 2, mask=point_ok, other=0.0)[:, None]
        # cam_from_world = [R^T | -R^T c] (invert_rigid), R and c the pose's rotation and centre
        r00 = _view_entry(pose_ptr, view, view_ok, 16, 0)
        r01 = _view_entry(pose_ptr, view, view_ok, 16, 1)
        r02 = _view_entry(pose_ptr, view, view_ok, 16, 2)
        r10 = _view_entry(pose_ptr, view, view_ok, 16, 4)
        r11 = _view_entry(pose_ptr, view, view_ok, 16, 5)
        r12 = _view_entry(pose_ptr, view, view_ok, 16, 6)
        r20 = _view_entry(pose_ptr, view, view_ok, 16, 8)
        r21 = _view_entry(pose_ptr, view, view_ok, 16, 9)
        r22 = _view_entry(pose_ptr, view, view_ok, 16, 10)
        cx = _view_entry(pose_ptr, view, view_ok, 16, 3)
        cy = _view_entry(pose_ptr, view, view_ok, 16, 7)
        cz = _view_entry(pose_ptr, view, view_ok, 16, 11)
        tx = -(r00 * cx + r10 * cy + r20 * cz)
        ty = -(r01 * cx + r11 * cy + r21 * cz)
        tz = -(r02 * cx + r12 * cy + r22 * cz)
        x_cam = (r00 * x + r10 * y + r20 * z) + tx  # (BLOCK_POINTS, VIEW_LANES)
        y_cam = (r01 * x + r11 * y + r21 * z) + ty
        z_cam = (r02 * x + r12 * y + r22 * z) + tz
        u_pix = (_view_entry(intrinsics_ptr, view, view_ok, 9, 0) * x_cam
                 + _view_entry(intrinsics_ptr, view, view_ok, 9, 1) * y_cam
                 + _view_entry(intrinsics_ptr, view, view_ok, 9, 2) * z_cam)
        v_pix = (_view_entry(intrinsics_ptr, view, view_ok, 9, 3) * x_cam
                 + _view_entry(intrinsics_ptr, view, view_ok, 9, 4) * y_cam
                 + _view_entry(intrinsics_ptr, view, view_ok, 9, 5) * z_cam)
        safe_z = tl.where(tl.abs(z_cam) < PROJECT_EPS, PROJECT_EPS, z_cam)
        u = u_pix / safe_z
        v = v_pix / safe_z
        valid = (z_cam > 0) & (u >= 0) & (u <= last_column) & (v >= 0) & (v <= last_row)
        ok = point_ok[:, None] & view_ok[None, :]
        # uv (views, points, 2): each view's row of the block's points, u and v interleaved, is contiguous; stored as
        # that (VIEW_LANES, 2 BLOCK_POINTS) tile so that threads write consecutive addresses (module docstring)
        first = tl.program_id(0).to(tl.int64) * BLOCK_POINTS
        uv_rows = tl.reshape(tl.permute(tl.join(u, v), (1, 0, 2)), (VIEW_LANES, 2 * BLOCK_POINTS))
        uv_column = tl.arange(0, 2 * BLOCK_POINTS)[None, :]
        tl.store(
            uv_ptr + (view[:, None] * points + first) * 2 + uv_column, uv_rows,
            mask=view_ok[:, None] & (uv_column < 2 * (points - first)),  # whole pairs: vector stores
        )
        point_view = point[:, None] * views + view[None, :]
        tl.store(valid_ptr + point_view, valid, mask=ok)
        # Delta d: unit(to target) - unit(to source centre), normalised, and the two units' dot product
        to_target_x = tl.load(target_ptr) - x  # (BLOCK_POINTS, 1)
        to_target_y = tl.load(target_ptr + 1) - y
        to_target_z = tl.load(target_ptr + 2) - z
        target_scale = 1.0 / tl.maximum(
            tl.sqrt(to_target_x * to_target_x + to_target_y * to_target_y + to_target_z * to_target_z), NORMALIZE_EPS
        )
        to_target_x *= target_scale
        to_target_y *= target_scale
        to_target_z *= target_scale
        to_source_x = cx - x  # (BLOCK_POINTS, VIEW_LANES)
        to_source_y = cy - y
        to_source_z = cz - z
        source_scale = 1.0 / tl.maximum(
            tl.sqrt(to_source_x * to_source_x + to_source_y * to_source_y + to_source_z * to_source_z), NORMALIZE_EPS
        )
        to_source_x *= source_scale
        to_source_y *= source_scale
        to_source_z *= source_scale
        diff_x = to_target_x - to_source_x
        diff_y = to_target_y - to_source_y
        diff_z = to_target_z - to_source_z
        cosine = to_target_x * to_source_x + to_target_y * to_source_y + to_target_z * to_source_z
        diff_scale = 1.0 / tl.maximum(tl.sqrt(diff_x * diff_x + diff_y * diff_y + diff_z * diff_z), DIRECTION_EPS)
        # a point's views' four components, (x, y, z, cosine) each, are one contiguous row: stored as a
        # (BLOCK_POINTS, 4 VIEW_LANES) tile ([[x, y], [z, cosine]] from the joins' last axes, flattened)
        components = tl.join(tl.join(diff_x * diff_scale, diff_z * diff_scale), tl.join(diff_y * diff_scale, cosine))
        direction_rows = tl.reshape(components, (BLOCK_POINTS, 4 * VIEW_LANES))
        direction_column = tl.arange(0, 4 * VIEW_LANES)[None, :]
        tl.store(
            direction_ptr + point[:, None] * (views * 4) + direction_column,
            direction_rows.to(direction_ptr.dtype.element_ty),
            mask=point_ok[:, None] & (direction_column < views * 4),
        )


def kernel_arguments(
    xyz_world: torch.Tensor, source_cameras: Cameras, target_center_world: torch.Tensor
) -> tuple[list, dict, tuple[int, ...]]:
    """The kernel's runtime arguments (outputs allocated), compile-time constants and grid for
    :func:`project_points_fused`'s arguments (no launch: any device)."""
    rays, samples, _ = xyz_world.shape
    views, points, device = len(source_cameras), rays * samples, xyz_world.device
    uv = torch.empty(views, rays, samples, 2, device=device, dtype=torch.float32)
    valid = torch.empty(rays, samples, views, device=device, dtype=torch.bool)
    direction_dtype = compute_dtype(xyz_world, torch.float32)  # module docstring
    direction = torch.empty(rays, samples, views, 4, device=device, dtype=direction_dtype)
    arguments = [
        xyz_world.contiguous(), source_cameras.K.contiguous(), source_cameras.world_from_cam.contiguous(),
        target_center_world.to(device=device, dtype=torch.float32).contiguous(), uv, valid, direction,
        points, views, float(source_cameras.width - 1), float(source_cameras.height - 1),
    ]
    constants = dict(
        BLOCK_POINTS=BLOCK_POINTS, VIEW_LANES=triton.next_power_of_2(views), PROJECT_EPS=PROJECT_EPS,
        NORMALIZE_EPS=NORMALIZE_EPS, DIRECTION_EPS=DIRECTION_EPS,
    )
    return arguments, constants, (triton.cdiv(points, BLOCK_POINTS),)


OUTPUTS = slice(4, 7)
"""Where ``uv``, ``valid`` and ``direction`` sit in :func:`kernel_arguments`' list."""


def project_points_fused(
    xyz_world: torch.Tensor, source_cameras: Cameras, target_center_world: torch.Tensor
) -> SourceProjection:
    """:func:`gpnerf.model.projection.project_points` in one kernel launch (module docstring).

    Args:
        xyz_world: ``(rays, samples, 3)`` float32 sample points, world frame.
        source_cameras: ``views`` float32 cameras of size ``H x W`` on the points' device.
        target_center_world: ``(3,)`` the target camera's centre.

    Returns:
        The :class:`SourceProjection`: ``uv_pix`` ``(views, rays, samples, 2)`` float32, ``valid`` ``(rays, samples,
        views)`` contiguous, ``relative_direction`` ``(rays, samples, views, 4)`` in the autocast dtype under
        autocast, else float32.
    """
    if not projection_kernel_supported(xyz_world, source_cameras):
        raise ValueError(
            "project_points_fused needs Triton and float32 CUDA points (rays, samples, 3) and cameras on their "
            f"device; got points {tuple(xyz_world.shape)} {xyz_world.dtype} on {xyz_world.device}, cameras "
            f"{source_cameras.K.dtype} on {source_cameras.K.device}. Check projection_kernel_supported first."
        )
    arguments, constants, grid = kernel_arguments(xyz_world, source_cameras, target_center_world)
    _project_points_kernel[grid](*arguments, **constants)
    uv, valid, direction = arguments[OUTPUTS]
    return SourceProjection(uv_pix=uv, valid=valid, relative_direction=direction)

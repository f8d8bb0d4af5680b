"""Pinhole cameras: intrinsics, poses, projection, back-projection and ray generation.

All conventions (OpenCV axes, ``world_from_cam`` poses, integer pixel centres, z-depth) are the
ones stated in :mod:`gpnerf.conventions`. Functions broadcast over leading batch dimensions.

Every 3 x 3 matrix is applied by :func:`transform`, as elementwise products in the inputs' dtype, never as a
matrix product: under bf16 autocast (the fast path's training and render) a product would run in bf16 and under
TF32 with a 10-bit mantissa, which put the projected pixels about a pixel off at 320 x 240
(tests/geometry/test_cameras.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

import torch

from gpnerf.conventions import PIXEL_CENTER_OFFSET


@dataclass
class Cameras:
    """A set of pinhole cameras that share one image size.

    Attributes:
        K: ``(cams, 3, 3)`` intrinsics in pixels of an ``height x width`` image.
        world_from_cam: ``(cams, 4, 4)`` camera-to-world poses, OpenCV camera axes.
        height: image height in pixels.
        width: image width in pixels.
    """

    K: torch.Tensor
    world_from_cam: torch.Tensor
    height: int
    width: int

    def __post_init__(self) -> None:
        if self.K.ndim != 3 or self.K.shape[-2:] != (3, 3):
            raise ValueError(f"Cameras.K must have shape (cams, 3, 3); got {tuple(self.K.shape)}.")
        if self.world_from_cam.ndim != 3 or self.world_from_cam.shape[-2:] != (4, 4):
            raise ValueError(
                "Cameras.world_from_cam must have shape (cams, 4, 4); "
                f"got {tuple(self.world_from_cam.shape)}."
            )
        if self.K.shape[0] != self.world_from_cam.shape[0]:
            raise ValueError(
                f"Cameras.K has {self.K.shape[0]} cameras but world_from_cam has "
                f"{self.world_from_cam.shape[0]}."
            )
        if self.height < 1 or self.width < 1:
            raise ValueError(f"Cameras image size must be positive; got {self.height}x{self.width}.")

    def __len__(self) -> int:
        return self.K.shape[0]

    def __getitem__(self, index) -> "Cameras":
        """Select cameras by int, slice, list or index tensor (always keeps the camera dim)."""
        if isinstance(index, int):
            index = [index]
        return Cameras(self.K[index], self.world_from_cam[index], self.height, self.width)

    def to(self, device: torch.device | str, non_blocking: bool = False) -> "Cameras":
        return self.apply(lambda x: x.to(device, non_blocking=non_blocking))

    def apply(self, function: Callable[[torch.Tensor], torch.Tensor]) -> "Cameras":
        """The same cameras with ``function`` applied to each tensor (``K``, ``world_from_cam``)."""
        return Cameras(function(self.K), function(self.world_from_cam), self.height, self.width)

    @property
    def centers(self) -> torch.Tensor:
        """``(cams, 3)`` camera centres in world coordinates."""
        return self.world_from_cam[:, :3, 3]


def intrinsics_from_fov(width: int, height: int, hfov_deg: float) -> torch.Tensor:
    """``(3, 3)`` pinhole K with square pixels for a horizontal field of view, principal point at
    the image centre in gpnerf's pixel convention.

    ``fx = fy = W / 2 / tan(hfov / 2)``, ``cx = (W - 1) / 2``, ``cy = (H - 1) / 2`` (offset 0);
    at 640x480 and 90 degrees this is Replica's true K (320, 320, 319.5, 239.5).
    """
    if not 0.0 < hfov_deg < 180.0:
        raise ValueError(f"hfov_deg must lie in (0, 180); got {hfov_deg}.")
    f = width / 2.0 / torch.tan(torch.deg2rad(torch.tensor(hfov_deg / 2.0, dtype=torch.float64)))
    centre = -0.5 + PIXEL_CENTER_OFFSET
    K = torch.tensor(
        [[f, 0.0, width / 2.0 + centre], [0.0, f, height / 2.0 + centre], [0.0, 0.0, 1.0]],
        dtype=torch.float64,
    )
    return K.float()


def scale_intrinsics(K: torch.Tensor, scale_x: float, scale_y: float) -> torch.Tensor:
    """Intrinsics of an image resized by ``(scale_x, scale_y)``, exact for gpnerf's pixel centres.

    A continuous coordinate ``x`` maps to ``(x + 0.5 - offset) * s - 0.5 + offset``, so the
    principal point moves with the half-pixel shift. (S-Ray's ScanNet loader instead multiplies
    ``cx, cy`` by ``s``; readers that reproduce it do so explicitly.)

    Args:
        K: ``(..., 3, 3)`` intrinsics.
    """
    out = K.clone()
    shift = 0.5 - PIXEL_CENTER_OFFSET
    out[..., 0, 0] = K[..., 0, 0] * scale_x
    out[..., 1, 1] = K[..., 1, 1] * scale_y
    out[..., 0, 1] = K[..., 0, 1] * scale_x
    out[..., 0, 2] = (K[..., 0, 2] + shift) * scale_x - shift
    out[..., 1, 2] = (K[..., 1, 2] + shift) * scale_y - shift
    return out


def transform(matrix: torch.Tensor, vectors: torch.Tensor) -> torch.Tensor:
    """``vectors @ matrix^T``: ``(..., n, k)`` vectors by a ``(..., m, k)`` matrix (batch dimensions broadcast)
    -> ``(..., n, m)``, as ``k`` elementwise products summed in the inputs' dtype. Autocast and TF32 leave it
    exact (they would round a matrix product's operands: module docstring); for ``k = 3`` it is also one fused
    elementwise kernel where compiled, not a matrix product of N = 3 (cuBLAS's slow SIMT kernels)."""
    return sum(vectors[..., j : j + 1] * matrix[..., None, :, j] for j in range(matrix.shape[-1]))


def invert_rigid(a_from_b: torch.Tensor) -> torch.Tensor:
    """``(..., 4, 4)`` inverse of a rigid transform, ``b_from_a``, without a general inverse."""
    rot = a_from_b[..., :3, :3]
    trans = a_from_b[..., :3, 3:]
    out = torch.zeros_like(a_from_b)
    rot_t = rot.transpose(-1, -2)
    out[..., :3, :3] = rot_t
    out[..., :3, 3:] = -transform(rot_t, trans.transpose(-1, -2)).transpose(-1, -2)
    out[..., 3, 3] = 1.0
    return out


def pixel_grid(height: int, width: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """``(height * width, 2)`` continuous ``(u, v)`` coordinates of every pixel centre, row-major
    (index ``v * width + u``)."""
    v, u = torch.meshgrid(
        torch.arange(height, device=device, dtype=torch.float32),
        torch.arange(width, device=device, dtype=torch.float32),
        indexing="ij",
    )
    return torch.stack([u.reshape(-1), v.reshape(-1)], dim=-1) + PIXEL_CENTER_OFFSET


def pixel_centers_from_indices(pixel_index: torch.Tensor, width: int) -> torch.Tensor:
    """``(..., 2)`` continuous ``(u, v)`` centres of row-major flat pixel indices ``(...)``."""
    v = torch.div(pixel_index, width, rounding_mode="floor")
    u = pixel_index - v * width
    return torch.stack([u, v], dim=-1).float() + PIXEL_CENTER_OFFSET


def rays_from_pixels(
    uv: torch.Tensor, K: torch.Tensor, world_from_cam: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Rays through continuous pixel coordinates.

    ``d = R K^-1 [u, v, 1]^T`` (not normalised: its camera-frame z is 1, so the ray parameter
    ``t`` equals the z-depth of ``o + t d``); ``o`` = the camera centre.

    Args:
        uv: ``(..., rays, 2)`` pixel coordinates.
        K: ``(..., 3, 3)`` intrinsics.
        world_from_cam: ``(..., 4, 4)`` poses.

    Returns:
        origins ``(..., rays, 3)`` and directions ``(..., rays, 3)`` in world coordinates.
    """
    ones = torch.ones_like(uv[..., :1])
    pix_h = torch.cat([uv, ones], dim=-1)  # (..., rays, 3)
    # inv_ex: no error check, so no host sync (a CUDA-graphed training step captures this); every loader
    # builds K with positive focal lengths, and a singular K would surface as non-finite rays.
    K_inv = torch.linalg.inv_ex(K).inverse
    dirs_cam = transform(K_inv, pix_h)  # (..., rays, 3), z = 1
    dirs_world = transform(world_from_cam[..., :3, :3], dirs_cam)
    origins = world_from_cam[..., None, :3, 3].expand_as(dirs_world)
    return origins, dirs_world


def project(
    xyz_world: torch.Tensor, K: torch.Tensor, world_from_cam: torch.Tensor, eps: float = 1e-8
) -> tuple[torch.Tensor, torch.Tensor]:
    """Project world points into cameras.

    Args:
        xyz_world: ``(..., points, 3)``.
        K: ``(..., 3, 3)``; world_from_cam: ``(..., 4, 4)`` (batch dims broadcast with the points').

    Returns:
        uv ``(..., points, 2)`` continuous pixel coordinates and depth_z ``(..., points)``, the
        z-depth in that camera (<= 0 means behind the camera; uv is then meaningless).
    """
    cam_from_world = invert_rigid(world_from_cam)
    xyz_cam = transform(cam_from_world[..., :3, :3], xyz_world) + cam_from_world[..., None, :3, 3]
    depth_z = xyz_cam[..., 2]
    pix = transform(K, xyz_cam)
    safe_z = torch.where(depth_z.abs() < eps, torch.full_like(depth_z, eps), depth_z)
    uv = pix[..., :2] / safe_z[..., None]
    return uv, depth_z


def unproject(
    uv: torch.Tensor, depth_z: torch.Tensor, K: torch.Tensor, world_from_cam: torch.Tensor
) -> torch.Tensor:
    """Back-project pixel coordinates with z-depth to world points.

    Args:
        uv: ``(..., points, 2)``; depth_z: ``(..., points)`` metres along the optical axis.
        K: ``(..., 3, 3)``; world_from_cam: ``(..., 4, 4)``.

    Returns:
        ``(..., points, 3)`` world points.
    """
    origins, dirs = rays_from_pixels(uv, K, world_from_cam)
    return origins + dirs * depth_z[..., None]

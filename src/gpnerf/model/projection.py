"""Pi_i(x) of paper Eq. 4: project sample points into the source views, sample features there.

Conventions from :mod:`gpnerf.conventions`: integer pixel centres and ``grid_sample`` with
``align_corners=True``, so a feature map of any size ``h x w`` spans the same image extent as the
``H x W`` image: pixel coordinate ``u`` reads map column ``u (w - 1) / (W - 1)``.
"""

from dataclasses import dataclass
from functools import partial

import torch
import torch.nn.functional as F

from gpnerf.conventions import GRID_SAMPLE_ALIGN_CORNERS
from gpnerf.geometry import Cameras, pixel_centers_from_indices, project


@dataclass
class SourceProjection:
    """Where each sample point lands in each source view.

    Attributes:
        uv_pix: ``(views, rays, samples, 2)`` continuous pixel coordinates in the source images.
        valid: ``(rays, samples, views)`` bool: in front of the camera and inside the image
            (``0 <= u <= W - 1``, ``0 <= v <= H - 1``).
        relative_direction: ``(rays, samples, views, 4)`` Delta d of Alg. 1: the unit vector of
            (unit dir point->target centre minus unit dir point->source centre) and the dot product
            of the two unit directions (IBRNet / GNT ``ray_diff``). Float32; the projection kernel stores it in
            the autocast dtype under autocast (:mod:`gpnerf.model.fused_projection`).
    """

    uv_pix: torch.Tensor
    valid: torch.Tensor
    relative_direction: torch.Tensor


def project_points(
    xyz_world: torch.Tensor, source_cameras: Cameras, target_center_world: torch.Tensor
) -> SourceProjection:
    """Project ``(rays, samples, 3)`` world points into every source camera.

    Args:
        xyz_world: ``(rays, samples, 3)`` sample points, world frame, metres.
        source_cameras: ``views`` cameras of size ``H x W``.
        target_center_world: ``(3,)`` target camera centre.
    """
    views = len(source_cameras)
    rays, samples, _ = xyz_world.shape
    points = xyz_world.reshape(1, rays * samples, 3).expand(views, -1, -1)  # (views, rays*samples, 3)
    uv, depth_z = project(points, source_cameras.K, source_cameras.world_from_cam)
    u, v = uv[..., 0], uv[..., 1]
    valid = (depth_z > 0) & (u >= 0) & (u <= source_cameras.width - 1) & (v >= 0) & (v <= source_cameras.height - 1)
    uv = uv.reshape(views, rays, samples, 2)
    valid = valid.reshape(views, rays, samples).permute(1, 2, 0)  # (rays, samples, views)

    to_target = F.normalize(target_center_world - xyz_world, dim=-1)  # (rays, samples, 3)
    to_source = F.normalize(source_cameras.centers[:, None, None, :] - xyz_world[None], dim=-1)
    to_source = to_source.permute(1, 2, 0, 3)  # (rays, samples, views, 3)
    diff = to_target[:, :, None, :] - to_source
    dot = (to_target[:, :, None, :] * to_source).sum(-1, keepdim=True)
    direction = diff / diff.norm(dim=-1, keepdim=True).clamp_min(1e-6)
    return SourceProjection(uv_pix=uv, valid=valid, relative_direction=torch.cat([direction, dot], dim=-1))


def grid_scales(image_height: int, image_width: int) -> tuple[float, float]:
    """The factors ``(u, v)`` that map pixel coordinates of the ``H x W`` image to ``grid_sample``'s ``[-1, 1]``
    (``align_corners=True``) before subtracting 1."""
    return 2.0 / max(image_width - 1, 1), 2.0 / max(image_height - 1, 1)


def sampling_grid(uv_pix: torch.Tensor, image_height: int, image_width: int) -> torch.Tensor:
    """``grid_sample``'s grid: pixel coordinates ``(..., 2)`` of the ``H x W`` image mapped to ``[-1, 1]``
    (``align_corners=True``), in ``uv_pix``'s dtype."""
    # Scalars, not a new tensor: a host-to-device copy here would synchronise every call.
    u_scale, v_scale = grid_scales(image_height, image_width)
    u = uv_pix[..., 0] * u_scale - 1.0
    v = uv_pix[..., 1] * v_scale - 1.0
    return torch.stack([u, v], dim=-1)


def sample_feature_maps(
    feature_maps: torch.Tensor, uv_pix: torch.Tensor, image_height: int, image_width: int,
    full_precision_grid: bool = False,
) -> torch.Tensor:
    """Bilinearly sample per-view maps at pixel coordinates of the ``H x W`` image.

    Args:
        feature_maps: ``(views, C, h, w)`` at any resolution covering the image.
        uv_pix: ``(views, rays, samples, 2)`` pixel coordinates of the ``image_height x image_width`` image.
        full_precision_grid: sample in (at least) float32, upcasting bf16/fp16 maps, instead of
            casting the grid to the maps' dtype (a bf16 grid in [-1, 1] has steps of up to
            2^-8, i.e. ~0.6 px at W = 320: the fast path keeps the coordinates exact).

    Returns:
        ``(rays, samples, views, C)``; points outside the image read the zero padding.
    """
    grid = sampling_grid(uv_pix, image_height, image_width)  # (views, rays, samples, 2) in [-1, 1]
    if full_precision_grid:
        dtype = torch.promote_types(torch.promote_types(feature_maps.dtype, grid.dtype), torch.float32)
        feature_maps, grid = feature_maps.to(dtype), grid.to(dtype)
    else:
        grid = grid.to(feature_maps.dtype)
    sample = partial(F.grid_sample, mode="bilinear", padding_mode="zeros", align_corners=GRID_SAMPLE_ALIGN_CORNERS)
    if torch.compiler.is_compiling():  # inductor decomposes the sampler into its own kernel: no cuDNN to avoid
        sampled = sample(feature_maps, grid)
    else:  # cuDNN's grid sampler rejects bf16 and large grids (CUDNN_STATUS_NOT_SUPPORTED); the native kernel
        # takes everything.
        with torch.backends.cudnn.flags(enabled=False):
            sampled = sample(feature_maps, grid)
    return sampled.permute(2, 3, 0, 1)  # (rays, samples, views, C)


def sample_at_pixels(feature_map: torch.Tensor, pixel_indices: torch.Tensor, image_height: int, image_width: int) -> torch.Tensor:
    """One map bilinearly sampled at the centres of flattened pixel indices of the ``H x W`` image
    (:func:`sample_feature_maps`): the teacher features ``S_novel`` of the target view's rays.

    Args:
        feature_map: ``(C, h, w)`` at any resolution covering the image; pixel_indices: ``(rays,)`` row-major.

    Returns:
        ``(rays, C)``.
    """
    uv = pixel_centers_from_indices(pixel_indices, image_width)
    return sample_feature_maps(feature_map[None], uv[None, :, None, :], image_height, image_width)[:, 0, 0, :]

"""Pixel (ray) batches: random pixels of a target view for training, full images in chunks for evaluation.

Pixel indices are row-major flat indices ``v * width + u``; their centres follow gpnerf.conventions.
"""

from typing import Iterator

import torch

from gpnerf.geometry import Cameras, pixel_centers_from_indices, rays_from_pixels


def sample_ray_indices(height: int, width: int, num_rays: int, generator: torch.Generator) -> torch.Tensor:
    """``(num_rays,)`` int64 distinct flat pixel indices drawn uniformly without replacement."""
    num_pixels = height * width
    if not 1 <= num_rays <= num_pixels:
        raise ValueError(
            f"num_rays must lie in [1, {num_pixels}] (pixels of a {height}x{width} image); got {num_rays}."
        )
    return torch.randperm(num_pixels, generator=generator)[:num_rays]


def image_chunks(height: int, width: int, chunk_size: int) -> Iterator[torch.Tensor]:
    """Every flat pixel index of an image, in order, as ``(<= chunk_size,)`` int64 chunks."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1; got {chunk_size}.")
    yield from torch.arange(height * width).split(chunk_size)


def rays_for_indices(camera: Cameras, ray_indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """World-space rays through pixels ``ray_indices`` ``(rays,)`` of one camera.

    Returns:
        origins ``(rays, 3)`` and directions ``(rays, 3)`` (camera-z = 1, so t = z-depth).
    """
    if len(camera) != 1:
        raise ValueError(f"rays_for_indices needs one camera; got {len(camera)}.")
    uv = pixel_centers_from_indices(ray_indices, camera.width)
    origins, directions = rays_from_pixels(uv, camera.K[0], camera.world_from_cam[0])
    return origins, directions

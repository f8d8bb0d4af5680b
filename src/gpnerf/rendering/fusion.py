"""S_fused of paper Fig. 3(a): rendered features at the sampled pixels, extracted ones elsewhere.

Pixel -> feature-cell mapping. Rays are cast through full-resolution pixel centres ``(u, v)``
(integer coordinates, :mod:`gpnerf.conventions`); the feature map ``h x w`` spans the same extent
with ``align_corners=True``, so pixel ``u`` sits at map column ``u (w - 1) / (W - 1)``. A ray fills
the *nearest* cell, ``round(u (w - 1) / (W - 1))`` (and likewise for rows); several rays in one
cell are averaged; cells that no ray hits keep the target view's extracted feature S_novel.
The teacher feature of a ray is instead the *bilinear* sample of S_novel at ``(u, v)``.
"""

import torch

from gpnerf.geometry import pixel_centers_from_indices


def feature_cells_from_pixels(
    ray_indices: torch.Tensor, image_height: int, image_width: int, map_height: int, map_width: int
) -> torch.Tensor:
    """``(rays,)`` row-major flat cell index of the map cell nearest to each ray's pixel centre."""
    uv = pixel_centers_from_indices(ray_indices, image_width)  # (rays, 2)
    col = torch.round(uv[:, 0] * (map_width - 1) / max(image_width - 1, 1)).long()
    row = torch.round(uv[:, 1] * (map_height - 1) / max(image_height - 1, 1)).long()
    return row.clamp(0, map_height - 1) * map_width + col.clamp(0, map_width - 1)


def fuse_rendered_features(
    target_features: torch.Tensor, rendered: torch.Tensor, cell_index: torch.Tensor
) -> torch.Tensor:
    """Build S_fused.

    Args:
        target_features: ``(d_sem, h, w)`` S_novel, the target view's extracted features.
        rendered: ``(rays, d_sem)`` S^2D_sem of the sampled rays.
        cell_index: ``(rays,)`` flat cell of each ray (:func:`feature_cells_from_pixels`).

    Returns:
        ``(d_sem, h, w)``: the mean rendered feature in every hit cell, S_novel elsewhere.
    """
    d_sem, h, w = target_features.shape
    flat = target_features.reshape(d_sem, h * w)
    sums = torch.zeros_like(flat).index_add(1, cell_index, rendered.t().to(flat.dtype))
    counts = torch.zeros(h * w, device=flat.device, dtype=flat.dtype).index_add(
        0, cell_index, torch.ones_like(cell_index, dtype=flat.dtype)
    )
    hit = counts > 0
    fused = torch.where(hit, sums / counts.clamp_min(1.0), flat)
    return fused.reshape(d_sem, h, w)

"""What the transformer reads of each sample point before the semantic maps, and its reuse in the fine pass.

The fine pass's points are the coarse pass's plus the importance samples, sorted by depth. Every quantity here is a
function of one point alone (its position, its projection into each source view, the RGB and F^rgb sampled there), so
the fast implementation computes them for the importance samples only and puts the coarse pass's in their sorted
places (:meth:`PointInputs.merged`): the values of computing them again for every fine point, to float32 rounding
(the projection's matrix products batch the points differently), without projecting and sampling the coarse points
twice. The reference implementation computes them again (``gpnerf.model.gpnerf``); ``tests/model/test_point_inputs.py``
compares the two.
"""

from dataclasses import dataclass

import torch

from gpnerf.model.projection import SourceProjection


@dataclass
class PointInputs:
    """Per sample point, before the semantic maps.

    Attributes:
        xyz_world: ``(rays, samples, 3)`` the points, world frame.
        projection: their :class:`SourceProjection` (``uv_pix`` ``(views, rays, samples, 2)``, ``valid``
            ``(rays, samples, views)``, ``relative_direction`` ``(rays, samples, views, 4)``).
        rgb_tokens: ``(rays, samples, views, 3 + d_rgb_features)`` sampled RGB and F^rgb.
    """

    xyz_world: torch.Tensor
    projection: SourceProjection
    rgb_tokens: torch.Tensor

    def merged(self, extra: "PointInputs", order: torch.Tensor) -> "PointInputs":
        """These points and ``extra``'s, concatenated along the samples and put in ``order``.

        Args:
            extra: the importance samples' inputs, ``samples'`` per ray.
            order: ``(rays, samples + samples')`` int64, for each merged position the index into the
                concatenation ``[self, extra]`` (:func:`gpnerf.rendering.merge_samples_with_order`).
        """

        def merge(mine: torch.Tensor, theirs: torch.Tensor, dim: int) -> torch.Tensor:
            """Concatenated along the samples axis ``dim`` (the rays' axis just before it), gathered in ``order``."""
            joined = torch.cat([mine, theirs], dim=dim)
            shape, size = [1] * joined.dim(), list(joined.shape)
            shape[dim - 1], shape[dim] = order.shape
            size[dim] = order.shape[1]
            return joined.gather(dim, order.view(shape).expand(size))

        projection = SourceProjection(
            uv_pix=merge(self.projection.uv_pix, extra.projection.uv_pix, 2),
            valid=merge(self.projection.valid, extra.projection.valid, 1),
            relative_direction=merge(self.projection.relative_direction, extra.projection.relative_direction, 1),
        )
        return PointInputs(
            xyz_world=merge(self.xyz_world, extra.xyz_world, 1), projection=projection,
            rgb_tokens=merge(self.rgb_tokens, extra.rgb_tokens, 1),
        )

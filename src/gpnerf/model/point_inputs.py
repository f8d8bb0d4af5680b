"""What the transformer reads of each sample point before the semantic maps, and its reuse in the fine pass.

The fine pass's points are the coarse pass's plus the importance samples, sorted by depth. Every quantity here is a
function of one point alone (its position, its projection into each source view, the RGB and F^rgb sampled there), so
the fast implementation computes them for the importance samples only and puts the coarse pass's in their sorted
places (:meth:`PointInputs.merged`): the values of computing them again for every fine point, to float32 rounding
(the projection's matrix products batch the points differently), without projecting and sampling the coarse points
twice. The reference implementation computes them again (``gpnerf.model.gpnerf``); ``tests/model/test_point_inputs.py``
compares the two. At inference with the fused kernels the RGB tokens, the largest of these, are not merged at all:
they stay a :class:`MergedSamples`; the fine pass embeds only their second part and keeps X_rgb a
:class:`MergedSamples` of the coarse pass's embedding and that one, whose rows the FAT kernels read in the merged order
(:func:`gpnerf.model.transformer.embed_second_samples`).
"""

from collections.abc import Callable
from dataclasses import dataclass

import torch

from gpnerf.model.projection import SourceProjection


def merge_along_samples(first: torch.Tensor, second: torch.Tensor, order: torch.Tensor, dim: int) -> torch.Tensor:
    """``first`` and ``second`` concatenated along the samples axis ``dim`` (the rays' axis just before it) and put in
    ``order`` (``(rays, samples + samples')``, for each merged position the index into the concatenation)."""
    joined = torch.cat([first, second], dim=dim)
    shape, size = [1] * joined.dim(), list(joined.shape)
    shape[dim - 1], shape[dim] = order.shape
    size[dim] = order.shape[1]
    return joined.gather(dim, order.view(shape).expand(size))


@dataclass
class MergedSamples:
    """Per-sample rows of two sample sets, ``first`` ``(rays, samples, ...)`` and ``second`` ``(rays, samples', ...)``,
    in the merged ``order`` (``(rays, samples + samples')`` int64, for each merged position the index into their
    concatenation along the samples), not yet gathered. ``rows``: :meth:`source_rows` made already (by a caller that
    hands the same order to several readers), or None."""

    first: torch.Tensor
    second: torch.Tensor
    order: torch.Tensor
    rows: torch.Tensor | None = None

    def materialize(self) -> torch.Tensor:
        """The merged tensor ``(rays, samples + samples', ...)``."""
        return merge_along_samples(self.first, self.second, self.order, 1)

    def source_rows(self) -> torch.Tensor:
        """``(rays * (samples + samples'),)`` int64: for each merged row (rays and samples flattened), its row in
        ``first`` flattened over (rays, samples) (``< rays * samples``), else ``rays * samples`` plus its row in
        ``second`` flattened likewise (``rows`` where given)."""
        if self.rows is not None:
            return self.rows
        rays, samples = self.first.shape[:2]
        ray = torch.arange(rays, device=self.order.device)[:, None]
        in_second = self.order >= samples
        rows = torch.where(
            in_second, rays * samples + ray * self.second.shape[1] + self.order - samples, ray * samples + self.order
        )
        return rows.reshape(-1)


@dataclass
class PointInputs:
    """Per sample point, before the semantic maps.

    Attributes:
        xyz_world: ``(rays, samples, 3)`` the points, world frame.
        projection: their :class:`SourceProjection` (``uv_pix`` ``(views, rays, samples, 2)``, ``valid``
            ``(rays, samples, views)``, ``relative_direction`` ``(rays, samples, views, 4)``).
        rgb_tokens: ``(rays, samples, views, 3 + d_rgb_features)`` sampled RGB and F^rgb, or (merged at inference
            with the fused kernels) the :class:`MergedSamples` of two such tensors.
    """

    xyz_world: torch.Tensor
    projection: SourceProjection
    rgb_tokens: torch.Tensor | MergedSamples

    def merged(
        self, extra: "PointInputs", order: torch.Tensor, defer_tokens: bool = False,
        project: Callable[[torch.Tensor], SourceProjection] | None = None,
    ) -> "PointInputs":
        """These points and ``extra``'s, concatenated along the samples and put in ``order``.

        Args:
            extra: the importance samples' inputs, ``samples'`` per ray.
            order: ``(rays, samples + samples')`` int64, for each merged position the index into the
                concatenation ``[self, extra]`` (:func:`gpnerf.rendering.merge_samples_with_order`).
            defer_tokens: leave the RGB tokens a :class:`MergedSamples` (for the embedding kernel; the transformer
                materializes it where that kernel does not run).
            project: projects the merged points ``(rays, samples + samples', 3)`` again instead of gathering the two
                projections (the projection kernel, one launch, reads and writes less than the three gathers).
        """
        xyz_world = merge_along_samples(self.xyz_world, extra.xyz_world, order, 1)
        if project is not None:
            projection = project(xyz_world)
        else:
            mine, theirs = self.projection, extra.projection
            projection = SourceProjection(
                uv_pix=merge_along_samples(mine.uv_pix, theirs.uv_pix, order, 2),
                valid=merge_along_samples(mine.valid, theirs.valid, order, 1),
                relative_direction=merge_along_samples(mine.relative_direction, theirs.relative_direction, order, 1),
            )
        tokens = MergedSamples(self.rgb_tokens, extra.rgb_tokens, order)
        return PointInputs(
            xyz_world=xyz_world, projection=projection, rgb_tokens=tokens if defer_tokens else tokens.materialize(),
        )

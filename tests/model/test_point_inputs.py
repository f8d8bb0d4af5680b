"""The fast implementation's fine pass reuses the coarse points' projections and RGB tokens
(gpnerf.model.point_inputs): the merged inputs equal those computed again for every fine point, to float32 rounding
(the projection's products batch the points differently: up to 2 ulp of the pixel coordinates seen here; 1e-5).
Projected again (``merged(project=...)``, where the projection kernel runs) they equal the recomputed ones."""

from dataclasses import replace
from functools import partial

import torch
from model_helpers import make_episode, one_thread, small_config  # noqa: F401  (one_thread: autouse fixture)

from gpnerf.model import GPNeRF
from gpnerf.model.point_inputs import MergedSamples
from gpnerf.model.projection import project_points
from gpnerf.rendering import merge_samples, merge_samples_with_order


def test_merge_with_order_gives_the_merged_samples_and_where_each_came_from():
    t = torch.tensor([[0.1, 0.5, 0.9], [0.2, 0.4, 0.6]])
    extra = torch.tensor([[0.3, 0.95], [0.1, 0.5]])
    merged, order = merge_samples_with_order(t, extra)
    assert torch.equal(merged, merge_samples(t, extra))
    assert torch.equal(torch.cat([t, extra], dim=1).gather(1, order), merged)
    assert order.tolist() == [[0, 3, 1, 2, 4], [3, 0, 1, 4, 2]]


def test_merged_samples_rows_index_both_parts_in_the_merged_order():
    """MergedSamples.materialize is the concatenation gathered in ``order``; source_rows gives the same rows out of
    the two parts stacked flat (what the embedding kernel reads)."""
    torch.manual_seed(0)
    first, second = torch.randn(3, 4, 2, 5), torch.randn(3, 2, 2, 5)
    order = torch.argsort(torch.rand(3, 6), dim=1)
    merged = MergedSamples(first, second, order)
    materialized = merged.materialize()
    index = order[:, :, None, None].expand(-1, -1, 2, 5)
    assert torch.equal(materialized, torch.cat([first, second], 1).gather(1, index))
    stacked = torch.cat([first.flatten(0, 1), second.flatten(0, 1)])
    assert torch.equal(stacked[merged.source_rows()], materialized.flatten(0, 1))


def test_merged_point_inputs_equal_the_inputs_computed_for_the_merged_samples():
    torch.manual_seed(0)
    model = GPNeRF(replace(small_config(), implementation="fast"), 5).eval()
    episode = make_episode(views=3, rays=11)
    encoded = model.encoder(episode.source_images)
    origins, directions = model._ray_geometry(episode, episode.ray_indices)
    cameras = dict(source_cameras=episode.source_cameras, target_center_world=episode.target_camera.centers[0])
    t = torch.sort(torch.rand(11, 6) * 4 + 0.2, dim=1).values
    extra = torch.rand(11, 3) * 4 + 0.2
    merged_t, order = merge_samples_with_order(t, extra)
    with torch.no_grad():
        coarse = model._point_inputs(episode, encoded, origins, directions, t)
        extra_points = model._point_inputs(episode, encoded, origins, directions, extra)
        reused = coarse.merged(extra_points, order)
        projected = coarse.merged(extra_points, order, project=partial(project_points, **cameras))
        deferred = coarse.merged(extra_points, order, defer_tokens=True)
        again = model._point_inputs(episode, encoded, origins, directions, merged_t)
    pairs = {
        "xyz_world": (reused.xyz_world, again.xyz_world),
        "uv_pix": (reused.projection.uv_pix, again.projection.uv_pix),
        "relative_direction": (reused.projection.relative_direction, again.projection.relative_direction),
        "rgb_tokens": (reused.rgb_tokens, again.rgb_tokens),
    }
    for name, (got, expected) in pairs.items():
        assert got.shape == expected.shape, name
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5, msg=name)
    assert torch.equal(reused.projection.valid, again.projection.valid)
    for name in ("uv_pix", "valid", "relative_direction"):  # projected again: the merged points' own projection
        assert torch.equal(getattr(projected.projection, name), getattr(again.projection, name)), name
    assert torch.equal(projected.xyz_world, again.xyz_world) and torch.equal(projected.rgb_tokens, reused.rgb_tokens)
    assert isinstance(deferred.rgb_tokens, MergedSamples)
    assert torch.equal(deferred.rgb_tokens.materialize(), reused.rgb_tokens)
    assert again.projection.valid.any() and not again.projection.valid.all()  # both kinds of view checked

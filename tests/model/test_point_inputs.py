"""The fast implementation's fine pass reuses the coarse points' projections and RGB tokens
(gpnerf.model.point_inputs): the merged inputs equal those computed again for every fine point, to float32 rounding
(the projection's products batch the points differently: up to 2 ulp of the pixel coordinates seen here; 1e-5)."""

from dataclasses import replace

import torch
from model_helpers import make_episode, one_thread, small_config  # noqa: F401  (one_thread: autouse fixture)

from gpnerf.model import GPNeRF
from gpnerf.rendering import merge_samples, merge_samples_with_order


def test_merge_with_order_gives_the_merged_samples_and_where_each_came_from():
    t = torch.tensor([[0.1, 0.5, 0.9], [0.2, 0.4, 0.6]])
    extra = torch.tensor([[0.3, 0.95], [0.1, 0.5]])
    merged, order = merge_samples_with_order(t, extra)
    assert torch.equal(merged, merge_samples(t, extra))
    assert torch.equal(torch.cat([t, extra], dim=1).gather(1, order), merged)
    assert order.tolist() == [[0, 3, 1, 2, 4], [3, 0, 1, 4, 2]]


def test_merged_point_inputs_equal_the_inputs_computed_for_the_merged_samples():
    torch.manual_seed(0)
    model = GPNeRF(replace(small_config(), implementation="fast"), 5).eval()
    episode = make_episode(views=3, rays=11)
    encoded = model.encoder(episode.source_images)
    origins, directions = model._ray_geometry(episode, episode.ray_indices)
    t = torch.sort(torch.rand(11, 6) * 4 + 0.2, dim=1).values
    extra = torch.rand(11, 3) * 4 + 0.2
    merged_t, order = merge_samples_with_order(t, extra)
    with torch.no_grad():
        coarse = model._point_inputs(episode, encoded, origins, directions, t)
        reused = coarse.merged(model._point_inputs(episode, encoded, origins, directions, extra), order)
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
    assert again.projection.valid.any() and not again.projection.valid.all()  # both kinds of view checked

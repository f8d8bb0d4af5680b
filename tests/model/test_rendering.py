"""Ray sampling and the S_fused construction."""

import pytest
import torch

from gpnerf.rendering import (
    coarse_samples,
    feature_cells_from_pixels,
    fuse_rendered_features,
    importance_samples,
    merge_samples,
)


@pytest.mark.parametrize("spacing", ["inverse_depth", "linear"])
def test_coarse_samples_deterministic_and_stratified(spacing):
    t = coarse_samples(3, 8, 0.5, 4.0, spacing, stratified=False)
    assert t.shape == (3, 8)
    assert t[0, 0].item() == pytest.approx(0.5) and t[0, -1].item() == pytest.approx(4.0)
    assert bool((t[:, 1:] > t[:, :-1]).all())
    s = 1 / t if spacing == "inverse_depth" else t
    steps = s[0, 1:] - s[0, :-1]
    torch.testing.assert_close(steps, steps[:1].expand_as(steps))  # uniform in the chosen space
    jittered = coarse_samples(3, 8, 0.5, 4.0, spacing, stratified=True)
    assert bool((jittered >= 0.5 - 1e-6).all() and (jittered <= 4.0 + 1e-6).all())
    assert not torch.allclose(jittered, t)


def test_inverse_depth_needs_positive_near():
    with pytest.raises(ValueError, match="near must be > 0"):
        coarse_samples(1, 4, 0.0, 1.0, "inverse_depth", stratified=False)


def test_importance_samples_follow_the_weights():
    t = coarse_samples(2, 16, 1.0, 5.0, "linear", stratified=False)
    weights = torch.zeros(2, 16)
    weights[:, 8] = 1.0
    extra = importance_samples(t, weights, 32, "linear", deterministic=True)
    assert extra.shape == (2, 32)
    lo, hi = 0.5 * (t[0, 7] + t[0, 8]), 0.5 * (t[0, 8] + t[0, 9])
    inside = ((extra >= lo - 1e-5) & (extra <= hi + 1e-5)).float().mean()
    assert inside > 0.9
    merged = merge_samples(t, extra)
    assert merged.shape == (2, 48) and bool((merged[:, 1:] >= merged[:, :-1]).all())


def test_feature_cells_map_corner_pixels_to_corner_cells():
    height, width, h, w = 8, 10, 4, 5
    idx = torch.tensor([0, width - 1, (height - 1) * width, height * width - 1])
    cells = feature_cells_from_pixels(idx, height, width, h, w)
    assert cells.tolist() == [0, w - 1, (h - 1) * w, h * w - 1]


def test_fused_map_equals_rendered_where_hit_and_novel_elsewhere():
    d, h, w = 3, 4, 5
    novel = torch.randn(d, h, w)
    rendered = torch.randn(3, d)
    cells = torch.tensor([2, 7, 7])
    fused = fuse_rendered_features(novel, rendered, cells)
    flat = fused.reshape(d, -1)
    torch.testing.assert_close(flat[:, 2], rendered[0])
    torch.testing.assert_close(flat[:, 7], rendered[1:].mean(0))
    mask = torch.ones(h * w, dtype=torch.bool)
    mask[[2, 7]] = False
    torch.testing.assert_close(flat[:, mask], novel.reshape(d, -1)[:, mask])

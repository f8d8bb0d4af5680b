"""`gpnerf model --preset NAME`: parameter and FLOP summary."""

import pytest

from gpnerf.commands.model import ModelSummary
from gpnerf.model import PRESETS
from gpnerf.model.flops import count_flops


def test_model_summary_prints_every_module(capsys):
    ModelSummary(preset="tiny-cpu", height=32, width=40, num_source_views=3).run()
    text = capsys.readouterr().out
    for key in ["encoder.fpn", "transformer.field_blocks", "head", "total", "per ray", "full image"]:
        assert key in text


def test_model_summary_rejects_unknown_preset():
    with pytest.raises(ValueError, match="preset must be one of"):
        ModelSummary(preset="nope").run()


def test_flops_scale_with_rays_and_views():
    config = PRESETS["tiny-cpu"]
    small = count_flops(config, 5, views=2, height=32, width=40)
    more_views = count_flops(config, 5, views=4, height=32, width=40)
    assert small.per_ray > 0 and small.encoder_per_view > 0 and small.head_per_image > 0
    assert more_views.per_ray > small.per_ray  # FAT key/value projections run per view
    assert more_views.encoder_per_view == pytest.approx(small.encoder_per_view)
    expected = 2 * small.encoder_per_view + 32 * 40 * small.per_ray + small.head_per_image
    assert small.per_image == pytest.approx(expected)

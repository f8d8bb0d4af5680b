"""Output shapes over random sizes, eval rendering, config errors, bf16 autocast."""

from dataclasses import fields, replace

import pytest
import torch

from gpnerf.engine import LearningRates
from gpnerf.losses import compute_losses
from gpnerf.model import PRESETS, EncoderConfig, GPNeRF, ModelConfig, SamplingConfig, TransformerConfig
from gpnerf.model.encoder import resize
from gpnerf.model.gpnerf import pixel_rows_as_maps

from model_helpers import make_episode, small_config
from triton_checks import needs_cuda


@pytest.mark.parametrize(
    "views,rays,num_coarse,num_importance,height,width,d_rgb,d_fpn,heads",
    [(1, 1, 3, 0, 20, 24, 8, 8, 2), (3, 7, 5, 2, 24, 32, 8, 16, 4), (4, 32, 8, 4, 30, 18, 12, 12, 3)],
)
@pytest.mark.parametrize("mode", ["perception_head", "label_rendering"])
def test_forward_shapes(views, rays, num_coarse, num_importance, height, width, d_rgb, d_fpn, heads, mode):
    config = small_config(d_rgb=d_rgb, d_fpn=d_fpn, num_heads=heads, num_coarse=num_coarse, num_importance=num_importance, mode=mode)
    num_classes = 4
    model = GPNeRF(config, num_classes)
    ep = make_episode(views, height, width, rays, num_classes)
    out = model(ep)
    samples = num_coarse + num_importance
    d_sem = config.encoder.d_sem
    assert out.rgb_fine.shape == out.rgb_coarse.shape == (rays, 3)
    assert out.depth.shape == (rays,) and out.t.shape == out.weights.shape == (rays, samples)
    assert out.semantic_rendered.shape == out.teacher.shape == (rays, d_sem)
    assert out.semantic_field.shape == (rays, samples, d_sem)
    assert bool((out.t[:, 1:] >= out.t[:, :-1]).all())
    if mode == "perception_head":
        assert out.head_logits.shape == (num_classes, height, width) and out.ray_logits is None
    else:
        assert out.ray_logits.shape == (rays, num_classes) and out.head_logits is None
    total, terms = compute_losses(out, ep, config)
    assert torch.isfinite(total)
    total.backward()
    image = model.render_image(ep, chunk_rays=97)
    assert image.rgb.shape == (height, width, 3) and image.depth.shape == (height, width)
    assert image.semantic_logits.shape == (num_classes, height, width)
    if mode == "perception_head":
        assert image.semantic_features.shape == (d_sem, height, width)


def test_render_image_is_deterministic_and_chunk_independent():
    model = GPNeRF(small_config(), 3)
    ep = make_episode(rays=None, num_classes=3)
    a = model.render_image(ep, chunk_rays=50)
    b = model.render_image(ep, chunk_rays=768)
    assert model.training  # mode restored
    torch.testing.assert_close(a.rgb, b.rgb, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(a.semantic_logits, b.semantic_logits, rtol=1e-4, atol=1e-5)


def test_pixel_rows_as_maps_resize_in_channels_last():
    """The maps are a view of the rows equal to their transposed copy, and PyTorch takes them as channels-last: the
    resize keeps that layout (it ran the channels-last kernel; one image's ``(C, H, W)`` view batched by ``[None]``
    did not), within 1e-6 of the contiguous maps' resize."""
    rows = torch.randn(2, 6 * 7, 5)
    maps = pixel_rows_as_maps(rows, 6, 7)
    assert torch.equal(maps, rows.transpose(1, 2).reshape(2, 5, 6, 7)) and maps.data_ptr() == rows.data_ptr()
    for batch in (maps, pixel_rows_as_maps(rows[:1], 6, 7)):
        resized = resize(batch, (3, 4))
        assert resized.is_contiguous(memory_format=torch.channels_last)
        torch.testing.assert_close(resized, resize(batch.contiguous(), (3, 4)), rtol=0, atol=1e-6)


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=[needs_cuda, pytest.mark.gpu])])
def test_rendered_logits_are_the_head_on_the_contiguous_map(device):
    """The head's input resized from the channels-last rows (PyTorch's channels-last resize) against the resize of
    the contiguous map: 1e-6 in float32 (TF32 off: its 10-bit rounding would magnify any difference)."""
    torch.manual_seed(0)
    model = GPNeRF(small_config(), 3).to(device)
    ep = make_episode(rays=None, num_classes=3).to(device)
    with torch.backends.cudnn.flags(enabled=True, allow_tf32=False), torch.no_grad():
        image = model.render_image(ep, chunk_rays=97)
        map_size = tuple(model.encoder(ep.source_images).semantic_features.shape[-2:])
        expected = model.head(resize(image.semantic_features.contiguous()[None], map_size), (ep.height, ep.width))[0]
    torch.testing.assert_close(image.semantic_logits, expected, rtol=0, atol=1e-6)


def test_released_head_and_gt_only_shapes():
    config = small_config(head="semantic_fpn", head_training="gt_only", fat_add_pos=False, adaptor="linear_relu")
    out = GPNeRF(config, 6)(make_episode(num_classes=6))
    assert out.head_logits.shape == (6, 24, 32)
    assert bool((out.semantic_rendered >= 0).all())  # ReLU adaptor


def test_config_errors():
    with pytest.raises(ValueError, match="must be divisible by transformer.d_rgb"):
        ModelConfig(encoder=EncoderConfig(d_fpn=10, num_fpn_levels=3, stage_channels=(4, 8), stage_blocks=(1, 1), rgb_decoder_top_stage=1),
                    transformer=TransformerConfig(d_rgb=8, num_heads=2))
    with pytest.raises(ValueError, match="num_heads"):
        TransformerConfig(d_rgb=10, num_heads=4)
    with pytest.raises(ValueError, match="num_importance"):
        SamplingConfig(num_importance=-1)


def test_forward_errors():
    model = GPNeRF(small_config(), 5)
    with pytest.raises(ValueError, match="ray_indices must be set in training"):
        model(replace(make_episode(), ray_indices=None))
    with pytest.raises(ValueError, match="near must be > 0"):
        model(replace(make_episode(), near=0.0))
    with pytest.raises(ValueError, match="must keep >= 2 cells per side"):
        model(make_episode(height=6, width=6))
    with pytest.raises(ValueError, match="num_classes must be >= 1"):
        GPNeRF(small_config(), 0)


def test_bf16_autocast_forward_and_backward():
    config = small_config()
    model = GPNeRF(config, 5)
    ep = make_episode()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = model(ep)
        total, _ = compute_losses(out, ep, config)
    total.backward()
    assert torch.isfinite(total)


def test_presets_build_and_released_param_counts():
    model = GPNeRF(PRESETS["released-code"], 21)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    # released-code.md Sec. 1.1: ResUNet 8,877,056 + FPN 656,384; GNT 1,145,347; head 1,036,693.
    assert count(model.encoder) - count(model.encoder.fpn) == 8_877_056
    assert count(model.encoder.fpn) == 656_384
    assert count(model.transformer) == 1_145_347
    assert count(model.head) == 1_036_693


def test_parameter_groups_partition_the_model_and_match_learning_rates():
    model = GPNeRF(small_config(), 5)
    groups = model.parameter_groups()
    assert set(groups) == {f.name for f in fields(LearningRates)}
    ids = [id(p) for params in groups.values() for p in params]
    assert len(ids) == len(set(ids)) == len(list(model.parameters()))

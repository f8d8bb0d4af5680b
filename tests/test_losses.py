"""Loss terms (paper Eq. 8-13) on hand-computed examples."""

import math
from dataclasses import replace

import pytest
import torch

from gpnerf.episode import Episode
from gpnerf.geometry import Cameras, intrinsics_from_fov
from gpnerf.losses import (
    compute_losses,
    depth_guided_distill_loss,
    dgs_point_masks,
    fractional_sample_index,
    rgb_loss,
    semantic_distill_loss,
    semantic_loss,
)
from gpnerf.model import PRESETS, LossConfig, LossWeights, ModelOutput


def _episode(height=2, width=4, depth=None, labels=None, image=None):
    cams = Cameras(intrinsics_from_fov(width, height, 90.0)[None].repeat(2, 1, 1), torch.eye(4).repeat(2, 1, 1), height, width)
    return Episode(
        source_images=torch.zeros(1, 3, height, width), source_cameras=cams[0], target_camera=cams[1], near=0.1, far=10.0,
        target_image=image if image is not None else torch.zeros(3, height, width), target_depth=depth, target_semantic=labels,
    )


def _output(t, weights=None, field=None, teacher=None, ray_indices=None, direction_norm=None, **kw):
    rays = t.shape[0]
    return ModelOutput(
        ray_indices=ray_indices if ray_indices is not None else torch.arange(rays),
        rgb_coarse=kw.get("rgb", torch.zeros(rays, 3)), rgb_fine=kw.get("rgb", torch.zeros(rays, 3)),
        depth=torch.zeros(rays), t=t, weights=weights if weights is not None else torch.full_like(t, 1.0 / t.shape[1]),
        ray_direction_norm=direction_norm if direction_norm is not None else torch.ones(rays),
        semantic_rendered=kw.get("rendered"), semantic_field=field, teacher=teacher, head_logits=kw.get("head_logits"),
    )


def test_rgb_loss_is_mean_squared_norm():
    pred = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    target = torch.tensor([[0.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    assert rgb_loss(pred, target).item() == pytest.approx((1.0 + 4.0) / 2)


def test_semantic_loss_skips_ignore_label():
    logits = torch.tensor([[[0.0, 0.0]], [[math.log(3.0), 0.0]]])  # (classes=2, H=1, W=2)
    labels = torch.tensor([[1, 2]])  # second pixel = ignore (num_classes = 2)
    assert semantic_loss(logits, labels, 2).item() == pytest.approx(-math.log(3 / 4))
    assert semantic_loss(logits, torch.full((1, 2), 2), 2).item() == 0.0


def test_semantic_distill_loss_value_and_detached_teacher():
    student = torch.tensor([[1.0, 0.0], [0.0, 2.0]], requires_grad=True)
    teacher = torch.tensor([[3.0, 0.0], [1.0, 0.0]], requires_grad=True)
    loss = semantic_distill_loss(student, teacher)
    assert loss.item() == pytest.approx((0.0 + 1.0) / 2)
    loss.backward()
    assert teacher.grad is None and student.grad is not None


def test_dgs_worked_example_attracts_near_and_repels_far():
    # One ray, 7 samples at t = 1..7, GT depth 3.5 -> fractional index 2.5; N_p = 2 samples.
    # |i - 2.5| = 2.5 1.5 .5 .5 1.5 2.5 3.5 -> near {1,2,3,4}, far {0,5,6}.
    t = torch.arange(1.0, 8.0)[None]
    teacher = torch.tensor([[1.0, 0.0]])
    field = torch.tensor([[[1.0, 0.5], [1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [1.0, 1.0]]])
    #                     far: cos .894 near: 0     near: 1    near: 0    near: 0    far: 0       far: cos .7071
    config = PRESETS["tiny-cpu"]
    ep = _episode(height=1, width=1, depth=torch.tensor([[3.5]]))
    out = _output(t, field=field, teacher=teacher, ray_indices=torch.tensor([0]))
    near, far = dgs_point_masks(out, ep, config)
    assert near.tolist() == [[False, True, True, True, True, False, False]]
    assert far.tolist() == [[True, False, False, False, False, True, True]]
    field = field.clone().requires_grad_(True)
    loss = depth_guided_distill_loss(field, teacher, near, far)
    assert loss.item() == pytest.approx((1 / math.sqrt(1.25) + 1.0 + 0.0 + math.sqrt(0.5)) / 7, rel=1e-6)
    loss.backward()
    stepped = field - 0.1 * field.grad
    cos = torch.nn.functional.cosine_similarity(stepped, teacher[:, None], dim=-1)[0]
    assert cos[2] > 0.0  # near point at cos 0 moves toward the teacher
    assert cos[0] < 1 / math.sqrt(1.25) and cos[6] < math.sqrt(0.5)  # far points with cos > 0 are pushed away
    assert field.grad[0, 5].abs().sum() == 0  # far point with cos <= 0 is left alone
    # Without the repel term only the near point at cos 0 contributes.
    no_repel = replace(config, loss=replace(config.loss, dgs_repel=False))
    near2, far2 = dgs_point_masks(out, ep, no_repel)
    assert not far2.any()
    assert depth_guided_distill_loss(field, teacher, near2, far2).item() == pytest.approx(1.0 / 7)


def test_dgs_metric_units_and_missing_depth():
    t = torch.tensor([[1.0, 1.5, 2.0, 3.0], [1.0, 1.5, 2.0, 3.0]])
    ep = _episode(height=1, width=2, depth=torch.tensor([[2.0, 0.0]]))  # second ray: no depth
    config = replace(PRESETS["tiny-cpu"], loss=LossConfig(dgs_window=0.6, dgs_window_units="metres"))
    out = _output(t, ray_indices=torch.tensor([0, 1]), direction_norm=torch.tensor([2.0, 2.0]))
    near, far = dgs_point_masks(out, ep, config)
    # distances |t - 2| * 2 = 2, 1, 0, 2 -> near only t = 2; far t = 1, 1.5, 3.
    assert near.tolist() == [[False, False, True, False], [False] * 4]
    assert far.tolist() == [[True, True, False, True], [False] * 4]


def test_dgs_released_variant_uses_attention_argmax_without_wraparound():
    t = torch.arange(1.0, 9.0).repeat(2, 1)
    weights = torch.zeros(2, 8)
    weights[0, 0] = 1.0
    weights[1, 5] = 1.0
    config = PRESETS["released-code"]
    near, far = dgs_point_masks(_output(t, weights=weights), _episode(), config)
    assert near[0].tolist() == [True, True, True, False, False, False, False, False]
    assert near[1].tolist() == [False, False, False, True, True, True, True, True]
    assert not far.any()


def test_fractional_sample_index():
    t = torch.tensor([[1.0, 2.0, 4.0], [1.0, 2.0, 4.0]])
    pos = fractional_sample_index(t, torch.tensor([3.0, 5.0]))
    assert pos[0].item() == pytest.approx(1.5) and math.isnan(pos[1].item())


def test_compute_losses_weights_and_any_ray_count():
    for rays in (3, 11):
        height, width = 4, 5
        labels = torch.randint(0, 3, (height, width))
        ep = _episode(height, width, depth=torch.full((height, width), 2.0), labels=labels, image=torch.rand(3, height, width))
        t = torch.linspace(1.0, 3.0, 9).repeat(rays, 1)
        out = _output(
            t, field=torch.randn(rays, 9, 6), teacher=torch.randn(rays, 6), ray_indices=torch.randperm(height * width)[:rays],
            rendered=torch.randn(rays, 6), head_logits=torch.randn(3, height, width), rgb=torch.rand(rays, 3),
        )
        weights = LossWeights(rgb=0.5, sem=2.0, distill_2d=3.0, distill_dgs=4.0)
        config = replace(PRESETS["tiny-cpu"], loss=LossConfig(weights=weights))
        total, terms = compute_losses(out, ep, config)
        expected = 0.5 * terms["rgb"] + 2.0 * terms["sem"] + 3.0 * terms["distill_2d"] + 4.0 * terms["distill_dgs"]
        assert total.item() == pytest.approx(expected.item(), rel=1e-6)
        assert terms["rgb"].item() == pytest.approx(2 * terms["rgb_fine"].item())  # coarse == fine here
        zero = replace(config, loss=LossConfig(weights=replace(weights, distill_dgs=0.0)))
        assert "distill_dgs" not in compute_losses(out, ep, zero)[1]


def test_compute_losses_requires_depth_for_gt_dgs():
    ep = _episode(labels=torch.zeros(2, 4, dtype=torch.long))
    out = _output(torch.linspace(1, 2, 4).repeat(2, 1), field=torch.randn(2, 4, 3), teacher=torch.randn(2, 3),
                  rendered=torch.randn(2, 3), head_logits=torch.randn(3, 2, 4))
    with pytest.raises(ValueError, match="target_depth must be set"):
        compute_losses(out, ep, PRESETS["tiny-cpu"])


def test_losses_without_supervision_are_zero_with_finite_zero_gradients():
    logits = torch.randn(3, 2, 2, requires_grad=True)
    loss = semantic_loss(logits, torch.full((2, 2), 3), 3)  # every pixel ignored
    loss.backward()
    assert loss.item() == 0.0 and torch.equal(logits.grad, torch.zeros_like(logits))
    field = torch.randn(2, 4, 3, requires_grad=True)
    none = torch.zeros(2, 4, dtype=torch.bool)
    loss = depth_guided_distill_loss(field, torch.randn(2, 3), none, none)
    loss.backward()
    assert loss.item() == 0.0 and torch.equal(field.grad, torch.zeros_like(field))


def test_dgs_mean_is_over_the_points_of_supervised_rays_only():
    gen = torch.Generator().manual_seed(0)
    field, teacher = torch.randn(5, 6, 4, generator=gen), torch.randn(5, 4, generator=gen)
    near = torch.rand(5, 6, generator=gen) < 0.3
    far = (torch.rand(5, 6, generator=gen) < 0.3) & ~near
    near[1], far[1] = False, False  # an unsupervised ray
    cos = torch.nn.functional.cosine_similarity(field, teacher[:, None], dim=-1)
    per_point = torch.where(near, 1 - cos, 0.0) + torch.where(far, cos.clamp_min(0.0), 0.0)
    expected = per_point[(near | far).any(dim=-1)].mean()
    assert depth_guided_distill_loss(field, teacher, near, far).item() == pytest.approx(expected.item(), rel=1e-6)

"""Shared attention (Alg. 1-2), permutation invariance, gradient block, frozen attention, Table 4."""

from dataclasses import fields, replace

import pytest
import torch

from gpnerf.losses import compute_losses
from gpnerf.model import TABLE4_IDS, GPNeRF, LossWeights, table4_config
from gpnerf.model.field_aggregation import FieldAttention, aggregate_semantic_field
from gpnerf.model.ray_aggregation import render_semantic_points

from model_helpers import make_episode, small_config


@pytest.mark.parametrize("add_position", [True, False])
def test_fat_semantic_aggregation_equals_explicit_repeat_interleave(add_position):
    rays, samples, views, d_rgb, factor = 3, 4, 5, 6, 3
    x_sem = torch.randn(rays, samples, views, d_rgb * factor, dtype=torch.float64)
    attention = torch.softmax(torch.randn(rays, samples, views, d_rgb, dtype=torch.float64), dim=2)
    position = torch.randn(rays, samples, views, d_rgb, dtype=torch.float64)
    got = aggregate_semantic_field(x_sem, FieldAttention(attention, position), add_position)
    # Alg. 1 lines 5, 6, 9 literally.
    a_rep = attention.repeat_interleave(factor, dim=-1)
    p_rep = position.repeat_interleave(factor, dim=-1) if add_position else torch.zeros_like(x_sem)
    expected_vec = ((x_sem + p_rep) * a_rep).sum(dim=2)
    torch.testing.assert_close(got, expected_vec)
    # Explicit loop: channel c is driven by attention channel c // factor.
    expected = torch.zeros(rays, samples, d_rgb * factor, dtype=torch.float64)
    for c in range(d_rgb * factor):
        for v in range(views):
            p = position[:, :, v, c // factor] if add_position else 0.0
            expected[:, :, c] += (x_sem[:, :, v, c] + p) * attention[:, :, v, c // factor]
    torch.testing.assert_close(got, expected)


def test_fat_semantic_aggregation_rejects_indivisible_width():
    attention = torch.rand(1, 1, 2, 4)
    with pytest.raises(ValueError, match="must be divisible by d_rgb"):
        aggregate_semantic_field(torch.rand(1, 1, 2, 10), FieldAttention(attention, attention), True)


def test_rat_semantic_rendering_equals_explicit_per_head_sum():
    rays, heads, samples, per_head = 2, 3, 5, 4
    field = torch.randn(rays, samples, heads * per_head, dtype=torch.float64)
    attention = torch.softmax(torch.randn(rays, heads, samples, samples, dtype=torch.float64), dim=-1)
    got = render_semantic_points(field, attention)
    expected = torch.zeros_like(field)
    for c in range(heads * per_head):
        h = c // per_head
        for i in range(samples):
            expected[:, i, c] = (attention[:, h, i, :] * field[:, :, c]).sum(-1)
    torch.testing.assert_close(got, expected)
    # repeat_interleave form of Alg. 2 line 5: A' (rays, samples, samples, d_sem).
    a_rep = attention.permute(0, 2, 3, 1).repeat_interleave(per_head, dim=-1)
    torch.testing.assert_close(got, (a_rep * field[:, None, :, :]).sum(dim=2))


@pytest.mark.parametrize("mode", ["perception_head", "label_rendering"])
def test_source_view_permutation_invariance(mode):
    config = small_config(mode=mode)
    model = GPNeRF(config, 5).eval()
    ep = make_episode(views=4, rays=30)
    perm = [2, 0, 3, 1]
    ep_perm = replace(ep, source_images=ep.source_images[perm], source_cameras=ep.source_cameras[perm])
    with torch.no_grad():
        a, b = model(ep), model(ep_perm)
    for name in ["rgb_coarse", "rgb_fine", "depth", "semantic_rendered", "semantic_field", "head_logits", "ray_logits"]:
        x, y = getattr(a, name), getattr(b, name)
        if x is not None:
            torch.testing.assert_close(x, y, rtol=1e-4, atol=1e-5, msg=name)


def _grads_after(config, weights: LossWeights, modules):
    torch.manual_seed(0)
    model = GPNeRF(replace(config, loss=replace(config.loss, weights=weights)), 5)
    ep = make_episode()
    total, _ = compute_losses(model(ep), ep, model.config)
    if total.requires_grad:  # frozen + blocked L_DGS alone has no parameter to train
        total.backward()
    return model, [p.grad for m in modules(model) for p in m.parameters()]


def _all_zero(grads) -> bool:
    return all(g is None or bool((g == 0).all()) for g in grads)


@pytest.mark.parametrize("term", ["distill_2d", "distill_dgs"])
def test_gradient_block_keeps_distillation_out_of_the_encoder(term):
    only = replace(LossWeights(rgb=0.0, sem=0.0, distill_2d=0.0, distill_dgs=0.0), **{term: 1.0})
    fpn = lambda m: [m.encoder.fpn]  # noqa: E731  (feeds only the semantic features)
    encoder = lambda m: [m.encoder]  # noqa: E731
    # The block cuts the path through the source semantic features: the FPN gets exactly nothing.
    _, blocked = _grads_after(small_config(gradient_block=True), only, fpn)
    assert _all_zero(blocked)
    _, open_ = _grads_after(small_config(gradient_block=False), only, fpn)
    assert not _all_zero(open_)
    # The only other path into the encoder is the shared attention (via F^rgb); with it frozen
    # as well, the distillation term leaves every encoder parameter untouched.
    _, blocked_frozen = _grads_after(small_config(gradient_block=True, attention="frozen"), only, encoder)
    assert _all_zero(blocked_frozen)
    _, open_frozen = _grads_after(small_config(gradient_block=False, attention="frozen"), only, encoder)
    assert not _all_zero(open_frozen)


def _attention_modules(model):
    mods = []
    for fat in model.transformer.field_blocks:
        mods += [fat.q_fc, fat.k_fc, fat.pos_fc, fat.attn_fc]
    for rat in model.transformer.ray_blocks:
        mods += [rat.q_fc, rat.k_fc]
    return mods


@pytest.mark.parametrize("term", ["sem", "distill_2d", "distill_dgs"])
def test_frozen_attention_keeps_semantic_losses_out_of_the_attention(term):
    only = replace(LossWeights(rgb=0.0, sem=0.0, distill_2d=0.0, distill_dgs=0.0), **{term: 1.0})
    _, frozen = _grads_after(small_config(attention="frozen"), only, _attention_modules)
    assert _all_zero(frozen)
    _, joint = _grads_after(small_config(attention="joint"), only, _attention_modules)
    assert not _all_zero(joint)
    _, frozen_rgb = _grads_after(small_config(attention="frozen"), LossWeights(rgb=1.0, sem=0.0, distill_2d=0.0, distill_dgs=0.0), _attention_modules)
    assert not _all_zero(frozen_rgb)  # L_rgb still trains the attention


def _flat(config) -> dict:
    out = {}
    for f in fields(config):
        value = getattr(config, f.name)
        if hasattr(value, "__dataclass_fields__"):
            out.update({f"{f.name}.{k}": v for k, v in _flat(value).items()})
        else:
            out[f.name] = value
    return out


def test_table4_configs_change_only_their_switches():
    base = small_config()
    configs = {i: _flat(table4_config(base, i)) for i in TABLE4_IDS}
    claims = {
        2: {"semantic.attention"},
        3: {"loss.weights.distill_2d"},
        4: {"semantic.gradient_block"},
        5: {"loss.weights.distill_dgs"},
    }
    for i, claimed in claims.items():
        changed = {k for k in configs[i] if configs[i][k] != configs[i - 1][k]}
        assert changed == claimed, (i, changed)
    assert configs[1]["semantic.attention"] == "frozen" and configs[5]["semantic.attention"] == "joint"
    assert configs[5] == _flat(base)  # ID 5 is the full model
    with pytest.raises(ValueError, match="ablation_id must be one of"):
        table4_config(base, 6)


def test_table4_switches_change_gradients_not_forward_values():
    base = small_config()
    ep = make_episode()
    results = {}
    for i in TABLE4_IDS:
        torch.manual_seed(0)
        model = GPNeRF(table4_config(base, i), 5)
        out = model(ep)
        total, terms = compute_losses(out, ep, model.config)
        total.backward()
        enc = torch.cat([p.grad.flatten() for p in model.encoder.parameters() if p.grad is not None])
        att = torch.cat([p.grad.flatten() for m in _attention_modules(model) for p in m.parameters()])
        results[i] = (out, set(terms), enc, att, total.detach())
    for i in TABLE4_IDS[1:]:
        torch.testing.assert_close(results[i][0].semantic_rendered, results[1][0].semantic_rendered)
        torch.testing.assert_close(results[i][0].head_logits, results[1][0].head_logits)
    assert results[2][1] == results[1][1] and "distill_2d" not in results[2][1]
    assert "distill_2d" in results[3][1] and "distill_dgs" not in results[4][1] and "distill_dgs" in results[5][1]
    assert not torch.allclose(results[1][3], results[2][3])  # joint attention changes attention grads
    torch.testing.assert_close(results[1][4], results[2][4])  # ... but not the loss value
    assert not torch.allclose(results[3][2], results[4][2])  # gradient block changes encoder grads
    torch.testing.assert_close(results[3][4], results[4][4])


@pytest.mark.parametrize("dim", [2, -1])
@pytest.mark.parametrize("autocast", [False, True])
def test_reduced_precision_softmax_matches_the_float32_reference(dim, autocast):
    """softmax(keep_dtype=True) on bf16 logits (one native kernel, autocast bypassed) against cast-up /
    softmax / cast-down: bf16 output, values within one bf16 step (2^-8; 0 observed on CPU), and gradients
    within bf16 rounding; masked views stay at zero weight."""
    from gpnerf.model.field_aggregation import softmax, softmax_keep_dtype_reference

    torch.manual_seed(0)
    logits = (torch.randn(8, 6, 5, 16) * 4).bfloat16()
    logits[:, :, 1] = torch.finfo(torch.bfloat16).min  # a masked view
    upstream = torch.randn(8, 6, 5, 16).bfloat16()
    results = []
    for fn in (lambda x: softmax(x, dim, keep_dtype=True), lambda x: softmax_keep_dtype_reference(x, dim)):
        x = logits.clone().requires_grad_()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            y = fn(x)
        (y.float() * upstream.float()).sum().backward()
        results.append((y, x.grad))
    (fast, fast_grad), (reference, reference_grad) = results
    assert fast.dtype == torch.bfloat16 and fast_grad.dtype == torch.bfloat16
    assert (fast.float() - reference.float()).abs().max() <= 2**-8
    torch.testing.assert_close(fast_grad.float(), reference_grad.float(), rtol=2**-7, atol=2**-7)
    if dim == 2:
        assert fast[:, :, 1].abs().max() == 0

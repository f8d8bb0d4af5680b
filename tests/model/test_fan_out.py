"""fan_out: the gradients of a tensor's readers summed in one call (src/gpnerf/model/fan_out.py)."""

from dataclasses import replace

import pytest
import torch
from model_helpers import make_episode, small_config

from gpnerf.losses import compute_losses
from gpnerf.model import GPNeRF
from gpnerf.model.fan_out import fan_out, sum_tensors


def test_gradient_is_the_sum_of_the_readers_in_one_call():
    torch.manual_seed(0)
    x = torch.randn(3, 5, requires_grad=True)
    weights = torch.randn(4, 3, 5)
    calls = []

    def counted(*gradients):
        calls.append(len(gradients))
        return sum_tensors(*gradients)

    aliases = fan_out(x, 4, counted)
    assert all(torch.equal(alias, x) for alias in aliases)
    sum((w * a.sin()).sum() for w, a in zip(weights, aliases)).backward()
    expected = sum(w * x.detach().cos() for w in weights)
    assert calls == [4] and torch.allclose(x.grad, expected, rtol=1e-6, atol=1e-6)


def test_readers_without_a_gradient_are_left_out():
    x = torch.randn(4, requires_grad=True)
    first, _ = fan_out(x, 2)
    (3 * first).sum().backward()
    assert torch.equal(x.grad, torch.full((4,), 3.0))


def test_readers_must_be_positive():
    with pytest.raises(ValueError, match="readers must be >= 1"):
        fan_out(torch.zeros(1), 0)


def test_training_step_sums_the_fat_blocks_token_gradients_once_per_pass(monkeypatch):
    torch.manual_seed(0)
    model = GPNeRF(replace(small_config(num_layers=3), implementation="fast"), 5)
    calls = []

    def counted(*gradients):
        calls.append(len(gradients))
        return sum_tensors(*gradients)

    monkeypatch.setattr(model.transformer, "sum_tensors", counted)
    episode = make_episode(views=3, rays=12)
    compute_losses(model(episode), episode, model.config)[0].backward()
    assert calls == [3, 3]  # coarse and fine pass, one call each with every FAT block's gradient

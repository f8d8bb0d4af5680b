"""Optimizer groups, learning rates, schedules and presets."""

import math

import pytest
import torch

from gpnerf.engine.errors import ParameterGroupError
from gpnerf.engine.optim import (
    OPTIM_PRESETS,
    LearningRates,
    OptimConfig,
    ScheduleConfig,
    build_optimizer,
    build_scheduler,
    check_parameter_groups,
)
from toy import ToyModel, ToyTask


def group_lrs(optimizer):
    return {g["name"]: g["lr"] for g in optimizer.param_groups}


def test_paper_and_released_learning_rates():
    model = ToyModel()
    groups = {**ToyTask().parameter_groups(model), "transformer": []}
    paper = build_optimizer(model, groups, OPTIM_PRESETS["paper"])
    assert isinstance(paper, torch.optim.Adam)
    assert group_lrs(paper) == {"encoder": 5e-3, "head": 5e-5}
    released = build_optimizer(model, groups, OPTIM_PRESETS["released-code"])
    assert group_lrs(released) == {"encoder": 5e-3, "head": 5e-3}
    assert OPTIM_PRESETS["paper"].lr.transformer == 1e-5 == OPTIM_PRESETS["released-code"].lr.transformer
    assert OPTIM_PRESETS["released-code"].schedule.kind == "step"
    assert OPTIM_PRESETS["released-code"].schedule.step_gamma == 0.6
    assert OPTIM_PRESETS["released-code-replica"].schedule.step_size == 4000


def run_schedule(config: ScheduleConfig, max_steps: int, steps: int) -> list[float]:
    param = torch.nn.Parameter(torch.zeros(1))
    model = torch.nn.Module()
    model.p = param
    optimizer = build_optimizer(model, {"head": [param]}, OptimConfig(lr=LearningRates(head=1.0)))
    scheduler = build_scheduler(optimizer, config, max_steps)
    lrs = []
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def test_exponential_reaches_final_fraction_at_last_step():
    lrs = run_schedule(ScheduleConfig(kind="exponential", final_lr_fraction=0.25), max_steps=40, steps=40)
    assert math.isclose(lrs[-1], 0.25, rel_tol=1e-9)
    assert math.isclose(lrs[19], 0.5, rel_tol=1e-9)
    per_step = run_schedule(ScheduleConfig(kind="exponential", gamma_per_step=0.9), max_steps=40, steps=3)
    assert math.isclose(per_step[-1], 0.9**3, rel_tol=1e-12)


def test_step_and_constant_schedules():
    lrs = run_schedule(ScheduleConfig(kind="step", step_size=3, step_gamma=0.6), max_steps=10, steps=7)
    assert lrs == pytest.approx([1, 1, 0.6, 0.6, 0.6, 0.36, 0.36])
    assert run_schedule(ScheduleConfig(kind="constant"), max_steps=10, steps=4) == [1.0] * 4


def test_group_coverage_errors():
    model = ToyModel()
    enc, head = list(model.encoder.parameters()), list(model.head.parameters())
    with pytest.raises(ParameterGroupError, match=r"unassigned \['head.bias', 'head.weight'\]"):
        check_parameter_groups(model, {"encoder": enc})
    with pytest.raises(ParameterGroupError, match=r"in two groups \['encoder.weight \(encoder and head\)'\]"):
        check_parameter_groups(model, {"encoder": enc, "head": head + [enc[0]]})
    with pytest.raises(ParameterGroupError, match=r"not trainable model parameters \['head: tensor of shape \(3,\)'\]"):
        check_parameter_groups(model, {"encoder": enc, "head": head + [torch.nn.Parameter(torch.zeros(3))]})
    with pytest.raises(ParameterGroupError, match=r"group names must be among \['encoder', 'transformer', 'head'\]; got \['fpn'\]"):
        build_optimizer(model, {"encoder": enc, "fpn": head}, OptimConfig())


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: LearningRates(head=0.0), r"optim.lr.head must be > 0; got 0.0"),
        (lambda: ScheduleConfig(final_lr_fraction=0.0), r"final_lr_fraction must lie in \(0, 1\]"),
        (lambda: ScheduleConfig(gamma_per_step=1.5), r"gamma_per_step must lie in \(0, 1\]"),
        (lambda: ScheduleConfig(step_size=0), r"step_size must be >= 1"),
        (lambda: ScheduleConfig(step_gamma=0.0), r"step_gamma must lie in \(0, 1\]"),
        (lambda: OptimConfig(grad_clip_max_norm=0.0), r"grad_clip_max_norm must be > 0 or None"),
    ],
)
def test_config_validation(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_fused_adam_matches_the_default_adam_and_loads_its_state():
    """fused=True (the CUDA default) and fused=False give the same parameters after several steps with
    exponential decay (float32 rounding only), and either loads the other's state dict."""
    torch.manual_seed(0)
    reference = ToyModel()
    models = {fused: ToyModel() for fused in (False, True)}
    for model in models.values():
        model.load_state_dict(reference.state_dict())
    optimizers, schedulers = {}, {}
    for fused, model in models.items():
        config = OptimConfig(fused=fused)
        optimizers[fused] = build_optimizer(model, ToyTask().parameter_groups(model), config)
        schedulers[fused] = build_scheduler(optimizers[fused], config.schedule, 20)
        assert optimizers[fused].defaults["fused"] is (True if fused else None)
    for step in range(12):
        gradients = [torch.randn_like(p) for p in reference.parameters()]
        for fused, model in models.items():
            for p, g in zip(model.parameters(), gradients):
                p.grad = g.clone()
            optimizers[fused].step()
            schedulers[fused].step()
    for a, b in zip(models[False].parameters(), models[True].parameters()):
        torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-6)
    swapped = build_optimizer(models[True], ToyTask().parameter_groups(models[True]), OptimConfig(fused=True))
    swapped.load_state_dict(optimizers[False].state_dict())
    assert float(swapped.state_dict()["state"][0]["step"]) == 12
    default = build_optimizer(models[False], ToyTask().parameter_groups(models[False]), OptimConfig())
    assert default.defaults["fused"] is None  # None picks fused only for CUDA parameters

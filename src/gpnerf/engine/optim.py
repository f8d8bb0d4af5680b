"""Adam over named parameter groups, learning-rate schedules, and the paper / released-code presets.

The model owner maps modules to the group names of :class:`LearningRates` (``encoder``, ``transformer``,
``head``); every trainable parameter must be in exactly one group. The schedule is stepped once per
successful optimizer step (never on a skipped non-finite step).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Literal

import torch
from torch import nn

from gpnerf.engine.errors import ParameterGroupError


@dataclass(frozen=True)
class LearningRates:
    """Initial Adam learning rate per named parameter group (paper Sec. 5 values by default)."""

    encoder: float = 5e-3
    """Multi-Scale Feature Extractor (ResNet + radiance decoder; released ``lrate_feature``)."""
    transformer: float = 1e-5
    """Field/Ray Aggregation Transformers (GNT core; released ``lrate_gnt``)."""
    head: float = 5e-5
    """FPN + Context-Aware Perception Head (released ``lrate_semantic`` is 5e-3, the paper says 5e-5)."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not value > 0:
                raise ValueError(f"optim.lr.{f.name} must be > 0; got {value}. Set a positive learning rate.")


@dataclass(frozen=True)
class ScheduleConfig:
    """Learning-rate schedule, stepped once per optimizer step.

    ``exponential``: lr_t = lr_0 * gamma^t with gamma = ``gamma_per_step`` if set, else
    ``final_lr_fraction ** (1 / max_steps)`` so that the lr reaches ``final_lr_fraction * lr_0`` at the last step.
    ``step``: lr_t = lr_0 * ``step_gamma`` ^ floor(t / ``step_size``) (the released code's StepLR).
    ``constant``: lr_t = lr_0.
    """

    kind: Literal["exponential", "step", "constant"] = "exponential"
    """Schedule family (paper: exponential decay; released code: step)."""
    final_lr_fraction: float = 0.1
    """Exponential: lr at the last step as a fraction of the initial lr (the paper gives no value; our choice)."""
    gamma_per_step: float | None = None
    """Exponential: per-step decay factor; overrides ``final_lr_fraction`` when set."""
    step_size: int = 100_000
    """Step: optimizer steps between decays (released: ScanNet 100k, Replica generalisation 4k)."""
    step_gamma: float = 0.6
    """Step: multiplicative decay at each ``step_size`` boundary (released: 0.6)."""

    def __post_init__(self) -> None:
        if not 0 < self.final_lr_fraction <= 1:
            raise ValueError(
                f"optim.schedule.final_lr_fraction must lie in (0, 1]; got {self.final_lr_fraction}. "
                f"Use e.g. 0.1 to end at a tenth of the initial lr."
            )
        if self.gamma_per_step is not None and not 0 < self.gamma_per_step <= 1:
            raise ValueError(f"optim.schedule.gamma_per_step must lie in (0, 1]; got {self.gamma_per_step}.")
        if self.step_size < 1:
            raise ValueError(f"optim.schedule.step_size must be >= 1; got {self.step_size}.")
        if not 0 < self.step_gamma <= 1:
            raise ValueError(f"optim.schedule.step_gamma must lie in (0, 1]; got {self.step_gamma}.")


@dataclass(frozen=True)
class OptimConfig:
    """Adam (default betas, no weight decay) over named groups, its schedule and gradient clipping."""

    lr: LearningRates = field(default_factory=LearningRates)
    """Initial learning rate of each parameter group."""
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    """How the learning rates decay over steps."""
    betas: tuple[float, float] = (0.9, 0.999)
    """Adam betas."""
    eps: float = 1e-8
    """Adam epsilon."""
    grad_clip_max_norm: float | None = None
    """Clip the global gradient L2 norm to this value; None (paper and released code) disables clipping."""
    fused: bool | None = None
    """Adam implementation: True = ``torch.optim.Adam(fused=True)`` (one kernel per parameter group instead of a
    dozen multi-tensor launches on CUDA), False = PyTorch's default (foreach on CUDA, a loop on CPU), None = fused
    when the parameters are on CUDA. The same update up to float32 rounding (tests/engine/test_optim.py)."""

    def __post_init__(self) -> None:
        if self.grad_clip_max_norm is not None and not self.grad_clip_max_norm > 0:
            raise ValueError(
                f"optim.grad_clip_max_norm must be > 0 or None; got {self.grad_clip_max_norm}. Use None to disable."
            )


OPTIM_PRESETS: dict[str, OptimConfig] = {
    "paper": OptimConfig(),
    "released-code": OptimConfig(
        lr=LearningRates(encoder=5e-3, transformer=1e-5, head=5e-3),
        schedule=ScheduleConfig(kind="step", step_size=100_000, step_gamma=0.6),
    ),
}
"""``paper``: encoder 5e-3, transformer 1e-5, head 5e-5, exponential decay. ``released-code``: head 5e-3 and
StepLR(100k, 0.6) as in lifuguan/GP-NeRF (for Replica generalisation use ``replace(..., step_size=4000)``)."""
OPTIM_PRESETS["released-code-replica"] = replace(
    OPTIM_PRESETS["released-code"], schedule=replace(OPTIM_PRESETS["released-code"].schedule, step_size=4000)
)


def check_parameter_groups(model: nn.Module, groups: Mapping[str, Sequence[nn.Parameter]]) -> None:
    """Raise :class:`ParameterGroupError` unless every trainable parameter of ``model`` is in exactly one group.

    The error names the unassigned parameters, those in two groups, and foreign ones (not in ``model``).
    """
    names = {id(p): n for n, p in model.named_parameters() if p.requires_grad}
    seen: dict[int, str] = {}
    duplicated, foreign = [], []
    for group, params in groups.items():
        for p in params:
            if id(p) not in names:
                foreign.append(f"{group}: tensor of shape {tuple(p.shape)}")
            elif id(p) in seen:
                duplicated.append(f"{names[id(p)]} ({seen[id(p)]} and {group})")
            else:
                seen[id(p)] = group
    unassigned = sorted(n for i, n in names.items() if i not in seen)
    if unassigned or duplicated or foreign:
        raise ParameterGroupError(
            f"parameter groups must cover each trainable parameter of the model exactly once; got unassigned "
            f"{unassigned}, in two groups {duplicated}, not trainable model parameters {foreign}. "
            f"Fix the task's parameter_groups()."
        )


def build_optimizer(
    model: nn.Module, groups: Mapping[str, Sequence[nn.Parameter]], config: OptimConfig
) -> torch.optim.Adam:
    """One Adam with a param group per named group (``group["name"]`` is the group name, lr from ``config.lr``).

    Empty groups are dropped; ``config.fused`` picks the implementation. Raises :class:`ParameterGroupError` for
    a group name that ``LearningRates`` lacks or a parameter assignment that :func:`check_parameter_groups` rejects.
    """
    known = [f.name for f in fields(LearningRates)]
    unknown = sorted(set(groups) - set(known))
    if unknown:
        raise ParameterGroupError(
            f"parameter group names must be among {known}; got {unknown}. Map the module to one of the known groups."
        )
    check_parameter_groups(model, groups)
    param_groups = [
        {"params": list(params), "lr": getattr(config.lr, name), "name": name}
        for name, params in groups.items()
        if len(params) > 0
    ]
    fused = config.fused
    if fused is None:
        fused = all(p.is_cuda for group in param_groups for p in group["params"])
    return torch.optim.Adam(param_groups, betas=config.betas, eps=config.eps, fused=fused or None)


def build_scheduler(
    optimizer: torch.optim.Optimizer, config: ScheduleConfig, max_steps: int
) -> torch.optim.lr_scheduler.LRScheduler:
    """The torch scheduler for ``config`` (ExponentialLR or StepLR; their state dicts are plain values)."""
    if config.kind == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=config.step_size, gamma=config.step_gamma)
    if config.kind == "exponential":
        gamma = config.gamma_per_step
        if gamma is None:
            gamma = config.final_lr_fraction ** (1.0 / max(max_steps, 1))
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=gamma)
    return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=1.0)

"""One tensor read by several blocks, the gradients its readers send back summed in one pass.

Autograd adds up the gradients a tensor receives from its readers one at a time, as they arrive: the 8 FAT blocks of a
pass all read the stack's tokens X_rgb ``(rays, samples, views, d_rgb)``, so each pass's backward ran 7 adds of the
whole tensor, each reading two and writing one (0.46 ms of the H100 training step; docs/performance.md, "Where the
training step's time was", and section 32). :func:`fan_out` gives each reader its own alias of the tensor and sums their
gradients when the last one arrives, by ``summation`` (compiled by :func:`gpnerf.model.compile_transformer_blocks`: one
kernel reading each gradient once and rounding once), at the price of holding them all until then.
"""

import functools
import operator
from typing import Callable

import torch


def sum_tensors(*tensors: torch.Tensor) -> torch.Tensor:
    """``tensors[0] + tensors[1] + ...`` (same shapes)."""
    return functools.reduce(operator.add, tensors)


class _FanOut(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, readers: int, summation: Callable[..., torch.Tensor]):  # type: ignore[override]
        ctx.summation = summation
        return tuple(x.view_as(x) for _ in range(readers))

    @staticmethod
    def backward(ctx, *gradients: torch.Tensor | None):  # type: ignore[override]
        sent = [g for g in gradients if g is not None]
        return (ctx.summation(*sent) if sent else None), None, None


def fan_out(x: torch.Tensor, readers: int, summation: Callable[..., torch.Tensor] = sum_tensors) -> tuple[torch.Tensor, ...]:
    """``readers`` aliases of ``x`` (read them, never write them in place); the gradient ``x`` receives is
    ``summation`` of the gradients sent back to the aliases, in one call once all have arrived."""
    if readers < 1:
        raise ValueError(f"readers must be >= 1; got {readers}")
    return _FanOut.apply(x, readers, summation)

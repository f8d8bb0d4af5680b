"""The optimizer update under the non-finite guard, with the fused-Adam launch overlapped with the step's GPU work.

Reference order (:func:`guarded_update` with ``overlap=False``): screen the loss, terms and gradients, copy the
verdict to the host (one synchronisation: the host waits for the forward and backward to finish), then, if all
is finite, clip and launch ``optimizer.step()``. The GPU idles while the host launches the step (~4 ms of host
time per training step on an H200 with a graphed step, docs/benchmarks.md sixth run).

Overlapped order (``overlap=True``, fused Adam): clip and launch ``optimizer.step()`` *before* the host copy,
with the screen's on-device flag as the optimizer's ``found_inf``: fused Adam skips the update of parameters,
moments and step counts on the device when it is 1 (the mechanism ``torch.amp.GradScaler`` uses). The host then
reads the verdict as before. Same result as the reference order:

* a finite step: ``found_inf`` 0, the update ran once (clip, then step, as in the reference);
* a non-finite step: the device skipped the update; the caller zeroes the gradients and skips the schedule;
* a finite step whose gradient norm overflowed (flagged by the screen, finite on the exact check): the device
  skipped it, so the update runs again without ``found_inf`` (clipping already ran, as it would have).

One difference, in bookkeeping only: a skipped first step leaves Adam's state initialised (zero moments, step
0), which continues exactly as absent state would. Single process only: with DDP the ranks' verdicts are
combined on the host first (:func:`gpnerf.engine.distributed.any_rank`).
tests/engine/test_update.py holds the two orders to the same parameters and optimizer state.
"""

from collections.abc import Callable, Mapping, Sequence

import torch
from torch import nn

from gpnerf.engine.guard import screen_nonfinite


def overlap_supported(optimizer: torch.optim.Optimizer, world_size: int) -> bool:
    """Whether ``optimizer`` can skip a step on the device: fused ``torch.optim.Adam``, one process."""
    return isinstance(optimizer, torch.optim.Adam) and bool(optimizer.defaults.get("fused")) and world_size == 1


def guarded_update(
    optimizer: torch.optim.Optimizer,
    loss: torch.Tensor,
    terms: Mapping[str, float | torch.Tensor],
    named_params: Sequence[tuple[str, nn.Parameter]],
    grad_clip_max_norm: float | None,
    any_bad: Callable[[bool], bool],
    overlap: bool,
    before_verdict: Callable[[], None] | None = None,
) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """Check the step and update the parameters if it is finite.

    Args:
        any_bad: this process's verdict -> whether any process had a non-finite step (``any_rank``).
        overlap: launch the optimizer step before the host reads the verdict (:func:`overlap_supported` must hold).
        before_verdict: host work to run after the launches and before the host waits for the verdict (the
            trainer stages the next step's batch there: :mod:`gpnerf.engine.prefetch`).

    Returns:
        ``(bad_terms, bad_grads, skipped)``: this process's non-finite term and parameter names, and whether the
        update was skipped (gradients untouched: the caller zeroes them).
    """
    if overlap and not overlap_supported(optimizer, 1):
        raise ValueError(
            f"overlapping the optimizer step needs torch.optim.Adam(fused=True); got {type(optimizer).__name__} "
            f"with fused={optimizer.defaults.get('fused')}. Set optim.fused or turn the overlap off."
        )
    params = [p for _, p in named_params]
    screen = screen_nonfinite(loss, terms, named_params)
    if overlap:
        clip_gradients(params, grad_clip_max_norm)
        optimizer.found_inf = screen.found_inf()
        optimizer.grad_scale = None
        try:
            optimizer.step()
        finally:
            del optimizer.found_inf, optimizer.grad_scale
    if before_verdict is not None:
        before_verdict()
    bad_terms, bad_grads, flagged = screen.resolve()
    skipped = any_bad(bool(bad_terms or bad_grads))
    if not skipped and not overlap:
        clip_gradients(params, grad_clip_max_norm)
        optimizer.step()
    elif not skipped and flagged:  # finite, but the screen's overflowing norm made the device skip it
        optimizer.step()
    return bad_terms, bad_grads, skipped


def clip_gradients(params: Sequence[nn.Parameter], max_norm: float | None) -> None:
    """``clip_grad_norm_`` over ``params`` when ``max_norm`` is set (device work only, no host synchronisation)."""
    if max_norm is not None:
        torch.nn.utils.clip_grad_norm_(params, max_norm)

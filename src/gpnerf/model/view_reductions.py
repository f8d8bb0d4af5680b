"""Sums and the softmax over the source-view axis, unrolled for inductor.

The FAT tensors are ``(rays, samples, views, channels)`` with channels contiguous, so a reduction over views reads
elements a whole channel row apart. Compiled, ``x.sum(2)`` and ``softmax(x, 2)`` become inductor reductions over that
strided axis, whose kernels ran at a fifth of the card's bandwidth or less in the graphed training step (the FAT
blocks' softmax statistics and weighted sums, forward and backward, about 9 ms of its 41 ms of kernels; H200 trace,
docs/performance.md). The view count is small and fixed per graph, so these functions unroll the reduction into one
add (or max) per view: inductor then emits pointwise kernels over ``(rays, samples, channels)`` whose per-view loads
are contiguous rows. Eagerly that is one kernel per view, so callers use them only while compiling
(:func:`unrolling`); the plain ops are the reference (tests/model/test_view_reductions.py holds the two together).
"""

from functools import reduce

import torch

VIEW_DIM = 2
"""The view axis of ``(rays, samples, views, channels)`` tensors."""


def unrolling(enabled: bool) -> bool:
    """Whether a caller with unrolling ``enabled`` should take the unrolled forms now: while ``torch.compile`` traces."""
    return enabled and torch.compiler.is_compiling()


def unrolled_sum_over_views(x: torch.Tensor) -> torch.Tensor:
    """``x.sum(2)`` for ``x`` ``(rays, samples, views, ...)``: ``(rays, samples, ...)`` in ``x.dtype``, summed in (at
    least) float32 as ``sum`` does, as a chain of one add per view."""
    accumulate = torch.promote_types(x.dtype, torch.float32)
    return reduce(torch.add, [view.to(accumulate) for view in x.unbind(VIEW_DIM)]).to(x.dtype)


def unrolled_sum_of_products_over_views(x: torch.Tensor, y: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """``(x * y).sum(2)`` in ``dtype`` for ``x`` and ``y`` ``(rays, samples, views, ...)``, one product and add per
    view, each view's factors cast to ``dtype`` as they are read. Compiled, no ``dtype`` copy of a whole factor exists
    for autograd to keep: for ``sum_views P A`` as ``unrolled_sum_over_views(P.float() * A)`` inductor kept the float32
    P of every FAT block until the backward (a CPU count of one compiled block's saved tensors, 2026-12-03)."""
    return reduce(torch.add, [a.to(dtype) * b.to(dtype) for a, b in zip(x.unbind(VIEW_DIM), y.unbind(VIEW_DIM))])


def unrolled_softmax_over_views(logits: torch.Tensor, keep_dtype: bool) -> torch.Tensor:
    """``softmax(logits, 2)`` for ``logits`` ``(rays, samples, views, channels)``, evaluated in (at least) float32 and
    returned in ``logits.dtype`` with ``keep_dtype``, else in float32 (as
    :func:`gpnerf.model.field_aggregation.softmax` does under autocast). The peak and the total are per-view chains;
    the peak is cut from autograd (the softmax does not depend on it)."""
    accumulate = torch.promote_types(logits.dtype, torch.float32)
    views = [view.to(accumulate) for view in logits.unbind(VIEW_DIM)]
    peak = reduce(torch.maximum, views).detach()
    exponentials = [torch.exp(view - peak) for view in views]
    total = reduce(torch.add, exponentials)
    # cast per view before stacking: more than inductor's max_pointwise_cat_inputs (8) views make the stack a
    # materialised buffer, which is then written in the output dtype instead of float32
    dtype = logits.dtype if keep_dtype else accumulate
    return torch.stack([(exponential / total).to(dtype) for exponential in exponentials], VIEW_DIM)

"""The FAT blocks' masked softmax over views with the attention dropout, forward and backward, as two Triton kernels
(fast path, training included; docs/performance.md section 15).

Each FAT block forms ``A = dropout(softmax_views(masked_fill(logits, ~valid, min)))`` per point and channel from
``(points, views, channels)`` logits. With PyTorch ops under torch.compile, inductor runs that and its backward as
eight kernels per block, which read the full-size tensors several times (9.0 ms of a 44.5 ms graphed training
step on an H200, docs/performance.md "Where the training step's time is"). Here the forward reads the logits once
and writes ``A`` once; the backward reads the logits and ``dA`` once, recomputes the probabilities and the dropout
mask, and writes ``d logits``. Autograd keeps the logits, the valid-view mask and a seed (the PyTorch ops keep the
probabilities and a byte mask).

Rounding follows the PyTorch ops of the fast path (``softmax(..., keep_dtype=True)`` then ``nn.Dropout``): the
softmax in float32, rounded once to the logits' dtype; dropout multiplies that by ``1 / (1 - p)`` and rounds
again. Backward: dropout's gradient rounded to the dtype, then the softmax's gradient in float32 from the rounded
probabilities, rounded to the dtype; masked views get zero gradient. A point whose views are all masked gets the
uniform distribution, as ``masked_fill`` with the dtype's minimum gives.

Dropout draws its own numbers: Triton's Philox keyed by a seed that PyTorch's CUDA generator draws on the device
for each call (so a CUDA graph replays a fresh mask, and activation checkpointing, which restores the generator,
recomputes the same one) and counted by the element's index; the same distribution as ``nn.Dropout``, not the
same mask. :func:`view_softmax_reference` is the plain composition the tests hold the kernels to
(tests/model/test_fused_view_softmax.py).
"""

import torch

from gpnerf.model import triton_support
from gpnerf.model.triton_support import kernels_can_run_on, launch_configs, tl, triton

MAX_VIEWS = 64
"""Most views per point the kernels take (a block holds all of a point's views)."""

MAX_CHANNELS = 256
"""Widest channel axis the kernels take (a power of two)."""


def view_softmax_supported(logits: torch.Tensor, valid: torch.Tensor) -> bool:
    """Whether the kernels take ``logits`` ``(points, views, channels)`` and ``valid`` ``(points, views)``: Triton
    installed, CUDA tensors (any device under the Triton interpreter, ``TRITON_INTERPRET=1``), float32 / bf16 /
    fp16 logits, at most :data:`MAX_VIEWS` views, a power-of-two channel count of at most :data:`MAX_CHANNELS`,
    fewer than 2^31 elements (the dropout counter)."""
    if not kernels_can_run_on(logits) or logits.dim() != 3 or valid.shape != logits.shape[:2]:
        return False
    points, views, channels = logits.shape
    return (
        logits.dtype in (torch.float32, torch.bfloat16, torch.float16) and valid.dtype == torch.bool
        and 1 <= views <= MAX_VIEWS and 1 <= channels <= MAX_CHANNELS and channels & (channels - 1) == 0
        and logits.numel() < 2**31
    )


def view_softmax_reference(logits: torch.Tensor, valid: torch.Tensor, keep: torch.Tensor | None,
                           p: float) -> torch.Tensor:
    """The plain composition: ``logits`` ``(points, views, channels)`` masked where ``valid`` ``(points, views)`` is
    False, softmax over views in float32 rounded to the logits' dtype, then ``keep`` ``(points, views, channels)``
    bool applied as dropout with rate ``p`` (None: no dropout)."""
    masked = logits.masked_fill(~valid[..., None], torch.finfo(logits.dtype).min)
    probabilities = torch.softmax(masked.float(), dim=1).to(logits.dtype)
    if keep is None:
        return probabilities
    return probabilities * keep.to(logits.dtype) * (1.0 / (1.0 - p))


LAUNCH_SHAPES = ((1, 4), (2, 4), (4, 4), (4, 8), (8, 8))
"""Points per program x warps, tried once per (views, channels, dtype, dropout) by Triton's autotuner."""


if triton is not None:

    @triton.jit
    def _probabilities(logits_ptr, valid_ptr, program, points, VIEWS: tl.constexpr, VIEWS_PAD: tl.constexpr,
                       CHANNELS: tl.constexpr, BLOCK_POINTS: tl.constexpr, MASKED_LOGIT: tl.constexpr):
        """One program's ``(BLOCK_POINTS, VIEWS_PAD, CHANNELS)`` probabilities rounded to the logits' dtype (as
        float32), their flat element indices, where they exist and where the view is valid."""
        point = program.to(tl.int64) * BLOCK_POINTS + tl.arange(0, BLOCK_POINTS)
        view = tl.arange(0, VIEWS_PAD)
        channel = tl.arange(0, CHANNELS)
        pair = point[:, None] * VIEWS + view[None, :]  # flat (point, view) index
        exists = (point[:, None] < points) & (view[None, :] < VIEWS)
        index = pair[:, :, None] * CHANNELS + channel[None, None, :]
        inside = exists[:, :, None] & (channel[None, None, :] < CHANNELS)
        logits = tl.load(logits_ptr + index, mask=inside, other=0.0)
        valid = tl.load(valid_ptr + pair, mask=exists, other=0) != 0
        x = tl.where(valid[:, :, None], logits.to(tl.float32), MASKED_LOGIT)
        x = tl.where((view < VIEWS)[None, :, None], x, float("-inf"))  # padding views: no weight
        peak = tl.max(x, axis=1)
        e = tl.exp(x - peak[:, None, :])
        probabilities = (e / tl.sum(e, axis=1)[:, None, :]).to(logits.dtype).to(tl.float32)
        return probabilities, index, inside, valid

    @triton.jit
    def _kept(seed_ptr, index, p):
        """Dropout's keep decision for each element: a Philox draw keyed by the seed, counted by the element index."""
        return tl.rand(tl.load(seed_ptr), index.to(tl.uint32)) >= p

    @triton.autotune(
        configs=launch_configs({"BLOCK_POINTS": 2}, [({"BLOCK_POINTS": points}, warps) for points, warps in LAUNCH_SHAPES]),
        key=["VIEWS", "CHANNELS", "DROPOUT"],
    )
    @triton.jit
    def _forward_kernel(
        logits_ptr, valid_ptr, seed_ptr, attention_ptr,
        points, p, scale,
        VIEWS: tl.constexpr, VIEWS_PAD: tl.constexpr, CHANNELS: tl.constexpr, BLOCK_POINTS: tl.constexpr,
        MASKED_LOGIT: tl.constexpr, DROPOUT: tl.constexpr,
    ):
        """``A`` for ``BLOCK_POINTS`` points: the rounded probabilities, dropped and rescaled (and rounded again)."""
        probabilities, index, inside, _ = _probabilities(
            logits_ptr, valid_ptr, tl.program_id(0), points, VIEWS, VIEWS_PAD, CHANNELS, BLOCK_POINTS, MASKED_LOGIT
        )
        dtype = attention_ptr.dtype.element_ty
        attention = probabilities.to(dtype)
        if DROPOUT:
            attention = tl.where(_kept(seed_ptr, index, p), probabilities * scale, 0.0).to(dtype)
        tl.store(attention_ptr + index, attention, mask=inside)

    @triton.autotune(
        configs=launch_configs({"BLOCK_POINTS": 2}, [({"BLOCK_POINTS": points}, warps) for points, warps in LAUNCH_SHAPES]),
        key=["VIEWS", "CHANNELS", "DROPOUT"],
    )
    @triton.jit
    def _backward_kernel(
        logits_ptr, valid_ptr, seed_ptr, grad_attention_ptr, grad_logits_ptr,
        points, p, scale,
        VIEWS: tl.constexpr, VIEWS_PAD: tl.constexpr, CHANNELS: tl.constexpr, BLOCK_POINTS: tl.constexpr,
        MASKED_LOGIT: tl.constexpr, DROPOUT: tl.constexpr,
    ):
        """``d logits`` for ``BLOCK_POINTS`` points: dropout's gradient (rounded), then the softmax's, zero on
        masked views."""
        probabilities, index, inside, valid = _probabilities(
            logits_ptr, valid_ptr, tl.program_id(0), points, VIEWS, VIEWS_PAD, CHANNELS, BLOCK_POINTS, MASKED_LOGIT
        )
        grad_dtype = grad_attention_ptr.dtype.element_ty
        grad = tl.load(grad_attention_ptr + index, mask=inside, other=0.0).to(tl.float32)
        if DROPOUT:
            grad = tl.where(_kept(seed_ptr, index, p), grad * scale, 0.0).to(grad_dtype).to(tl.float32)
        along = tl.sum(grad * probabilities, axis=1)
        grad_logits = tl.where(valid[:, :, None], probabilities * (grad - along[:, None, :]), 0.0)
        tl.store(grad_logits_ptr + index, grad_logits.to(grad_logits_ptr.dtype.element_ty), mask=inside)


def kernel_arguments(logits: torch.Tensor, valid: torch.Tensor, seed: torch.Tensor, p: float,
                     grad_attention: torch.Tensor | None = None) -> tuple[list, dict]:
    """Runtime arguments and compile-time constants of the forward kernel, or with ``grad_attention`` the backward
    kernel (outputs allocated like ``logits``; no launch: any device)."""
    points, views, channels = logits.shape
    inputs = [logits.contiguous(), valid.contiguous(), seed]
    if grad_attention is None:
        tensors = [*inputs, torch.empty_like(logits, memory_format=torch.contiguous_format)]
    else:
        tensors = [*inputs, grad_attention.contiguous(), torch.empty_like(logits, memory_format=torch.contiguous_format)]
    constants = dict(
        VIEWS=views, VIEWS_PAD=triton.next_power_of_2(views), CHANNELS=channels,
        MASKED_LOGIT=float(torch.finfo(logits.dtype).min), DROPOUT=p > 0.0,
    )
    return [*tensors, points, float(p), 1.0 / (1.0 - p)], constants


def _launch(kernel, arguments: list, constants: dict) -> torch.Tensor:
    points = arguments[-3]

    def grid(launch: dict) -> tuple[int]:
        return (triton.cdiv(points, launch["BLOCK_POINTS"]),)

    kernel[grid](*arguments, **constants)
    return arguments[-4]


class _ViewSoftmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits: torch.Tensor, valid: torch.Tensor, seed: torch.Tensor, p: float) -> torch.Tensor:
        arguments, constants = kernel_arguments(logits, valid, seed, p)
        ctx.save_for_backward(*arguments[:3])
        ctx.p = p
        return _launch(_forward_kernel, arguments, constants)

    @staticmethod
    def backward(ctx, grad_attention: torch.Tensor):
        logits, valid, seed = ctx.saved_tensors
        arguments, constants = kernel_arguments(logits, valid, seed, ctx.p, grad_attention)
        return _launch(_backward_kernel, arguments, constants), None, None, None


def fused_view_softmax(logits: torch.Tensor, valid: torch.Tensor, p: float) -> torch.Tensor:
    """``dropout(softmax_views(masked_fill(logits, ~valid, min)))`` in one kernel, its gradient in another (module
    docstring).

    Args:
        logits: ``(points, views, channels)`` attention logits (their dtype is the result's).
        valid: ``(points, views)`` bool; invalid views get zero attention (unless all of a point's are).
        p: dropout rate in ``[0, 1)`` (0: no dropout, no random draw).

    Returns:
        ``A`` ``(points, views, channels)`` in the logits' dtype.
    """
    if not view_softmax_supported(logits, valid):
        raise ValueError(
            f"fused_view_softmax needs Triton, CUDA logits (points, views <= {MAX_VIEWS}, channels a power of two <= "
            f"{MAX_CHANNELS}) in float32/bf16/fp16 and a bool (points, views) mask; got {tuple(logits.shape)} "
            f"{logits.dtype} on {logits.device} and {tuple(valid.shape)} {valid.dtype}. Check view_softmax_supported "
            "first."
        )
    if not 0.0 <= p < 1.0:
        raise ValueError(f"the dropout rate must be in [0, 1); got {p}.")
    seed = torch.randint(2**62, (1,), device=logits.device) if p > 0.0 else torch.zeros(1, dtype=torch.int64,
                                                                                          device=logits.device)
    return _ViewSoftmax.apply(logits, valid, seed, p)


def tuned_launch() -> str | None:
    """The forward kernel's launch configuration the autotuner chose last, or None before any run."""
    return None if triton is None else triton_support.tuned_launch(_forward_kernel)

"""Dropout whose keep mask comes from one Triton kernel drawing eight decisions per Philox call (fast path, training).

Compiled with ``torch.compile``, ``nn.Dropout`` becomes inductor's ``rand`` fused into its neighbours: one
Philox4x32-10 evaluation (ten rounds of 32-bit multiplies) per element, of whose four 32-bit outputs three are
discarded. A training step of the paper preset draws about 750 M such numbers (attention maps over views and
samples, feed-forward hidden layers, block outputs); the graphed compiled step takes 4.2 ms less with dropout 0
(docs/benchmarks.md, twelfth run). :class:`MaskedDropout` instead gets a boolean keep mask from :func:`keep_mask`
(one kernel, each 16-bit half of each Philox output one decision, one byte written per element) and multiplies by
``mask / (1 - p)``, which inductor still fuses with the neighbours. A transformer block draws the masks of its four
dropout layers together (:func:`draw_block_masks`: one seed and one kernel per block, :func:`keep_masks`) and hands
each layer its own (:func:`apply_dropout`). The backward either reads the mask kept from the forward, as it reads
``native_dropout``'s, or (``redraw_mask``, :class:`RedrawnMaskDropout`) draws the layer's part of the block's stream
again from the seed, so no mask is held between the passes.

The decisions: element ``8 c + 2 k + h`` is kept when half ``h`` (0: the low 16 bits, 1: the high) of output ``k``
of Philox4x32-10 with counter ``(c, 0, 0, 0)`` and key ``(seed mod 2^32, seed div 2^32)`` is at least
``ceil(p 2^16)``, so each element is kept independently with probability ``1 - ceil(p 2^16) / 2^16`` (``p`` to within
``2^-16``, where PyTorch's float32 uniform resolves ``2^-24`` from a whole output: the kernel is bound by Philox's
multiplies, and two decisions per output halve them); the kept values are scaled by ``1 / (1 - p)`` as PyTorch does. The
seed is drawn per call from PyTorch's generator on the mask's device (CUDA-graph safe). :func:`keep_mask_reference`
computes the same mask with PyTorch integer ops (tests/model/test_fused_dropout.py holds the kernel to it bit for
bit). Elsewhere (no Triton, CPU without the interpreter) :class:`MaskedDropout` is ``nn.Dropout``.
"""

import math
from collections.abc import Sequence
from typing import NamedTuple

import torch
from torch import nn

from gpnerf.model.triton_support import kernels_can_run_on, tl, triton

PHILOX_ROUND_A, PHILOX_ROUND_B = 0xD2511F53, 0xCD9E8D57
PHILOX_KEY_A, PHILOX_KEY_B = 0x9E3779B9, 0xBB67AE85
PHILOX_ROUNDS = 10
"""Philox4x32-10's constants (Triton's ``tl.randint4x``, which the kernel calls)."""
DECISION_BITS = 16
"""Bits per keep decision: each 32-bit Philox output makes two."""
DECISIONS_PER_COUNTER = 4 * 32 // DECISION_BITS
"""Mask elements per Philox counter (four 32-bit outputs)."""
BLOCK_COUNTERS = 1024
"""Philox counters per program (``DECISIONS_PER_COUNTER`` x as many mask elements)."""


def keep_threshold(p: float) -> int:
    """The smallest ``DECISION_BITS``-bit value that keeps an element: ``ceil(p 2^16)``."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability must be in [0, 1); got {p}")
    return math.ceil(p * 2**DECISION_BITS)


if triton is not None:
    _HALF = tl.constexpr(DECISION_BITS)
    _LOW_HALF = tl.constexpr(2**DECISION_BITS - 1)
    _PER_COUNTER = tl.constexpr(DECISIONS_PER_COUNTER)

    @triton.jit
    def _keep_mask_kernel(seed_ptr, mask_ptr, numel, first_counter, THRESHOLD: tl.constexpr, BLOCK: tl.constexpr):
        """One program: counters ``first_counter + [pid BLOCK, (pid + 1) BLOCK)``; mask element ``8 i + 2 k + h``
        from counter ``first_counter + i``."""
        counter = first_counter + tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        r0, r1, r2, r3 = tl.randint4x(tl.load(seed_ptr), counter)
        # join(join(r0, r2), join(r1, r3))[c, a, b] = r_(2a + b); the outer join's last index is the half h
        words = tl.join(tl.join(r0, r2), tl.join(r1, r3))
        halves = tl.join(words & _LOW_HALF, words >> _HALF).reshape(_PER_COUNTER * BLOCK)
        kept = halves.to(tl.int32) >= THRESHOLD
        index = tl.program_id(0).to(tl.int64) * _PER_COUNTER * BLOCK + tl.arange(0, _PER_COUNTER * BLOCK)
        tl.store(mask_ptr + index, kept, mask=index < numel)


@torch.library.custom_op("gpnerf::dropout_keep_mask", mutates_args=())
def dropout_keep_mask(seed: torch.Tensor, shape: list[int], p: float, first_element: int = 0) -> torch.Tensor:
    """The kernel's keep mask (module docstring): bool, ``shape``, on ``seed``'s device; ``seed`` ``(1,)`` int64.
    ``first_element`` (a multiple of :data:`DECISIONS_PER_COUNTER`): the mask is elements ``[first_element,
    first_element + numel)`` of the seed's stream, so a slice of a larger mask can be drawn again on its own."""
    if first_element % DECISIONS_PER_COUNTER:
        raise ValueError(f"first_element must be a multiple of {DECISIONS_PER_COUNTER}; got {first_element}")
    mask = torch.empty(shape, dtype=torch.bool, device=seed.device)
    numel = mask.numel()
    if numel:
        grid = (triton.cdiv(numel, DECISIONS_PER_COUNTER * BLOCK_COUNTERS),)
        _keep_mask_kernel[grid](
            seed, mask, numel, first_element // DECISIONS_PER_COUNTER, THRESHOLD=keep_threshold(p),
            BLOCK=BLOCK_COUNTERS,
        )
    return mask


@dropout_keep_mask.register_fake
def _(seed: torch.Tensor, shape: list[int], p: float, first_element: int = 0) -> torch.Tensor:
    return seed.new_empty(shape, dtype=torch.bool)


class DrawnMask(NamedTuple):
    """A layer's keep ``mask``: elements ``[first_element, first_element + mask.numel())`` of
    :func:`dropout_keep_mask`'s stream for ``seed`` ``(1,)``, which can draw it again."""

    mask: torch.Tensor
    seed: torch.Tensor
    first_element: int


def keep_mask(shape: torch.Size, p: float, device: torch.device) -> DrawnMask:
    """A fresh keep mask ``shape`` bool on ``device`` (needs :func:`kernels_can_run_on` for a tensor there): each
    element kept with probability ``1 - p`` (module docstring), from a seed drawn from PyTorch's generator."""
    if math.prod(shape) > DECISIONS_PER_COUNTER * 2**32:
        raise ValueError(
            f"keep_mask: {math.prod(shape)} elements exceed Philox's 2^32 counters x {DECISIONS_PER_COUNTER}"
        )
    seed = torch.randint(2**62, (1,), device=device)
    return DrawnMask(dropout_keep_mask(seed, list(shape), p), seed, 0)


MASK_ALIGN = 16
"""Elements: each layer's mask in :func:`keep_masks`' shared buffer starts at a multiple of it (16-byte aligned, and
a whole number of Philox counters)."""


def keep_masks(shapes: Sequence[torch.Size], p: float, device: torch.device) -> list[DrawnMask]:
    """Fresh keep masks of ``shapes`` (bool, on ``device``) for several layers of the same ``p``, from one seed and
    one kernel: views of one :func:`keep_mask` buffer, each starting at a multiple of :data:`MASK_ALIGN` elements.
    Distinct elements take distinct Philox counters, so the masks are independent, each kept with probability
    ``1 - p`` as :func:`keep_mask`'s."""
    sizes = [math.prod(shape) for shape in shapes]
    spans = [-(-size // MASK_ALIGN) * MASK_ALIGN for size in sizes]
    flat, seed, _ = keep_mask((sum(spans),), p, device)
    starts = [sum(spans[:i]) for i in range(len(spans))]
    return [
        DrawnMask(span[:size].view(shape), seed, start)
        for span, size, shape, start in zip(flat.split(spans), sizes, shapes, starts)
    ]


def _umulhi(a: torch.Tensor, b: int) -> torch.Tensor:
    """High 32 bits of the 64-bit product of 32-bit unsigned ``a`` (int64 tensor) and ``b``, without overflow."""
    a_hi, a_lo = a >> 16, a & 0xFFFF
    b_hi, b_lo = b >> 16, b & 0xFFFF
    middle = a_hi * b_lo + a_lo * b_hi  # < 2^33
    return a_hi * b_hi + ((middle << 16) + a_lo * b_lo >> 32)


def philox_reference(counters: torch.Tensor, key: tuple[int, int]) -> torch.Tensor:
    """Philox4x32-10 of ``counters`` ``(n, 4)`` (32-bit values in int64) under ``key`` ``(k0, k1)`` -> ``(n, 4)``,
    with PyTorch int64 ops (CPU)."""
    low32 = 0xFFFFFFFF
    c0, c1, c2, c3 = counters.unbind(1)
    k0, k1 = key
    for _ in range(PHILOX_ROUNDS):
        c0, c1, c2, c3 = (
            _umulhi(c2, PHILOX_ROUND_B) ^ c1 ^ k0,
            (c2 * PHILOX_ROUND_B) & low32,
            _umulhi(c0, PHILOX_ROUND_A) ^ c3 ^ k1,
            (c0 * PHILOX_ROUND_A) & low32,
        )
        k0, k1 = (k0 + PHILOX_KEY_A) & low32, (k1 + PHILOX_KEY_B) & low32
    return torch.stack([c0, c1, c2, c3], 1)


def keep_mask_reference(seed: int, numel: int, p: float, first_element: int = 0) -> torch.Tensor:
    """:func:`dropout_keep_mask`'s mask for ``seed``, flat ``(numel,)`` bool, with PyTorch int64 ops (CPU)."""
    first_counter, end = first_element // DECISIONS_PER_COUNTER, first_element + numel
    counters = torch.zeros(-(-end // DECISIONS_PER_COUNTER) - first_counter, 4, dtype=torch.int64)
    counters[:, 0] = torch.arange(first_counter, first_counter + len(counters))
    words = philox_reference(counters, (seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF))
    low_half = 2**DECISION_BITS - 1
    halves = torch.stack([words & low_half, words >> DECISION_BITS], 2).flatten()  # [c, k, h]
    start = first_element - first_counter * DECISIONS_PER_COUNTER
    return halves[start:start + numel] >= keep_threshold(p)


class RedrawnMaskDropout(torch.autograd.Function):
    """``x * mask / (1 - p)`` for a :class:`DrawnMask`, keeping only its seed for the backward, which draws the mask
    again (:func:`dropout_keep_mask` at its ``first_element``): one kernel more, the mask's bytes not held between the
    passes. A distinct call in the backward graph, so compiled graphs cannot merge it with the forward's draw."""

    @staticmethod
    def forward(
        ctx, x: torch.Tensor, mask: torch.Tensor, seed: torch.Tensor, first_element: int, p: float
    ) -> torch.Tensor:
        ctx.save_for_backward(seed)
        ctx.shape, ctx.first_element, ctx.p = list(mask.shape), first_element, p
        return x * mask * (1.0 / (1.0 - p))

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple:
        (seed,) = ctx.saved_tensors
        mask = dropout_keep_mask(seed, ctx.shape, ctx.p, ctx.first_element)
        return grad * mask * (1.0 / (1.0 - ctx.p)), None, None, None, None


class MaskedDropout(nn.Dropout):
    """``nn.Dropout`` whose mask comes from :func:`keep_mask` where the kernel can run (module docstring); same
    parameters (none) and the same expectation; elsewhere ``nn.Dropout``'s own draw. ``redraw_mask``: the backward
    draws the mask again from its seed instead of keeping it (:class:`RedrawnMaskDropout`)."""

    def __init__(self, p: float = 0.5, redraw_mask: bool = False) -> None:
        super().__init__(p)
        self.redraw_mask = redraw_mask

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.draws_on(x):
            return super().forward(x)
        return self.apply_mask(x, keep_mask(x.shape, self.p, x.device))

    def draws_on(self, x: torch.Tensor) -> bool:
        """Whether the layer draws a kernel mask for ``x``: training, ``p > 0``, the kernel can run on ``x``."""
        return self.training and self.p > 0.0 and kernels_can_run_on(x)

    def apply_mask(self, x: torch.Tensor, drawn: DrawnMask) -> torch.Tensor:
        """``x * mask / (1 - p)`` for a ``drawn`` keep mask of ``x``'s shape (kept for the backward, or drawn again
        there with ``redraw_mask``)."""
        if self.redraw_mask:
            return RedrawnMaskDropout.apply(x, drawn.mask, drawn.seed, drawn.first_element, self.p)
        return x * drawn.mask * (1.0 / (1.0 - self.p))


def draw_block_masks(layers: Sequence[nn.Module], shapes: Sequence[torch.Size], like: torch.Tensor) -> list:
    """Keep masks for a block's dropout ``layers`` (their inputs' ``shapes``), all drawn by one :func:`keep_masks`
    call when every layer is a :class:`MaskedDropout` that draws on ``like`` with the same ``p``; else a None per
    layer (each layer then draws its own, :func:`apply_dropout`). One seed and one kernel per block instead of one
    of each per layer."""
    drawing = all(isinstance(layer, MaskedDropout) and layer.draws_on(like) for layer in layers)
    if not drawing or any(layer.p != layers[0].p for layer in layers):
        return [None] * len(layers)
    return keep_masks(shapes, layers[0].p, like.device)


def apply_dropout(layer: nn.Module, x: torch.Tensor, mask: DrawnMask | None) -> torch.Tensor:
    """``layer(x)``, or with ``mask`` (from :func:`draw_block_masks`) the layer's ``x * mask / (1 - p)``."""
    return layer(x) if mask is None else layer.apply_mask(x, mask)


def dropout(p: float, fused: bool, redraw_mask: bool = False) -> nn.Dropout:
    """A dropout layer: :class:`MaskedDropout` with ``fused`` (the fast path's kernels; ``redraw_mask``: its
    backward draws the mask again), else ``nn.Dropout``."""
    return MaskedDropout(p, redraw_mask) if fused else nn.Dropout(p)

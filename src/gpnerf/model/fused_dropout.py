"""Dropout whose keep mask comes from one Triton kernel drawing four decisions per Philox call (fast path, training).

Compiled with ``torch.compile``, ``nn.Dropout`` becomes inductor's ``rand`` fused into its neighbours: one
Philox4x32-10 evaluation (ten rounds of 32-bit multiplies) per element, of whose four 32-bit outputs three are
discarded. A training step of the paper preset draws about 750 M such numbers (attention maps over views and
samples, feed-forward hidden layers, block outputs); the graphed compiled step takes 4.2 ms less with dropout 0
(docs/benchmarks.md, twelfth run). :class:`MaskedDropout` instead gets a boolean keep mask from :func:`keep_masks`
(one kernel, all four outputs of each Philox call used, the decisions packed eight to a byte) and multiplies by
``mask / (1 - p)``; the mask is unpacked by shifts (:func:`unpack_keep_bits`), which inductor computes inside the
kernels that read it, so the backward keeps one bit per element instead of ``native_dropout``'s byte (0.70 of the
graphed step's 7.10 GiB peak were these masks as bytes: docs/performance.md section 16). A transformer block draws the
masks of its four dropout layers together (:func:`draw_block_masks`: one seed and one kernel per block) and hands each
layer its own (:func:`apply_dropout`).

The decisions: element ``4 c + k`` is kept when the top 24 bits of output ``k`` of Philox4x32-10 with counter
``(c, 0, 0, 0)`` and key ``(seed mod 2^32, seed div 2^32)`` are at least ``ceil(p 2^24)``, so each element is kept
independently with probability ``1 - ceil(p 2^24) / 2^24`` (``p`` to within ``2^-24``: the resolution of the float32
uniform ``torch.rand`` compares against ``p``); the kept values are scaled by ``1 / (1 - p)`` as PyTorch does. The
seed is drawn per call from PyTorch's generator on the mask's device (CUDA-graph safe). :func:`keep_mask_reference`
computes the same mask with PyTorch integer ops (tests/model/test_fused_dropout.py holds the kernel to it bit for
bit). Elsewhere (no Triton, CPU without the interpreter) :class:`MaskedDropout` is ``nn.Dropout``.
"""

import math
from collections.abc import Sequence

import torch
from torch import nn

from gpnerf.model.triton_support import kernels_can_run_on, tl, triton

PHILOX_ROUND_A, PHILOX_ROUND_B = 0xD2511F53, 0xCD9E8D57
PHILOX_KEY_A, PHILOX_KEY_B = 0x9E3779B9, 0xBB67AE85
PHILOX_ROUNDS = 10
"""Philox4x32-10's constants (Triton's ``tl.randint4x``, which the kernel calls)."""
DECISION_BITS = 24
"""Bits of each 32-bit Philox output compared against the threshold."""
BLOCK_BYTES = 512
"""Mask bytes per program (8 decisions each, from 2 Philox counters: 1,024 counters per program)."""


def keep_threshold(p: float) -> int:
    """The smallest ``DECISION_BITS``-bit value that keeps an element: ``ceil(p 2^24)``."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability must be in [0, 1); got {p}")
    return math.ceil(p * 2**DECISION_BITS)


if triton is not None:
    _DECISION_SHIFT = tl.constexpr(32 - DECISION_BITS)

    @triton.jit
    def _keep_bits_kernel(seed_ptr, bits_ptr, num_bytes, THRESHOLD: tl.constexpr, BLOCK_BYTES: tl.constexpr):
        """One program: bytes ``[pid BLOCK_BYTES, (pid + 1) BLOCK_BYTES)``; bit ``4 t + k`` of byte ``j`` is element
        ``8 j + 4 t + k``, from output ``k`` of counter ``2 j + t``."""
        byte = tl.program_id(0) * BLOCK_BYTES + tl.arange(0, BLOCK_BYTES)  # int32 counters: Philox4x32
        halves = tl.arange(0, 2)
        r0, r1, r2, r3 = tl.randint4x(tl.load(seed_ptr), byte[:, None] * 2 + halves[None, :])
        nibble = ((r0 >> _DECISION_SHIFT).to(tl.int32) >= THRESHOLD).to(tl.int32)
        nibble |= ((r1 >> _DECISION_SHIFT).to(tl.int32) >= THRESHOLD).to(tl.int32) << 1
        nibble |= ((r2 >> _DECISION_SHIFT).to(tl.int32) >= THRESHOLD).to(tl.int32) << 2
        nibble |= ((r3 >> _DECISION_SHIFT).to(tl.int32) >= THRESHOLD).to(tl.int32) << 3
        bits = tl.sum(nibble << (4 * halves[None, :]), axis=1)
        index = tl.program_id(0).to(tl.int64) * BLOCK_BYTES + tl.arange(0, BLOCK_BYTES)
        tl.store(bits_ptr + index, bits.to(tl.uint8), mask=index < num_bytes)


@torch.library.custom_op("gpnerf::dropout_keep_bits", mutates_args=())
def dropout_keep_bits(seed: torch.Tensor, numel: int, p: float) -> torch.Tensor:
    """The kernel's keep decisions (module docstring) for ``numel`` elements, packed: ``(ceil(numel / 8),)`` uint8
    on ``seed``'s device, bit ``k`` of byte ``j`` for element ``8 j + k``; ``seed`` ``(1,)`` int64."""
    bits = torch.empty(-(-numel // 8), dtype=torch.uint8, device=seed.device)
    if numel:
        grid = (triton.cdiv(bits.numel(), BLOCK_BYTES),)
        _keep_bits_kernel[grid](seed, bits, bits.numel(), THRESHOLD=keep_threshold(p), BLOCK_BYTES=BLOCK_BYTES)
    return bits


@dropout_keep_bits.register_fake
def _(seed: torch.Tensor, numel: int, p: float) -> torch.Tensor:
    return seed.new_empty(-(-numel // 8), dtype=torch.uint8)


def unpack_keep_bits(bits: torch.Tensor, numel: int) -> torch.Tensor:
    """``(numel,)`` bool from packed ``bits`` ``(>= ceil(numel / 8),)`` uint8 (bit ``k`` of byte ``j``: element
    ``8 j + k``). Shifts and a view: compiled, inductor computes it inside the kernels that read the mask, and the
    backward keeps the packed bytes."""
    shifts = torch.arange(8, dtype=torch.uint8, device=bits.device)
    return ((bits[:, None] >> shifts) & 1).flatten()[:numel].bool()


MASK_ALIGN = 128
"""Elements: each layer's mask in :func:`keep_masks`' shared draw starts at a multiple of it (16-byte aligned bits)."""


def keep_masks(shapes: Sequence[torch.Size], p: float, device: torch.device) -> list[torch.Tensor]:
    """Fresh keep masks of ``shapes`` (bool, on ``device``; needs :func:`kernels_can_run_on` for a tensor there), each
    element kept with probability ``1 - p`` (module docstring), for one or several layers of the same ``p``: one
    seed drawn from PyTorch's generator and one kernel call, each mask from its own span of elements (starting at a
    multiple of :data:`MASK_ALIGN`). Distinct elements take distinct Philox counters, so the masks are independent."""
    sizes = [math.prod(shape) for shape in shapes]
    spans = [-(-size // MASK_ALIGN) * MASK_ALIGN for size in sizes]
    if sum(spans) > 4 * 2**32:
        raise ValueError(f"keep_masks: {sum(spans)} elements exceed Philox's 2^32 counters x 4")
    seed = torch.randint(2**62, (1,), device=device)
    bits = dropout_keep_bits(seed, sum(spans), p)
    span_bits = bits.split([span // 8 for span in spans])
    return [unpack_keep_bits(b, size).view(shape) for b, size, shape in zip(span_bits, sizes, shapes)]


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


def keep_mask_reference(seed: int, numel: int, p: float) -> torch.Tensor:
    """:func:`dropout_keep_bits`' decisions for ``seed``, unpacked: flat ``(numel,)`` bool, with PyTorch int64 ops
    (CPU)."""
    counters = torch.zeros((numel + 3) // 4, 4, dtype=torch.int64)
    counters[:, 0] = torch.arange(len(counters))
    draws = philox_reference(counters, (seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF)).flatten()[:numel]
    return (draws >> (32 - DECISION_BITS)) >= keep_threshold(p)


class MaskedDropout(nn.Dropout):
    """``nn.Dropout`` whose mask comes from :func:`keep_masks` where the kernel can run (module docstring); same
    parameters (none) and the same expectation; elsewhere ``nn.Dropout``'s own draw."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.draws_on(x):
            return super().forward(x)
        return self.apply_mask(x, keep_masks([x.shape], self.p, x.device)[0])

    def draws_on(self, x: torch.Tensor) -> bool:
        """Whether the layer draws a kernel mask for ``x``: training, ``p > 0``, the kernel can run on ``x``."""
        return self.training and self.p > 0.0 and kernels_can_run_on(x)

    def apply_mask(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``x * mask / (1 - p)`` for a keep ``mask`` of ``x``'s shape."""
        return x * mask * (1.0 / (1.0 - self.p))


def draw_block_masks(layers: Sequence[nn.Module], shapes: Sequence[torch.Size], like: torch.Tensor) -> list:
    """Keep masks for a block's dropout ``layers`` (their inputs' ``shapes``), all drawn by one :func:`keep_masks`
    call when every layer is a :class:`MaskedDropout` that draws on ``like`` with the same ``p``; else a None per
    layer (each layer then draws its own, :func:`apply_dropout`). One seed and one kernel per block instead of one
    of each per layer."""
    drawing = all(isinstance(layer, MaskedDropout) and layer.draws_on(like) for layer in layers)
    if not drawing or any(layer.p != layers[0].p for layer in layers):
        return [None] * len(layers)
    return keep_masks(shapes, layers[0].p, like.device)


def apply_dropout(layer: nn.Module, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """``layer(x)``, or with ``mask`` (from :func:`draw_block_masks`) the layer's ``x * mask / (1 - p)``."""
    return layer(x) if mask is None else layer.apply_mask(x, mask)


def dropout(p: float, fused: bool) -> nn.Dropout:
    """A dropout layer: :class:`MaskedDropout` with ``fused`` (the fast path's kernels), else ``nn.Dropout``."""
    return MaskedDropout(p) if fused else nn.Dropout(p)

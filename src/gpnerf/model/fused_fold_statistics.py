"""One Triton kernel for what the semantic fold derives per point from the FAT and RAT kernels' outputs (fast path).

Before the contraction (:mod:`gpnerf.model.fused_attention_contraction`) forms the fold's weight W on chip, each layer
``l`` needs its softmax's inverse total times the RAT column means broadcast to the attention's channel groups,
``scale_l[r, s, g] = inverse_total_l[r, s, g] m_l[r, head(g), s]``, and the fold's position term (the ``+P'`` terms of
Eq. 5 through the RAT map) is ``sum_l sum_s weighted_position_l[r, s, g] m_l[r, head(g), s]``. Written as PyTorch ops
under torch.compile these are one inductor kernel over every layer's ``(rays, samples, groups)`` tensors (13.3 ms a
render frame in the twenty-fifth run's trace, about 2.3 TB/s). Here one program takes one ray and all its samples and
groups, reads each layer's inverse totals, column means and weighted positions once as contiguous tiles and writes the
scales and the ray's position sum: the same float32 products, summed over samples in another order.

Inference only. :func:`fold_statistics` runs the kernel where it applies (Triton, CUDA or the interpreter, at most
:data:`MAX_LAYERS` layers, at most :data:`MAX_SAMPLES` samples), else the same arithmetic as PyTorch ops.
"""

from dataclasses import dataclass

import torch

from gpnerf.model.field_aggregation import FieldAttention
from gpnerf.model.triton_support import kernels_can_run_on, launch_configs, padded, tl, triton

MAX_LAYERS = 8
"""The most layers one launch takes (the presets have 8; one pointer argument per layer and tensor)."""

MAX_SAMPLES = 128
"""The most samples a ray may have: one program holds a ray's ``(samples, groups)`` tiles."""


@dataclass
class FoldStatistics:
    """What the fold's contraction and position term read.

    Attributes:
        scales: per layer, ``(rays, samples, groups)`` float32 ``inverse_total_l * m_l[head(g), s]``.
        position: ``(rays, groups)`` float32 ``sum_l sum_s weighted_position_l m_l[head(g), s]``, or None (not asked
            for).
    """

    scales: list[torch.Tensor]
    position: torch.Tensor | None


def by_group(column_mean: torch.Tensor, groups: int) -> torch.Tensor:
    """``(rays, heads, samples)`` column means -> ``(rays, samples, groups)`` float32, group ``g`` taking head
    ``g // (groups / heads)``'s."""
    return column_mean.float().transpose(1, 2).repeat_interleave(groups // column_mean.shape[1], dim=-1)


def fold_statistics_reference(
    field_attentions: list[FieldAttention], column_means: list[torch.Tensor], with_position: bool
) -> FoldStatistics:
    """:func:`fold_statistics` as PyTorch ops (where the kernel does not apply, and the tests' reference)."""
    groups = field_attentions[0].inverse_total.shape[-1]
    means = [by_group(m, groups) for m in column_means]
    scales = [a.inverse_total.float() * m for a, m in zip(field_attentions, means)]
    position = None
    if with_position:
        position = sum((a.weighted_position_sum() * m).sum(dim=1) for a, m in zip(field_attentions, means))
    return FoldStatistics(scales, position)


def fused_fold_statistics_supported(
    field_attentions: list[FieldAttention], column_means: list[torch.Tensor], with_position: bool
) -> bool:
    """Whether the kernel can run: every layer the FAT kernel's statistics (``inverse_total`` float32, and with
    ``with_position`` ``weighted_position``) on a device kernels run on, 1 to :data:`MAX_LAYERS` layers, at most
    :data:`MAX_SAMPLES` samples, groups divisible by the heads."""
    if not field_attentions or len(field_attentions) > MAX_LAYERS or len(column_means) != len(field_attentions):
        return False
    first = field_attentions[0].inverse_total
    if first is None or not kernels_can_run_on(first) or first.shape[1] > MAX_SAMPLES:
        return False
    groups, heads = first.shape[2], column_means[0].shape[1]
    return groups % heads == 0 and all(
        a.inverse_total is not None and a.inverse_total.dtype == torch.float32
        and (a.weighted_position is not None or not with_position)
        for a in field_attentions
    )


if triton is not None:

    from gpnerf.model.triton_support import of_layer

    @triton.autotune(configs=launch_configs({}, [({}, warps) for warps in (2, 4, 8)]), key=["S_PAD", "G_PAD", "LAYERS"])
    @triton.jit
    def _fold_statistics_kernel(
        inverse_total0, inverse_total1, inverse_total2, inverse_total3,
        inverse_total4, inverse_total5, inverse_total6, inverse_total7,
        mean0, mean1, mean2, mean3, mean4, mean5, mean6, mean7,
        position0, position1, position2, position3, position4, position5, position6, position7,
        scale0, scale1, scale2, scale3, scale4, scale5, scale6, scale7,
        position_sum_ptr,
        SAMPLES: tl.constexpr, GROUPS: tl.constexpr, HEADS: tl.constexpr, LAYERS: tl.constexpr,
        S_PAD: tl.constexpr, G_PAD: tl.constexpr, WITH_POSITION: tl.constexpr,
    ):
        """One program: ray ``program_id(0)``. Per layer ``l < LAYERS``: ``inverse_total_l``, ``position_l``
        (``weighted_position``) and ``scale_l`` ``(rays, SAMPLES, GROUPS)`` float32, ``mean_l`` ``(rays, HEADS,
        SAMPLES)`` float32; ``position_sum`` ``(rays, GROUPS)`` float32 (written with ``WITH_POSITION``)."""
        ray = tl.program_id(0).to(tl.int64)
        sample = tl.arange(0, S_PAD)
        group = tl.arange(0, G_PAD)
        ok = (sample[:, None] < SAMPLES) & (group[None, :] < GROUPS)
        offsets = (ray * SAMPLES + sample[:, None]) * GROUPS + group[None, :]  # (S_PAD, G_PAD)
        head = group // (GROUPS // HEADS)
        mean_offsets = (ray * HEADS + head[None, :]) * SAMPLES + sample[:, None]  # m[r, head(g), s]
        position_sum = tl.zeros((G_PAD,), tl.float32)
        for layer in tl.static_range(LAYERS):
            mean = tl.load(of_layer(layer, mean0, mean1, mean2, mean3, mean4, mean5, mean6, mean7) + mean_offsets,
                           mask=ok, other=0.0)
            inverse_total = tl.load(
                of_layer(layer, inverse_total0, inverse_total1, inverse_total2, inverse_total3, inverse_total4,
                          inverse_total5, inverse_total6, inverse_total7) + offsets, mask=ok, other=0.0,
            )
            tl.store(of_layer(layer, scale0, scale1, scale2, scale3, scale4, scale5, scale6, scale7) + offsets,
                     inverse_total * mean, mask=ok)
            if WITH_POSITION:
                position = tl.load(
                    of_layer(layer, position0, position1, position2, position3, position4, position5, position6,
                              position7) + offsets, mask=ok, other=0.0,
                )
                position_sum += tl.sum(position * mean, axis=0)
        if WITH_POSITION:
            tl.store(position_sum_ptr + ray * GROUPS + group, position_sum, mask=group < GROUPS)


def kernel_arguments(
    field_attentions: list[FieldAttention], column_means: list[torch.Tensor], with_position: bool
) -> tuple[list, dict, int]:
    """The kernel's runtime arguments (inputs contiguous, outputs allocated), its compile-time constants and the
    program count, for :func:`fold_statistics`' arguments (no launch: any device)."""
    rays, samples, groups = field_attentions[0].inverse_total.shape
    heads = column_means[0].shape[1]
    for i, (a, m) in enumerate(zip(field_attentions, column_means)):
        for name, t, shape in (
            ("inverse_total", a.inverse_total, (rays, samples, groups)),
            ("weighted_position", a.weighted_position if with_position else a.inverse_total, (rays, samples, groups)),
            ("column means", m, (rays, heads, samples)),
        ):
            if tuple(t.shape) != shape:
                raise ValueError(f"fold_statistics: layer {i} {name} must be {shape}; got {tuple(t.shape)}.")

    def per_layer(tensors: list[torch.Tensor]) -> list[torch.Tensor]:
        tensors = [t.float().contiguous() for t in tensors]
        return tensors + [tensors[0]] * (MAX_LAYERS - len(tensors))  # placeholders the kernel never reads

    device = field_attentions[0].inverse_total.device
    scales = [torch.empty(rays, samples, groups, device=device) for _ in field_attentions]
    # Outputs not written get a scratch tensor of their own, never a real output: torch.compile's analysis of which
    # arguments a kernel writes can count them as written, and its copy back of such an argument would then land on
    # the output it aliased (the compiled render's semantic logits were garbage on an H200 with 2 layers).
    scratch = torch.empty(1, device=device)
    position_sum = torch.empty(rays, groups, device=device) if with_position else scratch
    arguments = [
        *per_layer([a.inverse_total for a in field_attentions]),
        *per_layer(column_means),
        *per_layer([a.weighted_position if with_position else a.inverse_total for a in field_attentions]),
        *(scales + [scratch] * (MAX_LAYERS - len(scales))),
        position_sum,
    ]
    constants = dict(
        SAMPLES=samples, GROUPS=groups, HEADS=heads, LAYERS=len(field_attentions), S_PAD=padded(samples),
        G_PAD=padded(groups), WITH_POSITION=with_position,
    )
    return arguments, constants, rays


SCALES = slice(3 * MAX_LAYERS, 4 * MAX_LAYERS)
"""Where the scales sit in :func:`kernel_arguments`' list (the position sum follows them)."""


def fold_statistics(
    field_attentions: list[FieldAttention], column_means: list[torch.Tensor], with_position: bool
) -> FoldStatistics:
    """Each layer's scales and (``with_position``) the rays' position sums (:class:`FoldStatistics`), one kernel
    launch where :func:`fused_fold_statistics_supported` holds, else PyTorch ops.

    Args:
        field_attentions: per layer, the FAT kernel's ``inverse_total`` and ``weighted_position`` ``(rays, samples,
            groups)`` float32.
        column_means: per layer, ``(rays, heads, samples)`` the RAT map's column means.
        with_position: also sum the position term (the fold's ``+P'`` terms).
    """
    if not fused_fold_statistics_supported(field_attentions, column_means, with_position):
        return fold_statistics_reference(field_attentions, column_means, with_position)
    arguments, constants, rays = kernel_arguments(field_attentions, column_means, with_position)
    _fold_statistics_kernel[(rays,)](*arguments, **constants)
    scales = arguments[SCALES][: len(field_attentions)]
    return FoldStatistics(scales, arguments[SCALES.stop] if with_position else None)

"""One Triton kernel for the semantic fold's rendered term straight from the FAT and RAT kernels' outputs (fast path).

At inference the fold (:func:`gpnerf.model.folded_semantics.fold_semantic_path`) needs ``sum_{samples, views} X[s, v, g
r + k] W[s, v, g]`` with ``W = sum_l m_l[head(g), s] A_l[s, v, g]``, where A_l is the FAT block's softmax over views and
``m_l`` the RAT block's column means. The FAT kernel (:mod:`gpnerf.model.fused_field_attention`) leaves A_l as its
logits and the softmax's ``peak`` and ``inverse_total`` (``A = 2**(logits - peak) * inverse_total``, the logits in base
2); :func:`gpnerf.model.fused_feature_sampling.sample_and_contract_fused` samples X on chip. Done apart, the fold writes
W ``(rays, samples, views, d_rgb)`` in float32 from all layers' logits (an elementwise kernel reading every layer's
logits and statistics) and the contraction reads it back. Here one program takes one ray and a block of the attention's
channel groups, forms W for its pairs from the layers' logits as it walks the ray's ``samples x views`` pairs, and
contracts the sampled X with it: W is never written. Each layer's ``inverse_total`` comes in already multiplied by its
column means (``scale_l = inverse_total_l m_l``, per point and channel group, formed before the launch by
:func:`gpnerf.model.fused_fold_statistics.fold_statistics`), so every per-layer tensor the kernel reads is laid out by
channel group: loaded in one layout, the layers' terms are summed with no exchange between threads (with the column
means read apart, by head, the compiler exchanged each layer's term through shared memory, two barriers per layer, and
no layer's loads started before the previous layer's had arrived).

The arithmetic per layer is the fold's (``2**(logits - peak)`` times ``inverse_total m``, summed over layers in float32;
the exponential as inline PTX, :func:`gpnerf.model.triton_support.exp2_opaque`) and the contraction's (the samples
blended in float32 as ``grid_sample`` does, summed in float32), in another order;
tests/model/test_fused_attention_contraction.py holds it to the PyTorch fold. Up to :data:`MAX_LAYERS` layers (one
pointer argument per layer and tensor); beyond that the fold keeps its two steps.
"""

import torch

from gpnerf.model.field_aggregation import FieldAttention
from gpnerf.model.fused_feature_sampling import (
    DeferredSamples, channels_last, check_maps, fused_sampling_supported, kernel_grid, widens_pairs,
)
from gpnerf.model import triton_support
from gpnerf.model.triton_support import inline_ptx, launch_configs, tl, triton

MAX_LAYERS = 8
"""The most layers one launch folds (the presets have 8)."""

OUTPUT = 2 + 3 * MAX_LAYERS
"""Where ``out`` sits in :func:`kernel_arguments`' list (after the maps, the grid and three tensors per layer)."""

LAUNCH_SHAPES = ((16, 8, 2), (16, 16, 4), (16, 32, 4), (8, 64, 4))
"""Pairs per step of a program's walk x channel groups per program x warps, narrowest block first: one launch for
each block of groups, chosen by :func:`launch_for`, never by timing. Each is the fastest of its width in the
twenty-second run's sweep (docs/benchmarks.md, call 3, H200, the kernel alone at a render chunk's shapes: 8 x 64 x 4
3.153 ms, 16 x 32 x 4 3.178, 16 x 16 x 4 3.377, 16 x 8 x 2 3.663 of the eight launches the autotuner then chose
from). Timed by the autotuner, the choice was not stable: in the thirty-sixth run (H100) one tree's processes took 32
pairs x 8 groups x 4 warps every time, 3.74 ms a chunk in the frame's graph against 3.00 ms for 8 x 64 x 4, 12 ms a
frame."""


def fused_contraction_supported(deferred: DeferredSamples, field_attentions: list[FieldAttention]) -> bool:
    """Whether the kernel can fold ``field_attentions`` into ``deferred``'s contraction: maps the sampling kernel
    takes, every layer's attention left as the FAT kernel's logits and statistics, at most :data:`MAX_LAYERS`
    layers."""
    return (
        fused_sampling_supported(deferred.maps) and 1 <= len(field_attentions) <= MAX_LAYERS
        and all(a.attention is None and a.logits is not None for a in field_attentions)
    )


def launch_for(configs: list, named_args: dict, **constants) -> list:
    """The one configuration whose block of groups is the groups rounded up to a power of two, capped at the widest
    block (one program a ray up to 64 groups); the narrowest for fewer groups than any block holds. ``configs`` come
    in :data:`LAUNCH_SHAPES`' order, narrowest first. Plain loops: dynamo traces this where the kernel runs
    compiled, and does not take ``max(..., key=...)``."""
    widths = [config.kwargs["BLOCK_GROUPS"] for config in configs]
    wanted = min(triton.next_power_of_2(constants["GROUPS"]), max(widths))
    chosen = configs[0]
    for config, width in zip(configs, widths):
        if width <= wanted:
            chosen = config
    return [chosen]


if triton is not None:
    from gpnerf.model.fused_feature_sampling import _bilinear
    from gpnerf.model.triton_support import exp2_opaque, of_layer, widen_bf16

    @triton.autotune(
        configs=launch_configs(
            {"BLOCK_PAIRS": 16, "BLOCK_GROUPS": 4},
            [({"BLOCK_PAIRS": pairs, "BLOCK_GROUPS": groups}, warps) for pairs, groups, warps in LAUNCH_SHAPES],
        ),
        key=["SAMPLES", "VIEWS", "CHANNELS", "GROUPS", "LAYERS"],
        prune_configs_by={"early_config_prune": launch_for},
    )
    @triton.jit
    def _contract_attention_kernel(
        maps_ptr, uv_ptr,
        logits0, logits1, logits2, logits3, logits4, logits5, logits6, logits7,
        peak0, peak1, peak2, peak3, peak4, peak5, peak6, peak7,
        scale0, scale1, scale2, scale3, scale4, scale5, scale6, scale7,
        out_ptr, map_height, map_width,
        SAMPLES: tl.constexpr, VIEWS: tl.constexpr, CHANNELS: tl.constexpr, GROUPS: tl.constexpr,
        PER_GROUP_PAD: tl.constexpr, LAYERS: tl.constexpr,
        BLOCK_PAIRS: tl.constexpr, BLOCK_GROUPS: tl.constexpr, OPAQUE_EXP2: tl.constexpr, WIDEN_PAIRS: tl.constexpr,
        WIDEN_LOGITS: tl.constexpr,
    ):
        """``maps`` ``(views, h, w, C)``; ``uv`` ``(views, rays, samples, 2)`` grid coordinates; per layer ``l <
        LAYERS``: ``logits_l`` ``(rays, samples, views, GROUPS)``, ``peak_l`` and ``scale_l`` (``inverse_total_l``
        times the column mean of the group's head) ``(rays, samples, GROUPS)`` float32; ``out`` ``(rays, C)``
        float32. Program
        ``p`` takes ray ``p // group_blocks`` and groups ``[b BLOCK_GROUPS, (b + 1) BLOCK_GROUPS)`` with ``b = p %
        group_blocks``, so the programs of one ray run one after another and share its rows in L2."""
        PER_GROUP: tl.constexpr = CHANNELS // GROUPS
        GROUP_BLOCKS: tl.constexpr = (GROUPS + BLOCK_GROUPS - 1) // BLOCK_GROUPS
        ray = (tl.program_id(0) // GROUP_BLOCKS).to(tl.int64)
        group = (tl.program_id(0) % GROUP_BLOCKS) * BLOCK_GROUPS + tl.arange(0, BLOCK_GROUPS)  # (G,)
        group_ok = group < GROUPS
        within = tl.arange(0, PER_GROUP_PAD)
        channel = group[:, None] * PER_GROUP + within[None, :]  # (G, K): channel g r + k
        channel_ok = group_ok[:, None] & (within[None, :] < PER_GROUP)
        rays = tl.num_programs(0) // GROUP_BLOCKS
        acc = tl.zeros((BLOCK_PAIRS, BLOCK_GROUPS, PER_GROUP_PAD), tl.float32)
        for first in range(0, SAMPLES * VIEWS, BLOCK_PAIRS):
            pair = first + tl.arange(0, BLOCK_PAIRS)  # sample * VIEWS + view
            pair_ok = pair < SAMPLES * VIEWS
            sample = pair // VIEWS
            view = pair % VIEWS
            point = ray * SAMPLES + sample  # (P,) row of the per-point statistics
            known = pair_ok[:, None] & group_ok[None, :]  # (P, G)
            # W = sum_l 2**(logits_l - peak_l) inverse_l m_l[head(g), s], in float32 (masked pairs: W = 0)
            weight = tl.zeros((BLOCK_PAIRS, BLOCK_GROUPS), tl.float32)
            for layer in tl.static_range(LAYERS):
                logits = widen_bf16(tl.load(
                    of_layer(layer, logits0, logits1, logits2, logits3, logits4, logits5, logits6, logits7)
                    + (point * VIEWS + view)[:, None] * GROUPS + group[None, :], mask=known, other=0.0,
                ), WIDEN_LOGITS)
                statistic = point[:, None] * GROUPS + group[None, :]
                peak = tl.load(
                    of_layer(layer, peak0, peak1, peak2, peak3, peak4, peak5, peak6, peak7) + statistic,
                    mask=known, other=0.0,
                )
                scale = tl.load(
                    of_layer(layer, scale0, scale1, scale2, scale3, scale4, scale5, scale6, scale7) + statistic,
                    mask=known, other=0.0,
                )
                weight += exp2_opaque(logits - peak, OPAQUE_EXP2) * scale  # the FAT kernel's logits are in base 2
            uv_offset = ((view.to(tl.int64) * rays + ray) * SAMPLES + sample) * 2
            u = tl.load(uv_ptr + uv_offset, mask=pair_ok, other=0.0).to(tl.float32)
            v = tl.load(uv_ptr + uv_offset + 1, mask=pair_ok, other=0.0).to(tl.float32)
            sampled = _bilinear(
                maps_ptr, u[:, None, None], v[:, None, None], view[:, None, None], pair_ok[:, None, None],
                channel[None, :, :], channel_ok[None, :, :], map_height, map_width, CHANNELS, WIDEN_PAIRS,
            )  # (P, G, K)
            acc += sampled * weight[:, :, None]
        tl.store(out_ptr + ray * CHANNELS + channel, tl.sum(acc, axis=0), mask=channel_ok)


def tuned_launch() -> str | None:
    """The launch configuration the autotuner chose last, or None before any run (or without Triton)."""
    return None if triton is None else triton_support.tuned_launch(_contract_attention_kernel)


def kernel_arguments(
    deferred: DeferredSamples, field_attentions: list[FieldAttention], scales: list[torch.Tensor]
) -> tuple[list, dict, int]:
    """The kernel's runtime arguments (inputs contiguous, the output allocated), its compile-time constants and the
    program count, for :func:`contract_attention`'s arguments (no launch: any device)."""
    maps, uv_pix = deferred.maps, deferred.uv_pix
    views, channels, map_height, map_width = maps.shape
    _, rays, samples, _ = uv_pix.shape
    layers = len(field_attentions)
    groups = field_attentions[0].channels
    if channels % groups != 0:
        raise ValueError(f"the {channels} channels must split into the {groups} attention channels.")
    for name, t, shape in [
        *((f"layer {i} logits", a.logits, (rays, samples, views, groups)) for i, a in enumerate(field_attentions)),
        *((f"layer {i} peak", a.peak, (rays, samples, groups)) for i, a in enumerate(field_attentions)),
        *((f"layer {i} scale", scale, (rays, samples, groups)) for i, scale in enumerate(scales)),
    ]:
        if tuple(t.shape) != shape:
            raise ValueError(f"contract_attention: {name} must be {shape} for these samples; got {tuple(t.shape)}.")

    def per_layer(tensors: list[torch.Tensor], dtype: torch.dtype | None = None) -> list[torch.Tensor]:
        tensors = [t.contiguous() if dtype is None else t.to(dtype).contiguous() for t in tensors]
        return tensors + [tensors[0]] * (MAX_LAYERS - len(tensors))  # placeholders the kernel never reads

    out = torch.empty(rays, channels, device=maps.device, dtype=torch.float32)
    arguments = [
        channels_last(maps), kernel_grid(uv_pix, deferred.image_height, deferred.image_width),
        *per_layer([a.logits for a in field_attentions]),
        *per_layer([a.peak for a in field_attentions], torch.float32),
        *per_layer(scales, torch.float32),
        out, map_height, map_width,
    ]
    constants = dict(
        SAMPLES=samples, VIEWS=views, CHANNELS=channels, GROUPS=groups,
        PER_GROUP_PAD=triton.next_power_of_2(channels // groups), LAYERS=layers, OPAQUE_EXP2=inline_ptx(),
        WIDEN_PAIRS=widens_pairs(maps),
        WIDEN_LOGITS=field_attentions[0].logits.dtype == torch.bfloat16 and inline_ptx(),
    )
    return arguments, constants, rays


def contract_attention(
    deferred: DeferredSamples, field_attentions: list[FieldAttention], scales: list[torch.Tensor]
) -> torch.Tensor:
    """``einsum("rsvgk,rsvg->rgk", X, W)`` with ``W = sum_l m_l A_l`` (module docstring), X never formed and W never
    written.

    Args:
        deferred: the maps and coordinates X is sampled from.
        field_attentions: per layer, the FAT kernel's logits ``(rays, samples, views, d_rgb)`` and softmax
            statistics (:func:`fused_contraction_supported` must hold).
        scales: per layer, ``(rays, samples, d_rgb)`` float32 ``inverse_total_l m_l[head(g), s]``
            (:func:`gpnerf.model.fused_fold_statistics.fold_statistics`).

    Returns:
        ``(rays, d_rgb, d_sem / d_rgb)`` in ``deferred.dtype`` (summed in float32).
    """
    check_maps(deferred.maps, "contract_attention")
    if not fused_contraction_supported(deferred, field_attentions) or len(scales) != len(field_attentions):
        raise ValueError(
            f"contract_attention needs 1 to {MAX_LAYERS} layers, each with the FAT kernel's logits and one scale; "
            f"got {len(field_attentions)} FAT layers and {len(scales)} scales. Check fused_contraction_supported first."
        )
    arguments, constants, rays = kernel_arguments(deferred, field_attentions, scales)
    groups, channels = constants["GROUPS"], constants["CHANNELS"]

    def grid(launch: dict) -> tuple[int]:
        return (rays * triton.cdiv(groups, launch["BLOCK_GROUPS"]),)

    _contract_attention_kernel[grid](*arguments, **constants)
    return arguments[OUTPUT].unflatten(-1, (groups, channels // groups)).to(deferred.dtype)

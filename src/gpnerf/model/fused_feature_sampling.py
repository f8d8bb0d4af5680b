"""One Triton kernel that bilinearly samples per-view feature maps without autograd (fast path).

:func:`gpnerf.model.projection.sample_feature_maps` with ``full_precision_grid`` upcasts the maps to
float32, samples with ``grid_sample`` into a ``(views, C, rays, samples)`` float32 tensor, permutes it to
``(rays, samples, views, C)`` and the caller casts it to bf16: three passes over the largest tensor of the
render (512 semantic channels per point and view). Here each program gathers the four neighbours of a block
of (point, view) pairs from channels-last maps, blends them in float32 with ``grid_sample``'s own
arithmetic (``align_corners=True``, zero padding: the same coordinates, weights and order of the four
terms) and writes the ``(rays, samples, views, C)`` result once, in the output dtype. Like CUDA's
``grid_sample`` (the path it replaces) a NaN or infinite coordinate reads zeros; the CPU's ``grid_sample``
gives NaN there.

No autograd: the semantic maps reach the transformer detached (the paper's gradient block) or under
``torch.no_grad`` (renders). tests/model/test_fused_feature_sampling.py holds it to ``sample_feature_maps``.

Given several maps the kernel writes each into its columns of one output: at inference the RGB tokens (source
images and F^rgb) are sampled and concatenated without ``torch.cat``.

At inference a second kernel goes further: the fast path needs X only in the semantic fold's rendered term
``sum_{samples, views} W X`` (:mod:`gpnerf.model.folded_semantics`), so :class:`DeferredSamples` carries the
maps and coordinates to the fold and :func:`sample_and_contract_fused` samples and contracts on chip, never
writing the ``(rays, samples, views, C)`` tensor.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from gpnerf.model.projection import grid_scales, sampling_grid
from gpnerf.model.triton_support import inline_ptx, kernels_can_run_on, launch_configs, tl, triton


def fused_sampling_supported(feature_maps: torch.Tensor) -> bool:
    """Whether the kernel can sample ``feature_maps`` ``(views, C, h, w)``: Triton installed, a CUDA tensor (or
    any tensor under the Triton interpreter, ``TRITON_INTERPRET=1``), float32 / bf16 / fp16, no autograd, fewer
    than 2^31 elements."""
    return (
        kernels_can_run_on(feature_maps) and feature_maps.dim() == 4
        and feature_maps.dtype in (torch.float32, torch.bfloat16, torch.float16)
        and not (feature_maps.requires_grad and torch.is_grad_enabled())
        and feature_maps.numel() < 2**31  # int32 offsets into the maps
    )


WIDE_SHAPES = ((16, 128, 4), (32, 128, 4), (32, 64, 4), (64, 64, 8), (16, 256, 8), (64, 64, 4), (128, 64, 8),
               (64, 128, 8), (128, 32, 4))
"""``(BLOCK_PAIRS, BLOCK_CHANNELS, warps)`` launches for wide maps (F^rgb, the semantic maps): more pairs per program
keep more gathers in flight (the contraction walks a ray's pairs in a loop)."""

NARROW_CHANNELS = 4
"""Maps of at most this many channels (the source images' RGB) take :data:`NARROW_SHAPES` alone."""

NARROW_SHAPES = ((128, NARROW_CHANNELS, 4), (256, NARROW_CHANNELS, 4), (512, NARROW_CHANNELS, 8))
"""Launches for narrow maps: 4 channel lanes a pair. The wide shapes' narrowest block, 32 channels, runs 29 of its
32 lanes empty on the 3-channel source images."""


def _launch_configs(shapes: tuple) -> list:
    return launch_configs(
        {"BLOCK_PAIRS": 16, "BLOCK_CHANNELS": 16}, [({"BLOCK_PAIRS": p, "BLOCK_CHANNELS": c}, w) for p, c, w in shapes]
    )


def launches_for_channels(configs: list, named_args: dict, **constants) -> list:
    """The narrow launches for maps of at most :data:`NARROW_CHANNELS` channels, the wide ones otherwise (the
    interpreter's single configuration as it is)."""
    narrow = constants["CHANNELS"] <= NARROW_CHANNELS
    kept = [config for config in configs if (config.kwargs["BLOCK_CHANNELS"] <= NARROW_CHANNELS) == narrow]
    return kept or configs


if triton is not None:
    from gpnerf.model.triton_support import widen_bf16

    @triton.jit
    def _corner(
        maps_ptr, cx, cy, weight, view_base, pair_ok, channel, channel_ok, map_height, map_width, CHANNELS: tl.constexpr,
        WIDEN_PAIRS: tl.constexpr,
    ):
        """One neighbour's term ``weight * maps[view, cy, cx, channel]`` of :func:`_bilinear`, zero where the cell
        is outside the map (a NaN coordinate is outside, as in CUDA's grid_sample)."""
        inside = pair_ok & (cx >= 0) & (cx <= map_width - 1) & (cy >= 0) & (cy <= map_height - 1)
        # int32 cells (the wrappers check the maps' size): int64 ones crash Triton 3.6's layout pass at
        # BLOCK_PAIRS >= 32 (docs/benchmarks.md, fifth run, call 5)
        row, column = tl.where(inside, cy, 0.0).to(tl.int64), tl.where(inside, cx, 0.0).to(tl.int64)
        cell = (view_base + row * map_width + column).to(tl.int32)
        values = tl.load(maps_ptr + cell * CHANNELS + channel, mask=inside & channel_ok, other=0.0)
        # the select on the pair's weight, not on each channel's product (a NaN weight outside becomes 0; the values
        # there are loaded as 0): one select a pair, and the four products and their sum contract to FMAs (the
        # contraction's loop at 8 pairs x 64 groups x 4 warps 980 -> 755 instructions on sm_90; each FMA rounds once)
        return widen_bf16(values, WIDEN_PAIRS) * tl.where(inside, weight, 0.0)

    @triton.jit
    def _bilinear(
        maps_ptr, u, v, view, pair_ok, channel, channel_ok, map_height, map_width, CHANNELS: tl.constexpr,
        WIDEN_PAIRS: tl.constexpr,
    ):
        """float32 samples of channels-last ``maps`` ``(views, h, w, C)`` at grid coordinates ``u, v`` in ``[-1, 1]``
        of the views ``view``. ``u, v, view, pair_ok`` hold one value per (point, view) pair on their first axis and
        size-1 axes after it; ``channel, channel_ok`` a size-1 first axis: e.g. ``(BLOCK_PAIRS, 1)`` and
        ``(1, BLOCK_CHANNELS)``, or ``(BLOCK_PAIRS, 1, 1)`` and ``(1, groups, channels per group)``. The result has
        their broadcast shape."""
        # grid_sample's unnormalisation with align_corners=True, ((g + 1) / 2) (size - 1): an add, then products, so
        # nothing contracts into an FMA; "* 0.5" is the exact "/ 2" (Triton's "/" is an approximate division on the
        # GPU). The grid itself comes from the same PyTorch ops as grid_sample's.
        # "size - 1.0", not ".to(tl.float32)": torch.compile's mutation analysis runs this code with Python ints
        x = ((u + 1.0) * 0.5) * (map_width - 1.0)
        y = ((v + 1.0) * 0.5) * (map_height - 1.0)
        x0 = tl.floor(x)
        y0 = tl.floor(y)
        x1 = x0 + 1.0
        y1 = y0 + 1.0
        view_base = view * map_height * map_width  # first cell of each pair's view
        # nw, ne, sw, se: grid_sample's order and weights; only in-bounds corners contribute
        result = _corner(
            maps_ptr, x0, y0, (x1 - x) * (y1 - y), view_base, pair_ok, channel, channel_ok, map_height, map_width, CHANNELS,
            WIDEN_PAIRS,
        )
        result += _corner(
            maps_ptr, x1, y0, (x - x0) * (y1 - y), view_base, pair_ok, channel, channel_ok, map_height, map_width, CHANNELS,
            WIDEN_PAIRS,
        )
        result += _corner(
            maps_ptr, x0, y1, (x1 - x) * (y - y0), view_base, pair_ok, channel, channel_ok, map_height, map_width, CHANNELS,
            WIDEN_PAIRS,
        )
        result += _corner(
            maps_ptr, x1, y1, (x - x0) * (y - y0), view_base, pair_ok, channel, channel_ok, map_height, map_width, CHANNELS,
            WIDEN_PAIRS,
        )
        return result

    @triton.autotune(
        configs=_launch_configs(WIDE_SHAPES + NARROW_SHAPES), key=["VIEWS", "CHANNELS"],
        prune_configs_by={"early_config_prune": launches_for_channels},
    )
    @triton.jit
    def _sample_kernel(
        maps_ptr, uv_ptr, out_ptr, pairs, points, map_height, map_width,
        VIEWS: tl.constexpr, CHANNELS: tl.constexpr, OUT_STRIDE: tl.constexpr, WIDEN_PAIRS: tl.constexpr,
        BLOCK_PAIRS: tl.constexpr, BLOCK_CHANNELS: tl.constexpr,
    ):
        """``maps`` ``(views, h, w, C)``; ``uv`` ``(views, points, 2)`` grid coordinates; ``out``: the first ``C``
        columns of ``(points, views, OUT_STRIDE)`` rows."""
        pair = tl.program_id(0).to(tl.int64) * BLOCK_PAIRS + tl.arange(0, BLOCK_PAIRS)  # output row: point * VIEWS + view
        channel = tl.program_id(1) * BLOCK_CHANNELS + tl.arange(0, BLOCK_CHANNELS)
        pair_ok = pair < pairs
        channel_ok = channel < CHANNELS
        point = pair // VIEWS
        view = pair % VIEWS
        u = tl.load(uv_ptr + (view * points + point) * 2, mask=pair_ok, other=0.0).to(tl.float32)
        v = tl.load(uv_ptr + (view * points + point) * 2 + 1, mask=pair_ok, other=0.0).to(tl.float32)
        result = _bilinear(
            maps_ptr, u[:, None], v[:, None], view[:, None], pair_ok[:, None], channel[None, :], channel_ok[None, :],
            map_height, map_width, CHANNELS, WIDEN_PAIRS,
        )
        tl.store(
            out_ptr + pair[:, None] * OUT_STRIDE + channel[None, :], result.to(out_ptr.dtype.element_ty),
            mask=pair_ok[:, None] & channel_ok[None, :],
        )

    @triton.autotune(configs=_launch_configs(WIDE_SHAPES), key=["SAMPLES", "VIEWS", "CHANNELS", "GROUPS"])
    @triton.jit
    def _sample_and_contract_kernel(
        maps_ptr, uv_ptr, weight_ptr, out_ptr, rays, map_height, map_width,
        SAMPLES: tl.constexpr, VIEWS: tl.constexpr, CHANNELS: tl.constexpr, GROUPS: tl.constexpr,
        WIDEN_PAIRS: tl.constexpr, BLOCK_PAIRS: tl.constexpr, BLOCK_CHANNELS: tl.constexpr,
    ):
        """``maps`` ``(views, h, w, C)``; ``uv`` ``(views, rays, samples, 2)`` grid coordinates; ``weight`` ``(rays, samples, views,
        GROUPS)`` float32; ``out`` ``(rays, C)`` float32: ``sum_{samples, views} weight[..., c // (C / GROUPS)] X[..., c]``."""
        ray = tl.program_id(0)
        channel = tl.program_id(1) * BLOCK_CHANNELS + tl.arange(0, BLOCK_CHANNELS)
        channel_ok = channel < CHANNELS
        group = channel // (CHANNELS // GROUPS)
        acc = tl.zeros((BLOCK_PAIRS, BLOCK_CHANNELS), tl.float32)
        for first in range(0, SAMPLES * VIEWS, BLOCK_PAIRS):
            pair = first + tl.arange(0, BLOCK_PAIRS)  # sample * VIEWS + view, the weight's order
            pair_ok = pair < SAMPLES * VIEWS
            sample = pair // VIEWS
            view = pair % VIEWS
            uv_offset = ((view.to(tl.int64) * rays + ray) * SAMPLES + sample) * 2
            u = tl.load(uv_ptr + uv_offset, mask=pair_ok, other=0.0).to(tl.float32)
            v = tl.load(uv_ptr + uv_offset + 1, mask=pair_ok, other=0.0).to(tl.float32)
            sampled = _bilinear(
                maps_ptr, u[:, None], v[:, None], view[:, None], pair_ok[:, None], channel[None, :], channel_ok[None, :],
                map_height, map_width, CHANNELS, WIDEN_PAIRS,
            )
            weight = tl.load(
                weight_ptr + ray.to(tl.int64) * (SAMPLES * VIEWS * GROUPS) + pair[:, None] * GROUPS + group[None, :],
                mask=pair_ok[:, None] & channel_ok[None, :], other=0.0,
            )
            acc += sampled * weight
        tl.store(out_ptr + ray.to(tl.int64) * CHANNELS + channel, tl.sum(acc, axis=0), mask=channel_ok)


def widens_pairs(feature_maps: torch.Tensor) -> bool:
    """Whether the sampling kernels take ``feature_maps``' values to float32 a pair at a time
    (:func:`gpnerf.model.triton_support.widen_bf16`'s inline form): bf16 maps, outside the interpreter."""
    return feature_maps.dtype == torch.bfloat16 and inline_ptx()


def check_maps(feature_maps: torch.Tensor, caller: str) -> None:
    if not fused_sampling_supported(feature_maps):
        raise ValueError(
            f"{caller} needs Triton, CUDA maps (views, C, h, w) in float32/bf16/fp16 without autograd; "
            f"got {tuple(feature_maps.shape)} {feature_maps.dtype} on {feature_maps.device} "
            f"(requires_grad={feature_maps.requires_grad}). Check fused_sampling_supported first."
        )


def channels_last(feature_maps: torch.Tensor) -> torch.Tensor:
    """``(views, C, h, w)`` maps as the kernels read them, ``(views, h, w, C)`` contiguous: one neighbour = C contiguous
    values. A view (no copy) of maps in :func:`laid_out_for_sampling`'s layout."""
    return feature_maps.permute(0, 2, 3, 1).contiguous()


def laid_out_for_sampling(feature_maps: torch.Tensor) -> torch.Tensor:
    """``(views, C, h, w)`` maps in PyTorch's channels-last memory format: the same values, laid out as the kernels
    read them, so that :func:`channels_last` copies nothing. A render lays its maps out so once a frame instead of
    once a launch (five launches a chunk)."""
    return feature_maps.contiguous(memory_format=torch.channels_last)


def kernel_grid(uv_pix: torch.Tensor, image_height: int, image_width: int) -> torch.Tensor:
    """``(views, rays, samples, 2)`` pixel coordinates as the kernels read them: ``grid_sample``'s float32 grid in
    ``[-1, 1]``, contiguous; :func:`gpnerf.model.projection.sampling_grid` of the float32 coordinates bit for bit
    (the same float32 product and difference) in three kernels instead of its five (two products, two differences
    and the stack). Where dynamo traces it (the fold's contraction is compiled) it is ``sampling_grid`` itself,
    which inductor fuses into one kernel: the writes into the grid's strided halves made it fall back to three
    kernels of PyTorch's there (58 us a chunk against 15 us in the thirty-sixth run's H100 trace)."""
    if torch.compiler.is_compiling():
        return sampling_grid(uv_pix.float(), image_height, image_width)
    u_scale, v_scale = grid_scales(image_height, image_width)
    uv_pix = uv_pix.float()
    grid = torch.empty(uv_pix.shape, dtype=torch.float32, device=uv_pix.device)
    torch.mul(uv_pix[..., 0], u_scale, out=grid[..., 0])
    torch.mul(uv_pix[..., 1], v_scale, out=grid[..., 1])
    return grid.sub_(1.0)


def sample_feature_maps_fused(
    feature_maps: torch.Tensor | Sequence[torch.Tensor], uv_pix: torch.Tensor, image_height: int, image_width: int,
    out_dtype: torch.dtype,
) -> torch.Tensor:
    """:func:`gpnerf.model.projection.sample_feature_maps` with ``full_precision_grid``, cast to ``out_dtype``; given
    several maps, their samples concatenated along channels (written in place: no ``torch.cat``).

    Args:
        feature_maps: ``(views, C, h, w)`` at any resolution covering the ``image_height x image_width`` image, or a
            sequence of such maps (``C`` and ``h x w`` may differ; same views).
        uv_pix: ``(views, rays, samples, 2)`` pixel coordinates.
        out_dtype: dtype of the result (sampled in float32, rounded once).

    Returns:
        ``(rays, samples, views, sum C)``; points outside the image read zeros.
    """
    maps = [feature_maps] if isinstance(feature_maps, torch.Tensor) else list(feature_maps)
    for m in maps:
        check_maps(m, "sample_feature_maps_fused")
    views = maps[0].shape[0]
    if any(m.shape[0] != views for m in maps):
        raise ValueError(f"all maps must have the same number of views; got shapes {[tuple(m.shape) for m in maps]}.")
    _, rays, samples, _ = uv_pix.shape
    points = rays * samples
    width = sum(m.shape[1] for m in maps)
    out = torch.empty(rays, samples, views, width, device=maps[0].device, dtype=out_dtype)
    coordinates = kernel_grid(uv_pix, image_height, image_width)
    first = 0
    for m in maps:
        _, channels, map_height, map_width = m.shape

        def grid(launch: dict, channels: int = channels) -> tuple[int, int]:
            return triton.cdiv(points * views, launch["BLOCK_PAIRS"]), triton.cdiv(channels, launch["BLOCK_CHANNELS"])

        _sample_kernel[grid](
            channels_last(m), coordinates, out[..., first:], points * views, points, map_height, map_width,
            VIEWS=views, CHANNELS=channels, OUT_STRIDE=width, WIDEN_PAIRS=widens_pairs(m),
        )
        first += channels
    return out


def stored_dtype(feature_maps: torch.Tensor) -> torch.dtype:
    """The dtype the fast path stores features sampled from ``feature_maps`` in: the autocast dtype under autocast
    (the ``Linear`` layers that read them cast to it anyway, so rounding here changes nothing), else at least
    float32 (the maps are sampled in float32)."""
    device_type = feature_maps.device.type
    if torch.is_autocast_enabled(device_type):
        return torch.get_autocast_dtype(device_type)
    return torch.promote_types(feature_maps.dtype, torch.float32)


def sample_and_contract_fused(
    feature_maps: torch.Tensor, uv_pix: torch.Tensor, weight: torch.Tensor, image_height: int, image_width: int
) -> torch.Tensor:
    """``sum_{samples, views} weight X`` without forming X, the sampled maps (the semantic fold's rendered term).

    ``X = sample_feature_maps(feature_maps, uv_pix, ..., full_precision_grid=True)`` ``(rays, samples, views, C)``
    is sampled in float32 and contracted on chip: each program takes one ray and a block of channels and walks the
    ray's ``samples x views`` pairs, so the ``(rays, samples, views, C)`` tensor is never written.

    Args:
        feature_maps: ``(views, C, h, w)`` at any resolution covering the ``image_height x image_width`` image.
        uv_pix: ``(views, rays, samples, 2)`` pixel coordinates.
        weight: ``(rays, samples, views, groups)``, one weight per group of ``C / groups`` consecutive channels.

    Returns:
        ``(rays, groups, C / groups)`` float32 (``einsum("rsvgk,rsvg->rgk")`` of X split into groups).
    """
    check_maps(feature_maps, "sample_and_contract_fused")
    views, channels, map_height, map_width = feature_maps.shape
    _, rays, samples, _ = uv_pix.shape
    groups = weight.shape[-1]
    if weight.shape != (rays, samples, views, groups) or channels % groups != 0:
        raise ValueError(
            f"weight must be (rays, samples, views, groups) = ({rays}, {samples}, {views}, groups) with groups "
            f"dividing the {channels} channels; got {tuple(weight.shape)}."
        )
    out = torch.empty(rays, channels, device=feature_maps.device, dtype=torch.float32)

    def grid(launch: dict) -> tuple[int, int]:
        return rays, triton.cdiv(channels, launch["BLOCK_CHANNELS"])

    _sample_and_contract_kernel[grid](
        channels_last(feature_maps), kernel_grid(uv_pix, image_height, image_width), weight.float().contiguous(), out,
        rays, map_height, map_width,
        SAMPLES=samples, VIEWS=views, CHANNELS=channels, GROUPS=groups, WIDEN_PAIRS=widens_pairs(feature_maps),
    )
    return out.unflatten(-1, (groups, channels // groups))


@dataclass
class DeferredSamples:
    """X = the maps sampled at the points, not yet sampled: the fast path's semantic tokens at inference when the
    semantic field is not needed (:func:`gpnerf.model.folded_semantics.fold_semantic_path` contracts it directly).

    Attributes:
        maps: ``(views, C, h, w)`` detached semantic maps (CUDA, or any device under the Triton interpreter).
        uv_pix: ``(views, rays, samples, 2)`` pixel coordinates of the ``image_height x image_width`` image.
        dtype: the dtype X would have been stored in (the autocast dtype, else float32), that of the contraction.
    """

    maps: torch.Tensor
    uv_pix: torch.Tensor
    image_height: int
    image_width: int
    dtype: torch.dtype

    @property
    def channels(self) -> int:
        return self.maps.shape[1]

    def contract(self, weight: torch.Tensor) -> torch.Tensor:
        """``einsum("rsvgk,rsvg->rgk", X split into groups, weight)`` ``(rays, groups, C / groups)`` in ``dtype``;
        ``weight`` ``(rays, samples, views, groups)``."""
        contracted = sample_and_contract_fused(self.maps, self.uv_pix, weight, self.image_height, self.image_width)
        return contracted.to(self.dtype)

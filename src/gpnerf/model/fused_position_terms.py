"""The q_fcs' PE(x) terms, ``PE(x) W_x^T`` for every q_fc at once (:func:`gpnerf.model.transformer.project_positions`),
in one Triton kernel at inference (fast path with ``fused_kernels``; docs/performance.md).

With PyTorch ops the points are encoded (``(rays, samples, 3 (1 + 2F))`` float32 written, the concatenation of the
point and the sines and cosines of its octaves), padded to a multiple of 8 columns (another copy), cast to the compute
dtype (another) and multiplied by the q_fcs' ``W_x``: 4.4 ms of a 320 x 240 frame before the product itself in the
twenty-sixth run's render trace. Here one program takes a block of points, encodes them on chip (each point's three
coordinates loaded once; the octaves scaled by powers of two, exact as in
:class:`gpnerf.model.posenc.PositionalEncoding`) and multiplies them by ``W_x`` a block of columns at a time, writing
only the terms.

The encoding in float32 with ``tl.sin`` / ``tl.cos`` (libdevice's ``sinf`` / ``cosf`` for sm_90, the functions PyTorch's
CUDA kernels call), rounded to the compute dtype as autocast rounds a Linear's input; the product with float32
accumulation (exact float32 products for float32), its output rounded to the compute dtype as a Linear's:
tests/model/test_fused_position_terms.py states the tolerances.
"""

import torch
from torch import nn

from gpnerf.model.triton_support import (
    compute_dtype, kernel_matrix, kernels_can_run_on, launch_configs, padded, tl, triton,
)


def position_terms_supported(xyz_world: torch.Tensor) -> bool:
    """Whether the kernel can encode ``xyz_world`` ``(rays, samples, 3)``: Triton installed, a float32 CUDA tensor (any
    device under the Triton interpreter)."""
    return (
        kernels_can_run_on(xyz_world) and xyz_world.dim() == 3 and xyz_world.shape[-1] == 3
        and xyz_world.dtype == torch.float32
    )


def position_weight(q_fcs: nn.ModuleList, d_pe: int, dtype: torch.dtype) -> torch.Tensor:
    """``(len(q_fcs) d_rgb, d_pe)`` the q_fcs' first-layer columns that read PE(x), stacked (q_fc ``k``'s rows
    ``[k d_rgb, (k + 1) d_rgb)``), in the compute ``dtype``: the kernel's weight, made once a frame by the caller."""
    d_rgb = q_fcs[0][0].weight.shape[1] - 2 * d_pe
    return kernel_matrix(torch.cat([q_fc[0].weight[:, d_rgb:d_rgb + d_pe] for q_fc in q_fcs]), dtype)


HALF_SHAPES = ((32, 64, 4), (64, 64, 4), (64, 128, 4), (128, 64, 8), (128, 128, 8), (16, 64, 2))
"""``(BLOCK_POINTS, BLOCK_COLUMNS, warps)`` launches computing in bf16 / fp16: no spills for sm_90 at the presets'
widths (120-199 registers, ``benchmarks/kernel_registers.py``-style ptxas counts, 2026-12-05)."""

FLOAT32_SHAPES = ((16, 16, 4), (16, 32, 4), (32, 16, 4), (16, 16, 2))
"""Launches computing in float32 (exact float32 products, no tensor cores): the half shapes spill there (748 bytes
to 170 KB), these do not (165-180 registers)."""


def _launch_configs() -> list:
    return launch_configs(
        {"BLOCK_POINTS": 16, "BLOCK_COLUMNS": 16},
        [({"BLOCK_POINTS": p, "BLOCK_COLUMNS": c}, w) for p, c, w in HALF_SHAPES + FLOAT32_SHAPES],
    )


def launches_for_dtype(configs: list, named_args: dict, **constants) -> list:
    """:data:`FLOAT32_SHAPES` for float32 launches (``IEEE``), :data:`HALF_SHAPES` otherwise (the interpreter's single
    configuration as it is)."""
    wanted = FLOAT32_SHAPES if constants["IEEE"] else HALF_SHAPES
    kept = [c for c in configs if (c.kwargs["BLOCK_POINTS"], c.kwargs["BLOCK_COLUMNS"], c.num_warps) in wanted]
    return kept or configs


if triton is not None:
    from gpnerf.model.triton_support import dot

    @triton.autotune(
        configs=_launch_configs(), key=["COLUMNS", "D_PE", "D_PE_PAD", "IEEE"],
        prune_configs_by={"early_config_prune": launches_for_dtype},
    )
    @triton.jit
    def _position_terms_kernel(
        xyz_ptr, w_ptr, out_ptr, points,
        COLUMNS: tl.constexpr, D_PE: tl.constexpr, D_PE_PAD: tl.constexpr, IEEE: tl.constexpr,
        BLOCK_POINTS: tl.constexpr, BLOCK_COLUMNS: tl.constexpr,
    ):
        """One program: ``BLOCK_POINTS`` points of ``xyz`` ``(points, 3)`` float32 encoded once, ``(BLOCK_POINTS,
        D_PE_PAD)`` (zero past ``D_PE``), times ``w`` ``(COLUMNS, D_PE)`` transposed, ``BLOCK_COLUMNS`` columns at a
        time, into ``out`` ``(points, COLUMNS)``."""
        point = tl.program_id(0).to(tl.int64) * BLOCK_POINTS + tl.arange(0, BLOCK_POINTS)
        point_ok = point < points
        feature = tl.arange(0, D_PE_PAD)
        # PositionalEncoding's order: [x, sin(2^0 x), cos(2^0 x), ..., sin(2^(F-1) x), cos(2^(F-1) x)], 3 values each
        octave_feature = tl.maximum(feature - 3, 0)
        coordinate = tl.where(feature < 3, feature, octave_feature % 3)
        octave = tl.where(feature < 3, 0, octave_feature // 6)
        cosine = (feature >= 3) & (octave_feature % 6 >= 3)
        x = tl.load(
            xyz_ptr + point[:, None] * 3 + coordinate[None, :], mask=point_ok[:, None] & (feature < D_PE)[None, :],
            other=0.0,
        )  # (BLOCK_POINTS, D_PE_PAD)
        scaled = x * (1 << octave).to(tl.float32)[None, :]  # a power of two: exact
        encoded = tl.where(cosine[None, :], tl.cos(scaled), tl.sin(scaled))
        encoded = tl.where((feature < 3)[None, :], x, encoded)
        encoded = tl.where((feature < D_PE)[None, :], encoded, 0.0).to(w_ptr.dtype.element_ty)  # a Linear's input
        inputs = feature[:, None]
        for start in tl.static_range(0, COLUMNS, BLOCK_COLUMNS):
            column = start + tl.arange(0, BLOCK_COLUMNS)
            column_ok = column < COLUMNS
            w = tl.load(w_ptr + column[None, :] * D_PE + inputs, mask=(inputs < D_PE) & column_ok[None, :], other=0.0)
            terms = dot(encoded, w, IEEE)  # (BLOCK_POINTS, BLOCK_COLUMNS) float32
            tl.store(
                out_ptr + point[:, None] * COLUMNS + column[None, :], terms.to(out_ptr.dtype.element_ty),
                mask=point_ok[:, None] & column_ok[None, :],
            )


def kernel_arguments(
    xyz_world: torch.Tensor, weight: torch.Tensor, num_frequencies: int
) -> tuple[list, dict, int]:
    """The kernel's runtime arguments (output allocated in ``weight``'s dtype), its compile-time constants and its
    point count, for :func:`position_terms_fused`'s arguments (no launch: any device)."""
    rays, samples, _ = xyz_world.shape
    d_pe = 3 * (1 + 2 * num_frequencies)
    if weight.dim() != 2 or weight.shape[1] != d_pe:
        raise ValueError(
            f"position_terms_fused: weight must be (columns, {d_pe}) for {num_frequencies} frequencies; got "
            f"{tuple(weight.shape)}. Make it with position_weight."
        )
    columns = weight.shape[0]
    out = torch.empty(rays, samples, columns, device=xyz_world.device, dtype=weight.dtype)
    points = rays * samples
    arguments = [xyz_world.contiguous(), weight, out, points]
    constants = dict(COLUMNS=columns, D_PE=d_pe, D_PE_PAD=padded(d_pe), IEEE=weight.dtype == torch.float32)
    return arguments, constants, points


def position_terms_fused(xyz_world: torch.Tensor, weight: torch.Tensor, num_frequencies: int) -> torch.Tensor:
    """``PositionalEncoding(num_frequencies)(xyz_world) @ weight.T`` in one kernel launch (module docstring).

    Args:
        xyz_world: ``(rays, samples, 3)`` float32 points.
        weight: ``(columns, 3 (1 + 2 num_frequencies))`` from :func:`position_weight`, in the compute dtype (the
            autocast dtype under autocast, else float32).
        num_frequencies: the encoding's octaves.

    Returns:
        ``(rays, samples, columns)`` in ``weight``'s dtype: :func:`gpnerf.model.transformer.project_positions`' PE(x)
        terms.
    """
    if not position_terms_supported(xyz_world):
        raise ValueError(
            f"position_terms_fused needs Triton and float32 CUDA points (rays, samples, 3); got "
            f"{tuple(xyz_world.shape)} {xyz_world.dtype} on {xyz_world.device}. Check position_terms_supported first."
        )
    if weight.dtype != compute_dtype(xyz_world, torch.float32):
        raise ValueError(
            f"position_terms_fused: weight in {weight.dtype}, but the launch computes in "
            f"{compute_dtype(xyz_world, torch.float32)}. Make it with position_weight under the launch's autocast."
        )
    arguments, constants, points = kernel_arguments(xyz_world, weight, num_frequencies)

    def grid(launch: dict) -> tuple[int]:
        return (triton.cdiv(points, launch["BLOCK_POINTS"]),)

    _position_terms_kernel[grid](*arguments, **constants)
    return arguments[2]

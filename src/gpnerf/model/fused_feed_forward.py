"""One Triton kernel for the tail of a FAT or RAT block at inference (fast path; docs/performance.md).

Both blocks end the same way (GNT): ``y = x + out_fc(attended)``, then ``y + ff(ff_norm(y))`` with the
feed-forward ``Linear(d, m d) -> ReLU -> Linear(m d, d)``. With PyTorch ops that is an output projection, a
residual add, a LayerNorm, two GEMMs with a separate bias-and-ReLU pass and another add: the ``m d``-wide
hidden layer (4x the row) is written and read back twice, and each step is a kernel of its own. Here a
program takes a block of rows and keeps everything on chip, the hidden layer included (built and consumed
in slices of its width), reading ``x`` and ``attended`` and writing the block's output once.

Where a q_fc follows the block (the FAT blocks of the layers that re-inject the positions, fast path), the kernel
applies it too (``query_update``): ``q_fc[2](relu(q_fc[0]'s q part + position terms + b))`` on the block's output
rows (:func:`gpnerf.model.transformer.update_query_projected`, whose position terms come from one product per pass),
so the update's two products and its bias-and-ReLU pass are not three kernels of their own and the block's output
is not written and read back in between.

Inference only (no autograd, no dropout). The rounding follows autocast's: the products run in the compute
dtype (the autocast dtype, else the inputs') with float32 accumulation and each Linear's output is rounded to
it; the LayerNorm runs in float32; the residual stream keeps the dtype PyTorch's additions give it. So the
kernel and the PyTorch ops differ by the order of float32 sums (tests/model/test_fused_feed_forward.py states
the tolerances). :func:`fused_block_tail_supported` says when the kernel applies; otherwise callers keep the
PyTorch ops.
"""

from dataclasses import dataclass

import torch
from torch import nn

from gpnerf.model import triton_support
from gpnerf.model.triton_support import (
    MIN_DOT, PreparedWeights, kernel_matrix, kernel_vector, kernels_can_run_on, launch_configs, tl, triton,
)

HIDDEN_SLICES = (64, 32, 16)
"""Widths of the hidden-layer slices the kernel builds and consumes in turn (the largest dividing the hidden width)."""


def fused_block_tail_supported(x: torch.Tensor, ff: nn.Sequential) -> bool:
    """Whether the kernel can run on a block's residual input ``x`` ``(rows, d)`` with feed-forward ``ff``: Triton
    installed, a CUDA tensor (or any tensor under the Triton interpreter, ``TRITON_INTERPRET=1``, which the CPU
    tests use), ``d`` a power of two >= 16 (at most 128: one row block stays on chip), the hidden width a multiple
    of 16, float32 / bf16 / fp16."""
    if not kernels_can_run_on(x) or x.dim() != 2:
        return False
    d, hidden = x.shape[1], ff[0].out_features
    return (
        MIN_DOT <= d <= 128 and d & (d - 1) == 0 and hidden % MIN_DOT == 0
        and x.dtype in (torch.float32, torch.bfloat16, torch.float16)
    )


@dataclass
class QueryUpdate:
    """A q_fc applied to a block's output rows (:func:`gpnerf.model.transformer.update_query_projected`).

    Attributes:
        q_fc: ``Linear(d + 2 d_pe, d) -> ReLU -> Linear(d, d)``; its first layer's first ``d`` columns read the rows.
        point_terms: ``(rows, d)`` the first layer's PE(x) terms for these rows (rows may be strided, channels
            contiguous: a slice of all q_fcs' terms).
        ray_terms: ``(rays, d)`` its PE(d) terms, one row per ray, each ray ``rows / rays`` consecutive rows (strided
            and contiguous as ``point_terms``); the kernel adds them to ``point_terms``, rounded as PyTorch's sum of
            the two (:func:`gpnerf.model.transformer.update_query_projected`).
        prepared: ``q_fc``'s weights made once by :func:`prepare_update_weights`, or None (made at the launch).
    """

    q_fc: nn.Sequential
    point_terms: torch.Tensor
    ray_terms: torch.Tensor
    prepared: PreparedWeights | None = None


LAUNCH_SHAPES = ((32, 4), (64, 4), (64, 8), (128, 4), (128, 8))
"""Rows per program x warps, tried once per (d, hidden, dtypes) by Triton's autotuner."""


def launch_parameters(shape: tuple[int, ...]) -> tuple[dict, int]:
    """A :data:`LAUNCH_SHAPES` entry as the kernel's meta-parameters and its warps."""
    rows, warps = shape
    return {"BLOCK_ROWS": rows}, warps


def launch_grid(rows: int, meta: dict) -> tuple[int]:
    """Programs to launch for ``rows`` rows: one per block of ``BLOCK_ROWS``."""
    return (triton.cdiv(rows, meta["BLOCK_ROWS"]),)


if triton is not None:
    from gpnerf.model.triton_support import dot, relu_to

    @triton.jit
    def _weight_slice(w_ptr, IN: tl.constexpr, first_out, OUT_SLICE: tl.constexpr, IN_OFFSET, IN_SLICE: tl.constexpr):
        """Rows ``[first_out, first_out + OUT_SLICE)`` and columns ``[IN_OFFSET, IN_OFFSET + IN_SLICE)`` of an
        nn.Linear weight ``(OUT, IN)``, as the ``(IN_SLICE, OUT_SLICE)`` right operand."""
        rows = tl.arange(0, IN_SLICE)[:, None] + IN_OFFSET
        cols = tl.arange(0, OUT_SLICE)[None, :] + first_out
        return tl.load(w_ptr + cols * IN + rows)

    @triton.autotune(
        configs=launch_configs({"BLOCK_ROWS": 16}, [launch_parameters(shape) for shape in LAUNCH_SHAPES]),
        key=["D", "HIDDEN", "IEEE"],
    )
    @triton.jit
    def _fused_block_tail_kernel(
        x_ptr, attended_ptr, out_w_ptr, out_b_ptr, norm_w_ptr, norm_b_ptr, ff_in_w_ptr, ff_in_b_ptr,
        ff_out_w_ptr, ff_out_b_ptr, update_in_w_ptr, update_in_b_ptr, terms_ptr, update_out_w_ptr, update_out_b_ptr,
        result_ptr,
        rows, terms_stride, ray_terms_ptr, ray_terms_stride, rows_per_ray,
        D: tl.constexpr, HIDDEN: tl.constexpr, SLICE: tl.constexpr, EPS: tl.constexpr, BLOCK_ROWS: tl.constexpr,
        IEEE: tl.constexpr, PAIRED_RELU: tl.constexpr, QUERY_UPDATE: tl.constexpr,
    ):
        """One program: ``BLOCK_ROWS`` rows through out_fc, the residual, ff_norm, ff and the residual, then (with
        ``QUERY_UPDATE``) the q_fc: its first layer's q part (``update_in_w``, ``(D, D)``) plus the rows' position
        terms (``terms_ptr``, a row every ``terms_stride`` elements, plus the row's ray's, ``ray_terms_ptr``, a ray
        every ``ray_terms_stride`` elements and ``rows_per_ray`` rows, the sum rounded) plus its bias, the ReLU and
        its second layer, rounded where autocast's ops round."""
        row = tl.program_id(0).to(tl.int64) * BLOCK_ROWS + tl.arange(0, BLOCK_ROWS)
        row_ok = row[:, None] < rows
        ch = tl.arange(0, D)
        offsets = row[:, None] * D + ch[None, :]
        compute = out_w_ptr.dtype.element_ty
        stream = result_ptr.dtype.element_ty
        attended = tl.load(attended_ptr + offsets, mask=row_ok, other=0.0).to(compute)
        projected = dot(attended, _weight_slice(out_w_ptr, D, 0, D, 0, D), IEEE) + tl.load(out_b_ptr + ch)[None, :]
        x = tl.load(x_ptr + offsets, mask=row_ok, other=0.0).to(tl.float32)
        y = (x + projected.to(compute).to(tl.float32)).to(stream).to(tl.float32)  # x + out_fc(attended)
        mean = tl.sum(y, axis=1) / D
        centred = y - mean[:, None]
        variance = tl.sum(centred * centred, axis=1) / D
        normed = centred * tl.rsqrt(variance + EPS)[:, None] * tl.load(norm_w_ptr + ch)[None, :] + tl.load(norm_b_ptr + ch)[None, :]
        normed = normed.to(compute)
        acc = tl.zeros((BLOCK_ROWS, D), tl.float32)
        for first in range(0, HIDDEN, SLICE):  # the hidden layer one slice at a time, never in memory
            hidden = dot(normed, _weight_slice(ff_in_w_ptr, D, first, SLICE, 0, D), IEEE)
            hidden = hidden + tl.load(ff_in_b_ptr + first + tl.arange(0, SLICE))[None, :]
            hidden = relu_to(hidden, compute, PAIRED_RELU)  # = relu of the rounded output: rounding is monotonic
            acc += dot(hidden, _weight_slice(ff_out_w_ptr, HIDDEN, 0, D, first, SLICE), IEEE)
        fed = (acc + tl.load(ff_out_b_ptr + ch)[None, :]).to(compute).to(tl.float32)
        out = (y + fed).to(stream)
        if QUERY_UPDATE:  # Linear(q) in the compute dtype, + terms (a rounded sum), + bias (float32), ReLU, Linear
            linear = dot(out.to(compute), _weight_slice(update_in_w_ptr, D, 0, D, 0, D), IEEE).to(compute)
            terms = tl.load(terms_ptr + row[:, None] * terms_stride + ch[None, :], mask=row_ok, other=0.0)
            ray = row // rows_per_ray  # + the PE(d) terms of the row's ray, the sum rounded as PyTorch's add
            ray_terms = tl.load(ray_terms_ptr + ray[:, None] * ray_terms_stride + ch[None, :], mask=row_ok, other=0.0)
            terms = (terms.to(tl.float32) + ray_terms.to(tl.float32)).to(terms.dtype)
            summed = (linear.to(tl.float32) + terms.to(tl.float32)).to(compute).to(tl.float32)
            hidden = relu_to(summed + tl.load(update_in_b_ptr + ch)[None, :], compute, PAIRED_RELU)
            updated = dot(hidden, _weight_slice(update_out_w_ptr, D, 0, D, 0, D), IEEE) + tl.load(update_out_b_ptr + ch)[None, :]
            tl.store(result_ptr + offsets, updated.to(result_ptr.dtype.element_ty), mask=row_ok)
        else:
            tl.store(result_ptr + offsets, out, mask=row_ok)


def tuned_launch() -> str | None:
    """The launch configuration the autotuner chose last (rows per program, warps), or None before any run."""
    return None if triton is None else triton_support.tuned_launch(_fused_block_tail_kernel)


def prepare_weights(out_fc: nn.Linear, ff_norm: nn.LayerNorm, ff: nn.Sequential, dtype: torch.dtype) -> PreparedWeights:
    """A block tail's weights as the kernel's launches computing in ``dtype`` take them: out_fc's weight and bias,
    ff_norm's affine, ff's two layers (``ff[0]``, ``ff[3]``); matrices in ``dtype``, vectors in float32."""
    ff_in, ff_out = ff[0], ff[3]
    tensors = (
        kernel_matrix(out_fc.weight, dtype), kernel_vector(out_fc.bias), kernel_vector(ff_norm.weight),
        kernel_vector(ff_norm.bias), kernel_matrix(ff_in.weight, dtype), kernel_vector(ff_in.bias),
        kernel_matrix(ff_out.weight, dtype), kernel_vector(ff_out.bias),
    )
    return PreparedWeights(tensors, dtype, float(ff_norm.eps))


def prepare_update_weights(q_fc: nn.Sequential, d: int, dtype: torch.dtype) -> PreparedWeights:
    """A q_fc's weights as the kernel takes them (:class:`QueryUpdate`): its first layer's first ``d`` columns (the
    ones that read the rows) and bias, its second layer; matrices in ``dtype``, vectors in float32."""
    update_in, update_out = q_fc[0], q_fc[2]
    tensors = (
        kernel_matrix(update_in.weight[:, :d], dtype), kernel_vector(update_in.bias),
        kernel_matrix(update_out.weight, dtype), kernel_vector(update_out.bias),
    )
    return PreparedWeights(tensors, dtype)


FF_IN = 4
"""Where ff's first layer's weight sits in :func:`prepare_weights`' tensors."""


def kernel_arguments(
    x: torch.Tensor, attended: torch.Tensor, out_fc: nn.Linear, ff_norm: nn.LayerNorm, ff: nn.Sequential,
    compute_dtype: torch.dtype, query_update: QueryUpdate | None = None, prepared: PreparedWeights | None = None,
) -> tuple[list, dict]:
    """The kernel's runtime arguments (inputs made contiguous, weights in ``compute_dtype``, biases and the norm's
    affine in float32, the result allocated in the residual stream's dtype, or the compute dtype after a
    ``query_update``: a Linear's output) and its compile-time constants. ``prepared``: the block's weights made once
    by :func:`prepare_weights` (else made here from ``out_fc``, ``ff_norm`` and ``ff``)."""
    if prepared is None:
        prepared = prepare_weights(out_fc, ff_norm, ff, compute_dtype)
    weights = prepared.for_launch(compute_dtype, "fused_block_tail")
    hidden = weights[FF_IN].shape[0]
    stream = torch.promote_types(x.dtype, compute_dtype)  # the dtype of x + out_fc(attended)
    result = torch.empty(x.shape, device=x.device, dtype=stream if query_update is None else compute_dtype)
    if query_update is None:  # placeholders the kernel never reads
        update = [weights[1]] * 5
        terms_stride, ray_terms, ray_terms_stride, rows_per_ray = 0, weights[1], 0, 1
    else:
        terms, ray_terms = query_update.point_terms, query_update.ray_terms
        if stream != compute_dtype:  # the kernel takes the residual stream's dtype from the result's
            raise ValueError(f"a query_update needs the residual stream in the compute dtype {compute_dtype}; got x in "
                             f"{x.dtype}.")
        if terms.shape != x.shape or terms.stride(1) != 1:
            raise ValueError(f"query_update.point_terms must be {tuple(x.shape)} with contiguous channels; got "
                             f"{tuple(terms.shape)} with strides {terms.stride()}.")
        rays = ray_terms.shape[0]
        if (ray_terms.dim() != 2 or ray_terms.shape[1] != x.shape[1] or ray_terms.stride(1) != 1 or rays < 1
                or x.shape[0] % rays != 0 or ray_terms.dtype != terms.dtype):
            raise ValueError(f"query_update.ray_terms must be (rays, {x.shape[1]}) with contiguous channels, rays "
                             f"dividing the {x.shape[0]} rows, in the point terms' {terms.dtype}; got "
                             f"{tuple(ray_terms.shape)} {ray_terms.dtype} with strides {ray_terms.stride()}.")
        update_weights = query_update.prepared or prepare_update_weights(query_update.q_fc, x.shape[1], compute_dtype)
        update_in_w, update_in_b, update_out_w, update_out_b = update_weights.for_launch(compute_dtype, "QueryUpdate")
        update = [update_in_w, update_in_b, terms, update_out_w, update_out_b]
        terms_stride, ray_terms_stride, rows_per_ray = terms.stride(0), ray_terms.stride(0), x.shape[0] // rays
    arguments = [
        x.contiguous(), attended.contiguous(), *weights, *update, result, x.shape[0], terms_stride, ray_terms,
        ray_terms_stride, rows_per_ray,
    ]
    constants = dict(
        D=x.shape[1], HIDDEN=hidden, SLICE=next(s for s in HIDDEN_SLICES if hidden % s == 0), EPS=prepared.eps,
        IEEE=compute_dtype == torch.float32,
        PAIRED_RELU=compute_dtype == torch.bfloat16 and triton_support.inline_ptx(),
        QUERY_UPDATE=query_update is not None,
    )
    return arguments, constants


RESULT = 15
"""Where the result sits in :func:`kernel_arguments`' list."""


def fused_block_tail(
    x: torch.Tensor, attended: torch.Tensor, out_fc: nn.Linear, ff_norm: nn.LayerNorm, ff: nn.Sequential,
    query_update: QueryUpdate | None = None, prepared: PreparedWeights | None = None,
) -> torch.Tensor:
    """``y + ff(ff_norm(y))`` with ``y = x + out_fc(attended)`` in one kernel launch (module docstring).

    Args:
        x: ``(rows, d)`` the block's input (residual stream).
        attended: ``(rows, d)`` the attention's output, the input of ``out_fc``.
        out_fc, ff_norm, ff: the block's modules (``ff``: Linear, ReLU, Dropout, Linear, Dropout).
        query_update: a q_fc to apply to the result (module docstring), or None.
        prepared: the block's weights made once by :func:`prepare_weights` for the compute dtype, or None (made
            here).

    Returns:
        ``(rows, d)`` in the dtype PyTorch's ops would give (``x``'s promoted with the compute dtype; after a
        ``query_update`` the compute dtype).
    """
    if not fused_block_tail_supported(x, ff) or attended.shape != x.shape:
        raise ValueError(
            f"fused_block_tail needs Triton and CUDA x and attended of one shape (rows, d) with d a power of two in "
            f"[16, 128] and a hidden width divisible by 16, in float32/bf16/fp16; got {tuple(x.shape)} and "
            f"{tuple(attended.shape)} {x.dtype} on {x.device}. Check fused_block_tail_supported first."
        )
    compute_dtype = triton_support.compute_dtype(x, torch.promote_types(x.dtype, attended.dtype))
    arguments, constants = kernel_arguments(x, attended, out_fc, ff_norm, ff, compute_dtype, query_update, prepared)
    rows = x.shape[0]

    def grid(launch: dict) -> tuple[int]:
        return launch_grid(rows, launch)

    _fused_block_tail_kernel[grid](*arguments, **constants)
    return arguments[RESULT]

"""One Triton kernel for the stack's input embedding at inference (fast path; docs/performance.md).

The stack starts from ``X_rgb = rgbfeat_fc(tokens)`` (``Linear(d_in, d) -> ReLU -> Linear(d, d)`` on each
point's sampled RGB + F^rgb per view) and ``X_0 = max_views X_rgb``. With PyTorch ops that is a matrix product
with ``K = d_in`` (35: 3 colours + 32 features, an unaligned operand that cuBLAS runs with its slowest kernels),
a separate bias-and-ReLU pass, a second product and a reduction over views that reads ``X_rgb`` back. Here one
program takes a block of points and walks their views, keeping the hidden layer on chip and the running max in
registers: it reads the tokens once and writes ``X_rgb`` and ``X_0`` once.

Inference only (no autograd; the module has no dropout). The rounding follows autocast's: the products run in the
compute dtype (the autocast dtype, else float32) with float32 accumulation and each Linear's output is rounded to
it, the ReLU and the max are exact. So the kernel and the PyTorch ops differ by the order of float32 sums only
(tests/model/test_fused_embedding.py). :func:`fused_embedding_supported` says when the kernel applies; otherwise
callers keep the PyTorch ops.
"""

import torch
from torch import nn

from gpnerf.model import triton_support
from gpnerf.model.triton_support import (
    MIN_DOT, kernel_matrix, kernel_vector, kernels_can_run_on, launch_configs, padded, tl, triton,
)


def fused_embedding_supported(tokens: torch.Tensor, rgbfeat_fc: nn.Sequential) -> bool:
    """Whether the kernel can embed ``tokens`` ``(points, views, d_in)`` with ``rgbfeat_fc`` (Linear, ReLU, Linear):
    Triton installed, a CUDA tensor (or any tensor under the Triton interpreter, ``TRITON_INTERPRET=1``, which the
    CPU tests use), ``d_in`` at most 128, the width ``d`` a power of two in [16, 128], float32 / bf16 / fp16."""
    if not kernels_can_run_on(tokens) or tokens.dim() != 3 or tokens.shape[1] < 1:
        return False
    d = rgbfeat_fc[0].out_features
    return (
        tokens.shape[2] <= 128 and MIN_DOT <= d <= 128 and d & (d - 1) == 0
        and tokens.dtype in (torch.float32, torch.bfloat16, torch.float16)
    )


LAUNCH_SHAPES = ((32, 4), (64, 4), (64, 8), (128, 4), (128, 8))
"""Points per program x warps, tried once per (views, widths, dtypes) by Triton's autotuner."""


if triton is not None:
    from gpnerf.model.triton_support import dot, relu_to, round_to_bf16

    @triton.autotune(
        configs=launch_configs({"BLOCK_POINTS": 16}, [({"BLOCK_POINTS": points}, warps) for points, warps in LAUNCH_SHAPES]),
        key=["VIEWS", "D_IN", "D", "IEEE"],
    )
    @triton.jit
    def _fused_embedding_kernel(
        tokens_ptr, in_w_ptr, in_b_ptr, out_w_ptr, out_b_ptr, embedded_ptr, query_ptr,
        points,
        VIEWS: tl.constexpr, D_IN: tl.constexpr, D_IN_PAD: tl.constexpr, D: tl.constexpr, BLOCK_POINTS: tl.constexpr,
        IEEE: tl.constexpr, PAIRED: tl.constexpr,
    ):
        """One program: ``BLOCK_POINTS`` points, their views one after another through both layers; the max over
        views runs along."""
        point = tl.program_id(0).to(tl.int64) * BLOCK_POINTS + tl.arange(0, BLOCK_POINTS)
        point_ok = point[:, None] < points
        source = tokens_ptr + point * (VIEWS * D_IN)
        ch = tl.arange(0, D)
        inputs = tl.arange(0, D_IN_PAD)
        compute = embedded_ptr.dtype.element_ty
        in_w = tl.load(  # (D_IN_PAD, D) right operand of nn.Linear(D_IN, D), zero rows past D_IN
            in_w_ptr + ch[None, :] * D_IN + inputs[:, None], mask=inputs[:, None] < D_IN, other=0.0
        )
        out_w = tl.load(out_w_ptr + ch[None, :] * D + ch[:, None])  # (D, D) right operand of nn.Linear(D, D)
        in_b = tl.load(in_b_ptr + ch)
        out_b = tl.load(out_b_ptr + ch)
        peak = tl.full((BLOCK_POINTS, D), float("-inf"), tl.float32)
        for view in range(VIEWS):
            pair = point * VIEWS + view  # flat (point, view) index
            x = tl.load(
                source[:, None] + view * D_IN + inputs[None, :], mask=point_ok & (inputs[None, :] < D_IN), other=0.0
            ).to(compute)
            hidden = relu_to(dot(x, in_w, IEEE) + in_b[None, :], compute, PAIRED)  # = relu of the rounded output
            embedded = dot(hidden, out_w, IEEE) + out_b[None, :]
            if PAIRED:  # rounded like a Linear output
                embedded, rounded = round_to_bf16(embedded, True)
            else:
                embedded = embedded.to(compute)
                rounded = embedded.to(tl.float32)
            tl.store(embedded_ptr + pair[:, None] * D + ch[None, :], embedded, mask=point_ok)
            peak = tl.maximum(peak, rounded)
        tl.store(query_ptr + point[:, None] * D + ch[None, :], peak.to(compute), mask=point_ok)


def tuned_launch() -> str | None:
    """The launch configuration the autotuner chose last (points per program, warps), or None before any run."""
    return None if triton is None else triton_support.tuned_launch(_fused_embedding_kernel)


def kernel_arguments(tokens: torch.Tensor, rgbfeat_fc: nn.Sequential, compute_dtype: torch.dtype) -> tuple[list, dict]:
    """The kernel's runtime arguments (tokens ``(points, views, d_in)`` made contiguous, weights in ``compute_dtype``,
    biases in float32, the outputs allocated in ``compute_dtype``) and its compile-time constants (no launch: any
    device)."""
    first, second = rgbfeat_fc[0], rgbfeat_fc[2]
    points, views, d_in = tokens.shape
    table = tokens.contiguous()
    d = first.out_features
    embedded = torch.empty(points, views, d, device=table.device, dtype=compute_dtype)
    query = torch.empty(points, d, device=table.device, dtype=compute_dtype)
    arguments = [
        table, kernel_matrix(first.weight, compute_dtype), kernel_vector(first.bias),
        kernel_matrix(second.weight, compute_dtype), kernel_vector(second.bias),
        embedded, query, points,
    ]
    constants = dict(
        VIEWS=views, D_IN=d_in, D_IN_PAD=padded(d_in), D=d, IEEE=compute_dtype == torch.float32,
        PAIRED=compute_dtype == torch.bfloat16 and triton_support.inline_ptx(),
    )
    return arguments, constants


OUTPUTS = slice(5, 7)
"""Where ``embedded`` and ``query`` sit in :func:`kernel_arguments`' list."""


def fused_embedding(tokens: torch.Tensor, rgbfeat_fc: nn.Sequential) -> tuple[torch.Tensor, torch.Tensor]:
    """``X_rgb = rgbfeat_fc(tokens)`` and ``X_0 = X_rgb.max(views)`` in one kernel launch (module docstring).

    Args:
        tokens: ``(points, views, d_in)`` sampled RGB + F^rgb.
        rgbfeat_fc: ``Linear(d_in, d) -> ReLU -> Linear(d, d)``.

    Returns:
        ``X_rgb`` ``(points, views, d)`` and ``X_0`` ``(points, d)`` in the compute dtype (the autocast dtype, else
        the tokens' promoted with float32), as PyTorch's ops would give them.
    """
    if not fused_embedding_supported(tokens, rgbfeat_fc):
        raise ValueError(
            f"fused_embedding needs Triton and CUDA tokens (points, views, d_in) with d_in <= 128 and a width that is "
            f"a power of two in [16, 128], in float32/bf16/fp16; got {tuple(tokens.shape)} {tokens.dtype} on "
            f"{tokens.device} and width {rgbfeat_fc[0].out_features}. Check fused_embedding_supported first."
        )
    dtype = triton_support.compute_dtype(tokens, torch.promote_types(tokens.dtype, torch.float32))
    arguments, constants = kernel_arguments(tokens, rgbfeat_fc, dtype)
    embedded, query = arguments[OUTPUTS]
    points = query.shape[0]

    def grid(launch: dict) -> tuple[int]:
        return (triton.cdiv(points, launch["BLOCK_POINTS"]),)

    _fused_embedding_kernel[grid](*arguments, **constants)
    return embedded, query

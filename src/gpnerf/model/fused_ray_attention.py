"""One Triton kernel for a RAT block's norm, projections and attention at inference (fast path; docs/performance.md).

With PyTorch ops a RAT block's attention is a batched ``Q K^T``, a softmax and a batched ``A V`` over a
``(rays, heads, samples, samples)`` map written to and read back from GPU memory (plus the transposes that
split the heads), and the semantic fold then reads the map once more for its column means. At inference the
callers need at most three things from the map, so one program per ray normalises its rows (``attn_norm``), forms
each head's Q, K and V from them and its map on chip (no ``(rays, samples, 3 d_rgb)`` Q K V written and read back,
no separate norm and product: about 14 ms a frame in the twenty-fifth run's trace, a norm kernel of 256 calls and,
by their call counts, the two GEMMs of 128), and writes only:

* ``out`` ``(rays, samples, d_rgb)``: ``A V`` with the heads already merged (the input of ``out_fc``);
* ``column_mean`` ``(rays, heads, samples)`` float32: ``mean_i A[h, i, j]``, all the semantic fold reads;
* ``first_row`` ``(rays, heads, samples)`` float32: ``A[h, 0, :]``, the per-point weights of the last layer.

The last two only where a caller reads them (``with_column_mean``, ``with_first_row``): a render's coarse pass reads
neither but from its last layer, its fine pass the column means of every layer and the first row of the last. The
column sums are one product over a head's map (row 0 of ``ones @ A`` over the real rows, stored by the threads that
hold it) and the first row is the map's row 0 stored as it lies: no reduction. Where the samples fill the map
(``FULL``: 64, a power of two, as in the presets' fine pass) no key is masked. sm_90, bf16, 64 samples, 4 warps
(``A V`` computed as it was before :data:`WARPS`' transposed product): 1,984 instructions a program (a ray: four
heads) with both summaries, 1,840 with the column means alone, 1,576 with neither (``benchmarks/kernel_registers.py``);
as warp-instructions a head that is 1,984, 1,840 and 1,576 against 2,080, 1,696 and 1,200 for one program a ray and
head at 2 warps that read Q, K and V from memory (the column sums and the first row then two reductions each).

Inference only (no autograd, no dropout). The norm runs in float32 and its rows are rounded to the compute dtype
as a Linear's input; the projections, ``Q K^T`` and ``A V`` run in the compute dtype with float32 accumulation and
Q, K, V rounded to it, as autocast's matmuls do; the softmax and the first row stay in float32 (the PyTorch path
rounds the map to the compute dtype first) and the column means sum the map as rounded for ``A V`` (as the PyTorch
path's do) in float32, so under bf16 the two differ by bf16 rounding
(tests/model/test_fused_ray_attention.py states the tolerances). :func:`fused_ray_attention_supported` says
when the kernel applies; otherwise callers keep the PyTorch path.
"""

import torch
from torch import nn

from gpnerf.model import triton_support
from gpnerf.model.triton_support import (
    MIN_DOT, PreparedWeights, kernel_matrix, kernel_vector, kernels_can_run_on, launch_configs, padded, tl, triton,
)


def fused_ray_attention_supported(x: torch.Tensor, heads: int) -> bool:
    """Whether the kernel can run on a RAT block's input ``x`` ``(rays, samples, d_rgb)``: Triton installed, a CUDA
    tensor (or any tensor under the Triton interpreter, ``TRITON_INTERPRET=1``, which the CPU tests use), ``d_rgb``
    a power of two >= 16 (the normalised rows are one tile, the projections' K) divisible by ``heads``, at most 128
    samples (one head's map stays on chip), float32 / bf16 / fp16."""
    if not kernels_can_run_on(x) or x.dim() != 3:
        return False
    samples, d = x.shape[1:]
    return (
        1 <= samples <= 128 and heads >= 1 and d >= MIN_DOT and d & (d - 1) == 0 and d % heads == 0
        and x.dtype in (torch.float32, torch.bfloat16, torch.float16)
    )


WARPS = (1, 2, 4, 8)
"""Warps per program, tried once per (samples, widths, dtype, summaries) by Triton's autotuner: the coarse and fine
passes each their own. 4 warps came back with ``A V`` computed transposed: with ``A V`` itself as the product (64
rows: one warpgroup's ``wgmma``), Triton 3.6 compiled a 4-warp launch to wrong values (``A V`` 0.82-1.2 relative or
nan from the PyTorch block against 2.6e-3 at 1, 2 and 8 warps) and to illegal memory accesses, depending on the
summaries asked for, on an H200 and an H100 (bf16, d_rgb 64, 4 heads, 4,800 rays x 48 and x 64 samples; barriers
between the heads' products did not help: docs/benchmarks.md, twenty-seventh and twenty-eighth runs). As
``(V^T A^T)^T`` every summary setting and sample count computed ``A V`` within 2.6e-3 at 4 warps (twenty-eighth run,
call B). tests/model/test_fused_ray_attention.py checks every entry on the GPU at the presets' shapes."""


if triton is not None:
    from gpnerf.model.triton_support import dot

    @triton.jit
    def _head_projection(h, w_ptr, first_row, D: tl.constexpr, D_HEAD: tl.constexpr, D_HEAD_PAD: tl.constexpr,
                         IEEE: tl.constexpr):
        """``h @ W[first_row : first_row + D_HEAD]^T`` ``(S_PAD, D_HEAD_PAD)`` in ``h``'s dtype (rounded like a
        Linear output), zero past ``D_HEAD``: one head's Q, K or V from the normalised rows."""
        inputs = tl.arange(0, D)[:, None]
        outputs = tl.arange(0, D_HEAD_PAD)[None, :]
        w = tl.load(w_ptr + (first_row + outputs) * D + inputs, mask=outputs < D_HEAD, other=0.0)
        return dot(h, w, IEEE).to(h.dtype)

    @triton.autotune(
        configs=launch_configs({}, [({}, warps) for warps in WARPS]),
        key=["S_PAD", "D", "HEADS", "IEEE", "FULL", "WITH_COLUMN_MEAN", "WITH_FIRST_ROW"],
    )
    @triton.jit
    def _fused_ray_attention_kernel(
        x_ptr, norm_w_ptr, norm_b_ptr, qkv_w_ptr, out_ptr, column_mean_ptr, first_row_ptr,
        samples,
        D: tl.constexpr, HEADS: tl.constexpr, D_HEAD: tl.constexpr, D_HEAD_PAD: tl.constexpr, S_PAD: tl.constexpr,
        EPS: tl.constexpr, IEEE: tl.constexpr, WITH_COLUMN_MEAN: tl.constexpr, WITH_FIRST_ROW: tl.constexpr,
        FULL: tl.constexpr, PICKS: tl.constexpr,
    ):
        """One program: one ray. Its rows of ``x`` normalised once (``attn_norm``, float32, then the compute dtype as
        a Linear's input), then for each head its Q, K and V (rows ``[h d_head, (h + 1) d_head)`` of each third of
        ``qkv_w``), its ``(samples x samples)`` map, ``A V`` and the summaries asked for (``WITH_COLUMN_MEAN``,
        ``WITH_FIRST_ROW``). ``FULL``: ``samples == S_PAD``, no padded key to mask and no padded row to leave out of
        the column means (a render's fine pass at the presets' 48 + 16)."""
        ray = tl.program_id(0).to(tl.int64)
        rows = tl.arange(0, S_PAD)
        ch = tl.arange(0, D)
        dh = tl.arange(0, D_HEAD_PAD)
        row_ok = rows < samples
        compute = qkv_w_ptr.dtype.element_ty
        x = tl.load(x_ptr + (ray * samples + rows)[:, None] * D + ch[None, :], mask=row_ok[:, None], other=0.0)
        x = x.to(tl.float32)
        mean = tl.sum(x, axis=1) / D
        centred = x - mean[:, None]
        variance = tl.sum(centred * centred, axis=1) / D
        h = centred * tl.rsqrt(variance + EPS)[:, None] * tl.load(norm_w_ptr + ch)[None, :]
        h = (h + tl.load(norm_b_ptr + ch)[None, :]).to(compute)  # (S_PAD, D); padded rows hold the norm's bias
        for head in tl.static_range(HEADS):
            q = _head_projection(h, qkv_w_ptr, head * D_HEAD, D, D_HEAD, D_HEAD_PAD, IEEE)
            k = _head_projection(h, qkv_w_ptr, D + head * D_HEAD, D, D_HEAD, D_HEAD_PAD, IEEE)
            v = _head_projection(h, qkv_w_ptr, 2 * D + head * D_HEAD, D, D_HEAD, D_HEAD_PAD, IEEE)
            scores = dot(q, tl.trans(k), IEEE)  # (S_PAD, S_PAD) float32 in base 2: log2(e) / sqrt(d_head) in W_Q
            if not FULL:
                scores = tl.where(row_ok[None, :], scores, float("-inf"))  # padded keys get no weight
            peak = tl.max(scores, axis=1)
            weight = tl.exp2(scores - peak[:, None])
            attention = weight * (1.0 / tl.sum(weight, axis=1))[:, None]  # softmax over keys per query row
            probabilities = attention.to(compute)  # A V's operand, rounded like the PyTorch path's map
            # A V as (V^T A^T)^T: at 4 warps Triton 3.6 compiles A V itself (M = S_PAD, one warpgroup's wgmma)
            # to wrong values and illegal accesses on sm_90 (WARPS); this product's M is D_HEAD_PAD.
            out = tl.trans(dot(tl.trans(v), tl.trans(probabilities), IEEE))  # (S_PAD, D_HEAD_PAD)
            out_offsets = (ray * samples + rows)[:, None] * D + head * D_HEAD + dh[None, :]
            out_ok = row_ok[:, None] & (dh[None, :] < D_HEAD)
            tl.store(out_ptr + out_offsets, out.to(out_ptr.dtype.element_ty), mask=out_ok)
            summary = (ray * HEADS + head) * samples  # + key: the summaries' row of this ray and head
            if WITH_COLUMN_MEAN:  # sum_i A[i, :] as a product: row 0 of (ones on the real rows) @ A, stored alone
                picks = tl.arange(0, PICKS)[:, None]  # the smallest product's rows (MIN_DOT)
                real_rows = ((picks == 0) & row_ok[None, :]).to(compute)  # (PICKS, S_PAD)
                column_sum = dot(real_rows, probabilities, IEEE)  # (PICKS, S_PAD): rows past 0 are zero
                tl.store(column_mean_ptr + summary + rows[None, :] + 0 * picks, column_sum * (1.0 / samples),
                         mask=(picks == 0) & row_ok[None, :])
            if WITH_FIRST_ROW:  # A[0, :]: the first query row's weights, stored by the threads that hold them
                tl.store(first_row_ptr + summary + rows[None, :] + 0 * rows[:, None], attention,
                         mask=(rows[:, None] == 0) & row_ok[None, :])


def tuned_launch() -> str | None:
    """The launch configuration the autotuner chose last (warps), or None before any run."""
    return None if triton is None else triton_support.tuned_launch(_fused_ray_attention_kernel)


QKV = 2
"""Where ``qkv_weight`` sits in :func:`prepare_weights`' tensors."""

OUTPUTS = slice(4, 7)
"""Where ``out``, ``column_mean`` and ``first_row`` sit in :func:`kernel_arguments`' list (a summary not asked for is a
scratch tensor, never written)."""


def prepare_weights(norm: nn.LayerNorm, qkv_weight: torch.Tensor, dtype: torch.dtype) -> PreparedWeights:
    """The kernel's weights for launches computing in ``dtype``: the norm's affine in float32, ``qkv_weight`` in
    ``dtype``."""
    tensors = (kernel_vector(norm.weight), kernel_vector(norm.bias), kernel_matrix(qkv_weight, dtype))
    return PreparedWeights(tensors, dtype, float(norm.eps))


def kernel_arguments(
    x: torch.Tensor, norm: nn.LayerNorm | None, qkv_weight: torch.Tensor | None, heads: int, compute_dtype: torch.dtype,
    with_column_mean: bool = True, with_first_row: bool = True, prepared: PreparedWeights | None = None,
) -> tuple[list, dict]:
    """The kernel's runtime arguments (``x`` contiguous, the weights as :func:`prepare_weights` makes them from
    ``norm`` and ``qkv_weight``, or ``prepared``, outputs allocated in ``compute_dtype``) and its compile-time
    constants, for :func:`fused_ray_attention`'s arguments (no launch: any device)."""
    if prepared is None:
        prepared = prepare_weights(norm, qkv_weight, compute_dtype)
    weights = prepared.for_launch(compute_dtype, "fused_ray_attention")
    rays, samples, d = x.shape
    out = torch.empty(rays, samples, d, device=x.device, dtype=compute_dtype)

    scratch = torch.empty(1, device=x.device, dtype=torch.float32)  # summaries not asked for: never a real output

    def summary(wanted: bool) -> torch.Tensor:
        return torch.empty(rays, heads, samples, device=x.device, dtype=torch.float32) if wanted else scratch

    arguments = [x.contiguous(), *weights, out, summary(with_column_mean), summary(with_first_row), samples]
    constants = dict(
        D=d, HEADS=heads, D_HEAD=d // heads, D_HEAD_PAD=padded(d // heads), S_PAD=padded(samples),
        EPS=prepared.eps, IEEE=compute_dtype == torch.float32, WITH_COLUMN_MEAN=with_column_mean,
        WITH_FIRST_ROW=with_first_row, FULL=samples == padded(samples), PICKS=MIN_DOT,
    )
    return arguments, constants


def fused_ray_attention(
    x: torch.Tensor, norm: nn.LayerNorm | None, qkv_weight: torch.Tensor | None, heads: int,
    with_column_mean: bool = True, with_first_row: bool = True, prepared: PreparedWeights | None = None,
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """A RAT block's normalisation, projections and multi-head attention in one kernel launch (module docstring).

    Args:
        x: ``(rays, samples, d_rgb)`` the block's input.
        norm: its ``attn_norm``.
        qkv_weight: ``(3 d_rgb, d_rgb)`` ``[W_Q log2(e) / sqrt(d_head); W_K; W_V]`` (the scores in base 2: the
            softmax takes ``2**x``), each head a contiguous block of rows of each third.
        heads: the head count.
        with_column_mean, with_first_row: compute and return these summaries (False: None).
        prepared: ``norm`` and ``qkv_weight`` made once by :func:`prepare_weights` for the compute dtype (then
            those two may be None), or None.

    Returns:
        ``out`` ``(rays, samples, d_rgb)`` in the compute dtype (autocast's, else ``x``'s); ``column_mean`` and
        ``first_row`` ``(rays, heads, samples)`` float32, or None where not asked for.
    """
    qkv_shape = tuple((qkv_weight if prepared is None else prepared.tensors[QKV]).shape)
    if not fused_ray_attention_supported(x, heads) or qkv_shape != (3 * x.shape[-1], x.shape[-1]):
        raise ValueError(
            f"fused_ray_attention needs Triton and CUDA x (rays, samples <= 128, d_rgb) with d_rgb a power of two >= "
            f"{MIN_DOT} divisible by the {heads} heads, in float32/bf16/fp16, and qkv_weight (3 d_rgb, d_rgb); got "
            f"{tuple(x.shape)} {x.dtype} on {x.device} and {qkv_shape}. Check "
            "fused_ray_attention_supported first."
        )
    compute_dtype = triton_support.compute_dtype(x, x.dtype)
    arguments, constants = kernel_arguments(
        x, norm, qkv_weight, heads, compute_dtype, with_column_mean, with_first_row, prepared
    )
    _fused_ray_attention_kernel[(x.shape[0],)](*arguments, **constants)
    out, column_mean, first_row = arguments[OUTPUTS]
    return out, column_mean if with_column_mean else None, first_row if with_first_row else None

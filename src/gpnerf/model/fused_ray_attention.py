"""One Triton kernel for a RAT block's attention at inference (fast path; docs/performance.md).

With PyTorch ops a RAT block's attention is a batched ``Q K^T``, a softmax and a batched ``A V`` over a
``(rays, heads, samples, samples)`` map written to and read back from GPU memory (plus the transposes that
split the heads), and the semantic fold then reads the map once more for its column means. At inference the
callers need at most three things from the map, so one program per ``(ray, head)`` computes the map on chip and
writes only:

* ``out`` ``(rays, samples, d_rgb)``: ``A V`` with the heads already merged (the input of ``out_fc``);
* ``column_mean`` ``(rays, heads, samples)`` float32: ``mean_i A[h, i, j]``, all the semantic fold reads;
* ``first_row`` ``(rays, heads, samples)`` float32: ``A[h, 0, :]``, the per-point weights of the last layer.

The last two only where a caller reads them (``with_column_mean``, ``with_first_row``): a render's coarse pass reads
neither but from its last layer, its fine pass the column means of every layer and the first row of the last. Each is
two reductions over the map (sm_90 at 2 warps: 1232 instructions a program with both, 1080 with the column means
alone, 760 with neither). Where the samples fill the map (``FULL``: 64, a power of two, as in the presets' fine pass)
no key is masked and no row left out of the column means: 1040, 848 and 600.

Inference only (no autograd, no dropout). ``Q K^T`` and ``A V`` run in the inputs' dtype with float32
accumulation, as autocast's matmuls do; the softmax, the column means and the first row stay in float32 (the
PyTorch path rounds the map to the compute dtype first), so under bf16 the two differ by bf16 rounding
(tests/model/test_fused_ray_attention.py states the tolerances). :func:`fused_ray_attention_supported` says
when the kernel applies; otherwise callers keep the PyTorch path.
"""

import torch

from gpnerf.model import triton_support
from gpnerf.model.triton_support import kernels_can_run_on, launch_configs, padded, tl, triton


def fused_ray_attention_supported(x: torch.Tensor, heads: int) -> bool:
    """Whether the kernel can run on a RAT block's input ``x`` ``(rays, samples, d_rgb)``: Triton installed, a CUDA
    tensor (or any tensor under the Triton interpreter, ``TRITON_INTERPRET=1``, which the CPU tests use), ``d_rgb``
    divisible by ``heads``, at most 128 samples (one head's map stays on chip), float32 / bf16 / fp16."""
    if not kernels_can_run_on(x) or x.dim() != 3:
        return False
    samples, d = x.shape[1:]
    return 1 <= samples <= 128 and heads >= 1 and d % heads == 0 and x.dtype in (torch.float32, torch.bfloat16, torch.float16)


if triton is not None:
    from gpnerf.model.triton_support import dot

    # warps per program, tried once per (samples, d_head, dtype, summaries): the coarse and fine passes each their own
    @triton.autotune(
        configs=launch_configs({}, [({}, warps) for warps in (1, 2, 4, 8)]),
        key=["S_PAD", "D_HEAD", "IEEE", "FULL", "WITH_COLUMN_MEAN", "WITH_FIRST_ROW"],
    )
    @triton.jit
    def _fused_ray_attention_kernel(
        qkv_ptr, out_ptr, column_mean_ptr, first_row_ptr,
        samples,
        D: tl.constexpr, HEADS: tl.constexpr, D_HEAD: tl.constexpr, D_HEAD_PAD: tl.constexpr, S_PAD: tl.constexpr,
        IEEE: tl.constexpr, WITH_COLUMN_MEAN: tl.constexpr, WITH_FIRST_ROW: tl.constexpr, FULL: tl.constexpr,
    ):
        """One program: one ray's ``(samples x samples)`` map for one head, from its rows of Q, K and V (head ``h``
        is channels ``[h d_head, (h + 1) d_head)`` of each third of ``qkv``); the column means and the first row
        only where ``WITH_COLUMN_MEAN`` and ``WITH_FIRST_ROW``. ``FULL``: ``samples == S_PAD``, no padded key to
        mask and no padded row to leave out of the column means (a render's fine pass at the presets' 48 + 16)."""
        ray = tl.program_id(0).to(tl.int64)
        head = tl.program_id(1)
        rows = tl.arange(0, S_PAD)
        ch = tl.arange(0, D_HEAD_PAD)
        row_ok = rows < samples
        tile_ok = row_ok[:, None] & (ch[None, :] < D_HEAD)
        offsets = (ray * samples + rows)[:, None] * (3 * D) + head * D_HEAD + ch[None, :]
        q = tl.load(qkv_ptr + offsets, mask=tile_ok, other=0.0)
        k = tl.load(qkv_ptr + D + offsets, mask=tile_ok, other=0.0)
        v = tl.load(qkv_ptr + 2 * D + offsets, mask=tile_ok, other=0.0)
        scores = dot(q, tl.trans(k), IEEE)  # (S_PAD, S_PAD) float32 in base 2: log2(e) / sqrt(d_head) in W_Q
        if not FULL:
            scores = tl.where(row_ok[None, :], scores, float("-inf"))  # padded keys get no weight
        peak = tl.max(scores, axis=1)
        weight = tl.exp2(scores - peak[:, None])
        attention = weight * (1.0 / tl.sum(weight, axis=1))[:, None]  # softmax over keys per query row
        out = dot(attention.to(v.dtype), v, IEEE)  # (S_PAD, D_HEAD_PAD)
        out_offsets = (ray * samples + rows)[:, None] * D + head * D_HEAD + ch[None, :]
        tl.store(out_ptr + out_offsets, out.to(out_ptr.dtype.element_ty), mask=tile_ok)
        summary = (ray * HEADS + head) * samples + rows
        if WITH_COLUMN_MEAN:
            if FULL:
                column_mean = tl.sum(attention, axis=0) * (1.0 / S_PAD)
            else:
                column_mean = tl.sum(tl.where(row_ok[:, None], attention, 0.0), axis=0) * (1.0 / samples)
            tl.store(column_mean_ptr + summary, column_mean, mask=row_ok)
        if WITH_FIRST_ROW:
            first_row = tl.sum(tl.where(rows[:, None] == 0, attention, 0.0), axis=0)
            tl.store(first_row_ptr + summary, first_row, mask=row_ok)


def tuned_launch() -> str | None:
    """The launch configuration the autotuner chose last (warps), or None before any run."""
    return None if triton is None else triton_support.tuned_launch(_fused_ray_attention_kernel)


OUTPUTS = slice(1, 4)
"""Where ``out``, ``column_mean`` and ``first_row`` sit in :func:`kernel_arguments`' list (a summary not asked for is
``out`` again, never written)."""


def kernel_arguments(
    qkv: torch.Tensor, heads: int, with_column_mean: bool = True, with_first_row: bool = True
) -> tuple[list, dict]:
    """The kernel's runtime arguments (``qkv`` made contiguous, outputs allocated) and its compile-time constants,
    for :func:`fused_ray_attention`'s arguments (no launch: any device)."""
    rays, samples, width = qkv.shape
    d = width // 3
    out = torch.empty(rays, samples, d, device=qkv.device, dtype=qkv.dtype)

    def summary(wanted: bool) -> torch.Tensor:
        return torch.empty(rays, heads, samples, device=qkv.device, dtype=torch.float32) if wanted else out

    arguments = [qkv.contiguous(), out, summary(with_column_mean), summary(with_first_row), samples]
    constants = dict(
        D=d, HEADS=heads, D_HEAD=d // heads, D_HEAD_PAD=padded(d // heads), S_PAD=padded(samples),
        IEEE=qkv.dtype == torch.float32, WITH_COLUMN_MEAN=with_column_mean, WITH_FIRST_ROW=with_first_row,
        FULL=samples == padded(samples),
    )
    return arguments, constants


def fused_ray_attention(
    qkv: torch.Tensor, heads: int, with_column_mean: bool = True, with_first_row: bool = True
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """A RAT block's multi-head attention in one kernel launch (module docstring).

    Args:
        qkv: ``(rays, samples, 3 d_rgb)`` ``[Q log2(e) / sqrt(d_head), K, V]`` in the compute dtype (the scores
            in base 2: the softmax takes ``2**x``), heads as contiguous channel groups of each third.
        heads: the head count.
        with_column_mean, with_first_row: compute and return these summaries (False: None).

    Returns:
        ``out`` ``(rays, samples, d_rgb)`` in ``qkv``'s dtype; ``column_mean`` and ``first_row``
        ``(rays, heads, samples)`` float32, or None where not asked for.
    """
    if qkv.shape[-1] % 3 != 0 or not fused_ray_attention_supported(qkv[..., : qkv.shape[-1] // 3], heads):
        raise ValueError(
            f"fused_ray_attention needs Triton and CUDA qkv (rays, samples <= 128, 3 d_rgb) with d_rgb divisible by "
            f"the {heads} heads in float32/bf16/fp16; got {tuple(qkv.shape)} {qkv.dtype} on {qkv.device}. Check "
            "fused_ray_attention_supported first."
        )
    arguments, constants = kernel_arguments(qkv, heads, with_column_mean, with_first_row)
    _fused_ray_attention_kernel[(qkv.shape[0], heads)](*arguments, **constants)
    out, column_mean, first_row = arguments[OUTPUTS]
    return out, column_mean if with_column_mean else None, first_row if with_first_row else None

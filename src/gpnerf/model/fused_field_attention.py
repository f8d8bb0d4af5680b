"""One Triton kernel for a FAT block's per-view work at inference (fast path; docs/performance.md).

The folded FAT block (:meth:`FieldAggregationTransformer.attention_logits_folded`) builds per
``(point, view)`` the values V, the position code P, the hidden layer of f_A and the logits, then masks,
takes the softmax over views per channel and sums ``(V + P) A`` over views. Written with PyTorch ops each
of these is a ``(points, views, d_rgb)`` tensor written to and read back from GPU memory, and the
small products (K = 4, N = 8) run as badly shaped GEMMs. Here one program takes a block of points and all
or half of the output channels (both autotuned once per shape) and walks their views with an online softmax
(running max and sum per channel, as in flash attention), keeping every intermediate on chip. It reads the block's
input X_0 and forms the per-point term of f_A's hidden layer itself (``attn_norm``, then ``W_1 W_Q``: no norm
kernel, product and subtraction per layer outside it; sm_90, 16 x 1 x 2: 192 more instructions a program, once,
its view loop unchanged). It writes only what the layer's callers read:

* ``out`` ``(points, d_rgb)``: ``sum_views (V + P) A`` (the input of ``out_fc``);
* ``logits`` ``(points, views, d_rgb)``, masked, in base 2 (f_A's output layer scaled by ``log2(e)``: the softmax
  takes ``2**x``, one instruction), and the softmax's ``peak`` (max over views) and ``inverse_total``
  (``1 / sum_views 2**(logits - peak)``), each ``(points, d_rgb)`` float32: A_FAT is
  ``2**(logits - peak) * inverse_total``, which the semantic fold computes as it reads the logits
  (:meth:`gpnerf.model.field_aggregation.FieldAttention.probabilities`), so A is never written;
* ``weighted_position`` ``(points, d_rgb)`` float32: ``sum_views P A``, the only use of P in the fold.

Where no semantic path reads the block's attention (the coarse pass of a render: only its RAT maps place the
importance samples), ``with_attention=False`` writes ``out`` alone: the logits, the softmax's statistics and
``sum_views P A`` are neither stored nor (the last) accumulated, and the logits are not rounded to the tokens' dtype
(nothing reads them back; sm_90: 342 -> 294 instructions a view at 16 x 1 x 2 with the folded mask below): ``out``
is the same to the bit in float32, and under bf16 within bf16 rounding of the logits (closer to float32's).

Inference only (no autograd, no dropout). The products run in the tokens' dtype with float32
accumulation, like autocast; V, P, the softmax and both sums stay in float32 (the PyTorch path rounds V,
P, the logits and the ``(V + P) A`` products to bf16; the kernel rounds only the logits, which it stores:
keeping V and P in float32 measured 4.7 % faster a render than rounding them, docs/performance.md section
22), so under bf16 the two differ by bf16 rounding
(tests/model/test_fused_field_attention.py states the tolerances). Where the hidden layers of f_P and f_A leave
a padding unit (``d_pos_hidden`` and ``d_attn_hidden`` below their padded widths; the paper's 8 pad to 16), their
output biases ride in it and the products add them (in the weights' dtype, as autocast's Linear rounds its bias), and
``V + P`` and the hidden layer's three terms accumulate in their products: fewer instructions a view, the same sums.
Where a second padding unit is free in both (:func:`folds_mask`), the mask rides in them too: the direction's padding
column is 1 for a view the point is not in, and ``logit_w``'s row for it holds the masked logit, so the product
gives the masked value the select did (the same bits) with no select a view (sm_90: 397 -> 378 instructions a view
at 16 x 1 x 2).
:func:`fused_field_attention_supported` says when the kernel applies; otherwise callers keep the PyTorch path.
"""

from dataclasses import dataclass

import torch

from gpnerf.model import triton_support
from gpnerf.model.point_inputs import MergedSamples
from gpnerf.model.triton_support import (
    LOG2E, MIN_DOT, PreparedWeights, kernel_matrix, kernel_vector, kernels_can_run_on, launch_configs, padded, tl,
    triton,
)

DIRECTION_WIDTH = 4
"""Width of Delta d (unit direction difference + dot product, :mod:`gpnerf.model.projection`)."""


def fused_field_attention_supported(tokens: torch.Tensor) -> bool:
    """Whether the kernel can run on ``tokens`` ``(points, views, d_rgb)``: Triton installed, a CUDA tensor
    (or any tensor under the Triton interpreter, ``TRITON_INTERPRET=1``, which the CPU tests use),
    ``d_rgb`` a power of two >= 16, float32 / bf16 / fp16."""
    if not kernels_can_run_on(tokens) or tokens.dim() != 3:
        return False
    views, d = tokens.shape[1:]
    return (
        d >= MIN_DOT and d & (d - 1) == 0 and views >= 1
        and tokens.dtype in (torch.float32, torch.bfloat16, torch.float16)
    )


LAUNCH_SHAPES = (
    (16, 1, 2, 0), (16, 1, 2, 168), (32, 1, 4, 0), (32, 1, 4, 168), (64, 1, 4, 0), (64, 1, 8, 0), (128, 1, 4, 0),
    (128, 1, 8, 0), (32, 2, 2, 0), (32, 2, 4, 0), (64, 2, 4, 0), (64, 2, 8, 0),
)
"""Points per program x channel split x warps x ptxas' register limit per thread (0: none), tried once per (views,
d_rgb, dtype) by Triton's autotuner. A split of 2 gives each program half the output channels (half the accumulators
and weights in registers; f_A's hidden layer is computed by both halves); it applies where ``d_rgb / 2 >= MIN_DOT``
(:func:`launches_for`). 16 x 1 x 2 and 32 x 2 x 2 (under 64 points a warpgroup: warp-level ``mma.sync``, whose
products can overlap) were the fastest at a chunk's shapes in the twenty-fourth run (docs/performance.md section 23);
16 x 1 x 2 at 168 registers (12 warps an SM instead of 8, a few bytes spilled) faster still alone in the twenty-fifth
(section 24)."""


def folds_mask(attn_hidden: int, pos_hidden: int, dtype: torch.dtype) -> bool:
    """Whether the kernel masks the logits of a view a point is not in through padding units (``_fold_mask``)
    instead of a select a view: f_A's and f_P's hidden widths leave two padding units each (the first carries the
    biases, ``_fold_biases``), the direction leaves one, and the dtype's lowest value absorbs a logit in float32
    and rounds back to itself. bf16 and float32 do (float32's spacing there is 2**104; bf16's lowest is below
    float32's by 1.3e36, so no sum overflows); fp16 does not (-65504 + 20 rounds to -65472), and keeps the select."""
    return (
        attn_hidden + 2 <= padded(attn_hidden) and pos_hidden + 2 <= padded(pos_hidden)
        and DIRECTION_WIDTH < padded(DIRECTION_WIDTH) and dtype in (torch.bfloat16, torch.float32)
    )


def launch_parameters(shape: tuple[int, ...]) -> tuple[dict, int, int]:
    """A :data:`LAUNCH_SHAPES` entry (or one without its register limit) as the kernel's meta-parameters, its warps
    and its register limit (0: none)."""
    points, split, warps, *registers = shape
    return {"BLOCK_POINTS": points, "CHANNEL_SPLIT": split}, warps, (registers or [0])[0]


def launch_grid(points: int, meta: dict) -> tuple[int, int]:
    """Programs to launch for ``points`` points: one per block of ``BLOCK_POINTS`` and channel part."""
    return triton.cdiv(points, meta["BLOCK_POINTS"]), meta["CHANNEL_SPLIT"]


def launches_for(configs: list, named_args: dict, **constants) -> list:
    """The autotuner configurations whose channel split leaves at least :data:`MIN_DOT` channels per program."""
    return [config for config in configs if constants["D"] // config.kwargs["CHANNEL_SPLIT"] >= MIN_DOT]


if triton is not None:
    from gpnerf.model.triton_support import dot, dot_add, relu_to, round_to_bf16

    @triton.jit
    def _load_transposed(w_ptr, OUT: tl.constexpr, OUT_PAD: tl.constexpr, IN: tl.constexpr, IN_PAD: tl.constexpr):
        """An nn.Linear weight ``(OUT, IN)`` as the ``(IN_PAD, OUT_PAD)`` right operand, zero-padded."""
        rows = tl.arange(0, IN_PAD)[:, None]
        cols = tl.arange(0, OUT_PAD)[None, :]
        return tl.load(w_ptr + cols * IN + rows, mask=(rows < IN) & (cols < OUT), other=0.0)

    @triton.jit
    def _minus_query_hidden(
        query_ptr, norm_w_ptr, norm_b_ptr, query_hidden_w_ptr, hidden_bias_ptr, point, point_ok, dtype: tl.constexpr,
        D: tl.constexpr, H: tl.constexpr, H_PAD: tl.constexpr, EPS: tl.constexpr, IEEE: tl.constexpr,
    ):
        """The points' term of f_A's hidden layer, ``b - LN(X_0) (W_1 W_Q)^T`` float32 ``(BLOCK_POINTS, H_PAD)``
        (zero past ``H``), with ``b`` f_A's folded bias: the norm in float32, its rows rounded to ``dtype`` as a
        Linear's input and the product's output as a Linear's, as the PyTorch ops under autocast."""
        ch = tl.arange(0, D)
        hid = tl.arange(0, H_PAD)
        query = tl.load(query_ptr + point[:, None] * D + ch[None, :], mask=point_ok[:, None], other=0.0)
        query = query.to(tl.float32)
        mean = tl.sum(query, axis=1) / D
        centred = query - mean[:, None]
        variance = tl.sum(centred * centred, axis=1) / D
        normed = centred * tl.rsqrt(variance + EPS)[:, None] * tl.load(norm_w_ptr + ch)[None, :]
        normed = (normed + tl.load(norm_b_ptr + ch)[None, :]).to(dtype)
        query_hidden_w = _load_transposed(query_hidden_w_ptr, H, H_PAD, D, D)
        query_hidden = dot(normed, query_hidden_w, IEEE).to(dtype).to(tl.float32)
        return tl.load(hidden_bias_ptr + hid, mask=hid < H, other=0.0)[None, :] - query_hidden

    @triton.jit
    def _view_logits(
        tokens, direction, minus_query_hidden, key_hidden_w, pos_in_w, pos_in_b, pos_hidden_w, logit_w, logit_b,
        valid, MASKED_LOGIT: tl.constexpr, IEEE: tl.constexpr, FOLDED_BIASES: tl.constexpr, FOLDED_MASK: tl.constexpr,
        PAIRED: tl.constexpr,
    ):
        """Masked logits ``f_A(K - Q + P)`` of one view for a block of points, float32 ``(BLOCK_POINTS, D)``,
        and the hidden layer of f_P (the caller turns it into P). ``FOLDED_BIASES``: f_A's output bias is a row of
        ``logit_w``, reached through a padding column of the hidden layer that the weights hold at 1
        (:func:`_fold_biases`)."""
        dtype = tokens.dtype
        pos_hidden = relu_to(dot(direction, pos_in_w, IEEE) + pos_in_b[None, :], dtype, PAIRED)
        hidden = dot_add(pos_hidden, pos_hidden_w, dot_add(tokens, key_hidden_w, minus_query_hidden, IEEE), IEEE)
        logits = dot(relu_to(hidden, dtype, PAIRED), logit_w, IEEE)  # in base 2: W and b scaled by LOG2E
        if not FOLDED_BIASES:
            logits += logit_b[None, :]
        if not FOLDED_MASK:
            logits = tl.where(valid[:, None], logits, MASKED_LOGIT)
        return logits, pos_hidden

    @triton.jit
    def _fold_biases(
        pos_in_b, pos_hidden_w, pos_out_w, pos_out_b, logit_w, logit_b, H: tl.constexpr, H_PAD: tl.constexpr,
        HP: tl.constexpr, HP_PAD: tl.constexpr,
    ):
        """The two output biases moved into padding (``H < H_PAD`` and ``HP < HP_PAD``): f_P's hidden unit ``HP``
        is ``relu(0 + 1) = 1`` for every point and view, ``pos_out_w``'s row ``HP`` holds f_P's output bias, the
        hidden unit ``H`` of f_A is ``1 x 1`` (``pos_hidden_w[HP, H]``), and ``logit_w``'s row ``H`` holds f_A's
        output bias. The products then add the biases (in the weights' dtype, as autocast's Linear does)."""
        hp = tl.arange(0, HP_PAD)
        h = tl.arange(0, H_PAD)
        dtype = pos_out_w.dtype
        pos_in_b = tl.where(hp == HP, 1.0, pos_in_b)
        pos_hidden_w = tl.where((hp[:, None] == HP) & (h[None, :] == H), 1.0, pos_hidden_w.to(tl.float32)).to(dtype)
        pos_out_w = tl.where(hp[:, None] == HP, pos_out_b[None, :].to(dtype), pos_out_w)
        logit_w = tl.where(h[:, None] == H, logit_b[None, :].to(dtype), logit_w)
        return pos_in_b, pos_hidden_w, pos_out_w, logit_w

    @triton.jit
    def _fold_mask(
        pos_in_w, pos_hidden_w, logit_w, MASKED_LOGIT: tl.constexpr, H: tl.constexpr, H_PAD: tl.constexpr,
        HP: tl.constexpr, HP_PAD: tl.constexpr, DIR: tl.constexpr, DIR_PAD: tl.constexpr,
    ):
        """The mask moved into padding (after :func:`_fold_biases`, which takes units ``HP`` and ``H``): the
        direction's padding column ``DIR`` is 1 for a view the point is not in (the kernel sets it), f_P's hidden
        unit ``HP + 1`` copies it (``pos_in_w[DIR, HP + 1] = 1``), f_A's hidden unit ``H + 1`` copies that
        (``pos_hidden_w[HP + 1, H + 1] = 1``), and ``logit_w``'s row ``H + 1`` is ``MASKED_LOGIT``: such a view's
        logits are ``MASKED_LOGIT`` plus terms that float32 absorbs (:func:`folds_mask`), with no select a view."""
        d = tl.arange(0, DIR_PAD)
        hp = tl.arange(0, HP_PAD)
        h = tl.arange(0, H_PAD)
        dtype = logit_w.dtype
        pos_in_w = tl.where((d[:, None] == DIR) & (hp[None, :] == HP + 1), 1.0, pos_in_w.to(tl.float32)).to(dtype)
        pos_hidden_w = tl.where(
            (hp[:, None] == HP + 1) & (h[None, :] == H + 1), 1.0, pos_hidden_w.to(tl.float32)
        ).to(dtype)
        logit_w = tl.where(h[:, None] == H + 1, MASKED_LOGIT, logit_w.to(tl.float32)).to(dtype)
        return pos_in_w, pos_hidden_w, logit_w

    @triton.autotune(
        configs=launch_configs(
            {"BLOCK_POINTS": 16, "CHANNEL_SPLIT": 1}, [launch_parameters(shape) for shape in LAUNCH_SHAPES],
        ),
        key=["VIEWS", "D", "IEEE", "STORE_ATTENTION", "MERGED_TOKENS"],
        prune_configs_by={"early_config_prune": launches_for},
    )
    @triton.jit
    def _fused_field_attention_kernel(
        tokens_ptr, direction_ptr, valid_ptr, query_ptr, norm_w_ptr, norm_b_ptr, query_hidden_w_ptr, hidden_bias_ptr,
        value_w_ptr, key_hidden_w_ptr, pos_in_w_ptr, pos_in_b_ptr, pos_out_w_ptr, pos_out_b_ptr,
        pos_hidden_w_ptr, logit_w_ptr, logit_b_ptr,
        out_ptr, logits_ptr, peak_ptr, inverse_total_ptr, weighted_position_ptr,
        points, second_tokens_ptr, token_rows_ptr, first_points,
        VIEWS: tl.constexpr, MASKED_LOGIT: tl.constexpr, D: tl.constexpr, H: tl.constexpr, H_PAD: tl.constexpr,
        HP: tl.constexpr, HP_PAD: tl.constexpr, DIR: tl.constexpr, DIR_PAD: tl.constexpr, FOLDED_MASK: tl.constexpr,
        PAIRED_ROUNDING: tl.constexpr, BLOCK_POINTS: tl.constexpr, CHANNEL_SPLIT: tl.constexpr, IEEE: tl.constexpr,
        STORE_ATTENTION: tl.constexpr, EPS: tl.constexpr, MERGED_TOKENS: tl.constexpr,
    ):
        """One program: ``BLOCK_POINTS`` points: the query's term of f_A's hidden layer from their rows of X_0
        (``attn_norm`` and ``W_1 W_Q``), then their views one after another, keeping a running max and sum of
        the softmax over views (per channel) and the running ``sum (V + P) A`` and ``sum P A``, for output channels
        ``[c, c + D / CHANNEL_SPLIT)`` with ``c = program_id(1) * D / CHANNEL_SPLIT``. Each view's
        logits, rounded to the output dtype like a Linear output, are written once; the softmax is taken over
        the rounded values, so ``2**(logits - peak) * inverse_total`` gives A exactly as the kernel used it.
        Without ``STORE_ATTENTION`` only ``out`` is written (``sum P A`` is not accumulated, the logits not
        rounded). ``MERGED_TOKENS``: point ``p``'s tokens are row ``token_rows[p]`` of ``tokens`` if that is below
        ``first_points``, else row ``token_rows[p] - first_points`` of ``second_tokens`` (:class:`MergedSamples`'
        rows); otherwise row ``p`` of ``tokens``."""
        point = tl.program_id(0).to(tl.int64) * BLOCK_POINTS + tl.arange(0, BLOCK_POINTS)
        point_ok = point < points
        if MERGED_TOKENS:  # each point's row of views x D tokens, found once
            row = tl.load(token_rows_ptr + point, mask=point_ok, other=0)
            point_size: tl.constexpr = VIEWS * D
            token_source = tl.where(
                row < first_points, tokens_ptr + row * point_size, second_tokens_ptr + (row - first_points) * point_size
            )
        BLOCK_CHANNELS: tl.constexpr = D // CHANNEL_SPLIT
        first = tl.program_id(1) * BLOCK_CHANNELS
        ch = first + tl.arange(0, BLOCK_CHANNELS)  # this program's output channels
        inputs = tl.arange(0, D)  # the tokens' channels
        dirs = tl.arange(0, DIR_PAD)
        minus_query_hidden = _minus_query_hidden(
            query_ptr, norm_w_ptr, norm_b_ptr, query_hidden_w_ptr, hidden_bias_ptr, point, point_ok,
            value_w_ptr.dtype.element_ty, D, H, H_PAD, EPS, IEEE,
        )
        value_w = _load_transposed(value_w_ptr + first * D, BLOCK_CHANNELS, BLOCK_CHANNELS, D, D)
        key_hidden_w = _load_transposed(key_hidden_w_ptr, H, H_PAD, D, D)
        pos_in_w = _load_transposed(pos_in_w_ptr, HP, HP_PAD, DIR, DIR_PAD)
        pos_in_b = tl.load(pos_in_b_ptr + tl.arange(0, HP_PAD), mask=tl.arange(0, HP_PAD) < HP, other=0.0)
        pos_out_w = _load_transposed(pos_out_w_ptr + first * HP, BLOCK_CHANNELS, BLOCK_CHANNELS, HP, HP_PAD)
        pos_out_b = tl.load(pos_out_b_ptr + ch)
        pos_hidden_w = _load_transposed(pos_hidden_w_ptr, H, H_PAD, HP, HP_PAD)
        logit_w = _load_transposed(logit_w_ptr + first * H, BLOCK_CHANNELS, BLOCK_CHANNELS, H, H_PAD)
        logit_b = tl.load(logit_b_ptr + ch)
        FOLDED_BIASES: tl.constexpr = (H < H_PAD) and (HP < HP_PAD)
        if FOLDED_BIASES:
            pos_in_b, pos_hidden_w, pos_out_w, logit_w = _fold_biases(
                pos_in_b, pos_hidden_w, pos_out_w, pos_out_b, logit_w, logit_b, H, H_PAD, HP, HP_PAD
            )
        if FOLDED_MASK:
            pos_in_w, pos_hidden_w, logit_w = _fold_mask(
                pos_in_w, pos_hidden_w, logit_w, MASKED_LOGIT, H, H_PAD, HP, HP_PAD, DIR, DIR_PAD
            )

        peak = tl.full((BLOCK_POINTS, BLOCK_CHANNELS), float("-inf"), tl.float32)
        total = tl.zeros((BLOCK_POINTS, BLOCK_CHANNELS), tl.float32)
        out = tl.zeros((BLOCK_POINTS, BLOCK_CHANNELS), tl.float32)
        weighted_position = tl.zeros((BLOCK_POINTS, BLOCK_CHANNELS), tl.float32)
        for view in range(VIEWS):
            pair = point * VIEWS + view  # flat (point, view) index
            if MERGED_TOKENS:
                token_rows = token_source[:, None] + view * D
            else:
                token_rows = tokens_ptr + pair[:, None] * D
            tokens = tl.load(token_rows + inputs[None, :], mask=point_ok[:, None], other=0.0)
            direction = tl.load(
                direction_ptr + pair[:, None] * DIR + dirs[None, :], mask=point_ok[:, None] & (dirs[None, :] < DIR),
                other=0.0,
            ).to(tokens.dtype)
            valid = tl.load(valid_ptr + pair, mask=point_ok, other=0) != 0
            if FOLDED_MASK:  # the input that holds f_A's padding unit H + 1 at 1 for a view the point is not in
                outside = tl.where(valid, 0.0, 1.0)[:, None].to(tokens.dtype)
                direction = tl.where(dirs[None, :] == DIR, outside, direction)
            logits, pos_hidden = _view_logits(
                tokens, direction, minus_query_hidden, key_hidden_w, pos_in_w, pos_in_b, pos_hidden_w, logit_w,
                logit_b, valid, MASKED_LOGIT, IEEE, FOLDED_BIASES, FOLDED_MASK, PAIRED_ROUNDING,
            )
            if STORE_ATTENTION:  # rounded like a Linear output: the fold takes A from the stored logits
                if PAIRED_ROUNDING:
                    stored, logits = round_to_bf16(logits, True)
                else:
                    stored = logits.to(tokens.dtype)
                    logits = stored.to(tl.float32)
                tl.store(logits_ptr + pair[:, None] * D + ch[None, :], stored, mask=point_ok[:, None])
            position = dot(pos_hidden, pos_out_w, IEEE)
            if not FOLDED_BIASES:
                position += pos_out_b[None, :]
            values_and_position = dot_add(tokens, value_w, position, IEEE)  # float32, not rounded (module docstring)
            new_peak = tl.maximum(peak, logits)
            rescale = tl.exp2(peak - new_peak)
            weight = tl.exp2(logits - new_peak)
            total = total * rescale + weight
            out = out * rescale + weight * values_and_position
            if STORE_ATTENTION:
                weighted_position = weighted_position * rescale + weight * position
            peak = new_peak
        inverse_total = 1.0 / total
        offsets = point[:, None] * D + ch[None, :]
        tl.store(out_ptr + offsets, (out * inverse_total).to(out_ptr.dtype.element_ty), mask=point_ok[:, None])
        if STORE_ATTENTION:
            tl.store(weighted_position_ptr + offsets, weighted_position * inverse_total, mask=point_ok[:, None])
            tl.store(peak_ptr + offsets, peak, mask=point_ok[:, None])
            tl.store(inverse_total_ptr + offsets, inverse_total, mask=point_ok[:, None])


def tuned_launch() -> str | None:
    """The launch configuration the autotuner chose last (points per program, warps), or None before any run."""
    return None if triton is None else triton_support.tuned_launch(_fused_field_attention_kernel)


@dataclass
class FoldedFieldWeights:
    """A FAT block's weights as the kernel takes them (f_A's first layer folded in, as in
    :meth:`FieldAggregationTransformer.attention_logits_folded`).

    Attributes:
        query_norm: the block's ``attn_norm``, applied to X_0.
        query_hidden: ``(d_attn_hidden, d_rgb)`` ``W_1 W_Q``.
        hidden_bias: ``(d_attn_hidden,)`` f_A's folded bias ``b_1 + W_1 b_P2``.
        value: ``(d_rgb, d_rgb)`` W_V.
        key_hidden: ``(d_attn_hidden, d_rgb)`` ``W_1 W_K``.
        pos_in: f_P's first layer, 4 -> d_pos_hidden.
        pos_out: f_P's second layer, d_pos_hidden -> d_rgb.
        pos_hidden: ``(d_attn_hidden, d_pos_hidden)`` ``W_1 W_P2``.
        logits_out: f_A's second layer, d_attn_hidden -> d_rgb.
    """

    query_norm: torch.nn.LayerNorm
    query_hidden: torch.Tensor
    hidden_bias: torch.Tensor
    value: torch.Tensor
    key_hidden: torch.Tensor
    pos_in: torch.nn.Linear
    pos_out: torch.nn.Linear
    pos_hidden: torch.Tensor
    logits_out: torch.nn.Linear


OUTPUTS = slice(17, 22)
"""Where ``out``, ``logits``, ``peak``, ``inverse_total`` and ``weighted_position`` sit in :func:`kernel_arguments`'
list (without ``with_attention`` the last four are ``out`` again, never written)."""


def prepare_weights(weights: FoldedFieldWeights, dtype: torch.dtype) -> PreparedWeights:
    """``weights`` as the kernel's launches computing in ``dtype`` take them: the norm's affine, ``W_1 W_Q``, the
    folded bias, W_V, ``W_1 W_K``, f_P's layers, ``W_1 W_P2`` and f_A's output layer scaled by ``log2(e)`` (the
    logits in base 2); matrices in ``dtype``, vectors in float32."""

    def matrix(w: torch.Tensor) -> torch.Tensor:
        return kernel_matrix(w, dtype)

    vector = kernel_vector
    tensors = (
        vector(weights.query_norm.weight), vector(weights.query_norm.bias), matrix(weights.query_hidden),
        vector(weights.hidden_bias), matrix(weights.value), matrix(weights.key_hidden), matrix(weights.pos_in.weight),
        vector(weights.pos_in.bias), matrix(weights.pos_out.weight), vector(weights.pos_out.bias),
        matrix(weights.pos_hidden),
        matrix(weights.logits_out.weight * LOG2E), vector(weights.logits_out.bias * LOG2E),  # logits in base 2
    )
    return PreparedWeights(tensors, dtype, float(weights.query_norm.eps))


KEY_HIDDEN, POS_IN = 5, 6
"""Where ``W_1 W_K`` and f_P's first layer sit in :func:`prepare_weights`' tensors."""


def token_table(tokens: torch.Tensor | MergedSamples) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]:
    """The tokens as the kernel reads them: the first table ``(rows, views, d_rgb)`` contiguous, the second, each
    point's row (:meth:`MergedSamples.source_rows`) and the first table's row count. Given ``(points, views,
    d_rgb)`` tokens: them, and placeholders the kernel never reads; given a :class:`MergedSamples` of two ``(rays,
    samples, views, d_rgb)`` tensors: both, flattened over (rays, samples), and the merged points' rows."""
    if isinstance(tokens, MergedSamples):
        first = tokens.first.flatten(0, 1).contiguous()
        return first, tokens.second.flatten(0, 1).contiguous(), tokens.source_rows(), first.shape[0]
    table = tokens.contiguous()
    return table, table, table, table.shape[0]


def token_count(tokens: torch.Tensor | MergedSamples) -> int:
    """The points whose tokens ``tokens`` holds (a :class:`MergedSamples`: the merged rays x samples)."""
    if isinstance(tokens, MergedSamples):
        return tokens.order.numel()
    return tokens.shape[0]


def kernel_arguments(
    tokens: torch.Tensor | MergedSamples, relative_direction: torch.Tensor, valid: torch.Tensor, query: torch.Tensor,
    weights: FoldedFieldWeights | PreparedWeights, with_attention: bool = True,
) -> tuple[list, dict]:
    """The kernel's runtime arguments (inputs made contiguous in the kernel's dtypes, outputs allocated) and its
    compile-time constants, for :func:`fused_field_attention`'s arguments (no launch: any device)."""
    table, second_table, token_rows, first_points = token_table(tokens)
    points, (views, d) = token_count(tokens), table.shape[1:]
    dtype = table.dtype
    if isinstance(weights, FoldedFieldWeights):
        weights = prepare_weights(weights, dtype)
    prepared = weights.for_launch(dtype, "fused_field_attention")
    hidden, pos_hidden = prepared[KEY_HIDDEN].shape[0], prepared[POS_IN].shape[0]
    device = table.device
    out = torch.empty(points, d, device=device, dtype=dtype)
    if with_attention:
        logits = torch.empty(points, views, d, device=device, dtype=dtype)
        peak, inverse_total, weighted_position = (
            torch.empty(points, d, device=device, dtype=torch.float32) for _ in range(3)
        )
    else:  # placeholders the kernel never writes
        logits = peak = inverse_total = weighted_position = out
    arguments = [
        table, relative_direction.contiguous(), valid.contiguous(), query.contiguous(), *prepared,
        out, logits, peak, inverse_total, weighted_position,
        points, second_table, token_rows, first_points,
    ]
    constants = dict(
        VIEWS=views, MASKED_LOGIT=torch.finfo(dtype).min, D=d, H=hidden, H_PAD=padded(hidden), HP=pos_hidden,
        HP_PAD=padded(pos_hidden), DIR=DIRECTION_WIDTH, DIR_PAD=padded(DIRECTION_WIDTH),
        FOLDED_MASK=folds_mask(hidden, pos_hidden, dtype), IEEE=dtype == torch.float32,
        PAIRED_ROUNDING=dtype == torch.bfloat16 and triton_support.inline_ptx(),
        STORE_ATTENTION=with_attention, EPS=weights.eps, MERGED_TOKENS=isinstance(tokens, MergedSamples),
    )
    return arguments, constants


def fused_field_attention(
    tokens: torch.Tensor | MergedSamples, relative_direction: torch.Tensor, valid: torch.Tensor, query: torch.Tensor,
    weights: FoldedFieldWeights | PreparedWeights, with_attention: bool = True,
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None, torch.Tensor | None, torch.Tensor | None]:
    """The FAT block's per-view work in one kernel launch (module docstring).

    Args:
        tokens: ``(points, views, d_rgb)`` X_rgb in the compute dtype (contiguous or not), or the
            :class:`MergedSamples` of two ``(rays, samples, views, d_rgb)`` such tensors, whose rows the kernel reads
            in the merged order (points = the merged rays x samples).
        relative_direction: ``(points, views, 4)`` Delta d.
        valid: ``(points, views)`` bool.
        query: ``(points, d_rgb)`` X_0, the block's input (the kernel normalises it and forms the folded logits'
            per-point term ``LN(X_0) (W_1 W_Q)^T`` minus f_A's folded bias).
        weights: the block's :class:`FoldedFieldWeights`, or them made once by :func:`prepare_weights` for the
            tokens' dtype.
        with_attention: also return what the semantic path reads (False: those four are None).

    Returns:
        ``out`` ``(points, d_rgb)`` and the masked ``logits`` ``(points, views, d_rgb)`` in the tokens' dtype; the
        softmax's ``peak`` and ``inverse_total`` and ``weighted_position``, each ``(points, d_rgb)`` float32
        (A = ``2**(logits - peak) * inverse_total``, the logits in base 2).
    """
    table = tokens.first.flatten(0, 1) if isinstance(tokens, MergedSamples) else tokens
    points = token_count(tokens)
    if not fused_field_attention_supported(table) or tuple(query.shape) != (points, table.shape[2]):
        raise ValueError(
            f"fused_field_attention needs Triton and CUDA tokens (points, views, d_rgb) with d_rgb a power of two "
            f">= {MIN_DOT} and >= 1 view in float32/bf16/fp16, and query (points, d_rgb); got {tuple(table.shape)} "
            f"{table.dtype} on {table.device} ({points} points) and {tuple(query.shape)}. Check "
            f"fused_field_attention_supported first."
        )
    arguments, constants = kernel_arguments(tokens, relative_direction, valid, query, weights, with_attention)

    def grid(launch: dict) -> tuple[int, int]:
        return launch_grid(points, launch)

    _fused_field_attention_kernel[grid](*arguments, **constants)
    outputs = tuple(arguments[OUTPUTS])
    return outputs if with_attention else (outputs[0], None, None, None, None)

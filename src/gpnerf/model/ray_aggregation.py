"""Ray-Aggregation Transformer (paper Alg. 2, Eq. 6-7): multi-head self-attention over ray points.

One RAT block attends over the samples of each ray and returns its attention A_RAT, which
:func:`render_semantic_points` reuses on the semantic-embedding field (Eq. 7, Alg. 2 lines 5, 8).
"""

from dataclasses import dataclass

import torch
from torch import nn

from gpnerf.model.config import TransformerConfig
from gpnerf.model import fused_feed_forward, fused_ray_attention as ray_kernel
from gpnerf.model.field_aggregation import (
    BlockWeights, block_dropout_masks, block_tail, feed_forward, kernels_apply, softmax,
)
from gpnerf.model.fused_dropout import apply_dropout, dropout
from gpnerf.model.fused_ray_attention import fused_ray_attention, fused_ray_attention_supported
from gpnerf.model.triton_support import LOG2E, compute_dtype


@dataclass
class RayAttention:
    """What the semantic path and the read-out reuse from one RAT block.

    Attributes:
        attention: ``(rays, heads, samples, samples)`` A_RAT, rows = queries, post-dropout; or None where the
            fused kernel ran (it never writes the map).
        column_mean: ``(rays, heads, samples)`` float32 ``mean_i A[h, i, j]``, or None (then computed from the
            map by :meth:`column_means`).
        first_row: ``(rays, heads, samples)`` float32 ``A[h, 0, :]``, or None (then read from the map).

    Where the fused kernel ran without a summary its caller did not ask for, neither it nor the map is there: asking
    for it raises.
    """

    attention: torch.Tensor | None
    column_mean: torch.Tensor | None = None
    first_row: torch.Tensor | None = None

    def column_means(self) -> torch.Tensor:
        """``mean_i A[h, i, j]`` ``(rays, heads, samples)`` in (at least) float32 (the semantic fold's weights)."""
        if self.column_mean is not None:
            return self.column_mean
        return self._map("column means").to(torch.promote_types(self.attention.dtype, torch.float32)).mean(dim=2)

    def first_rows(self) -> torch.Tensor:
        """``A[h, 0, :]`` ``(rays, heads, samples)`` (the map's dtype, or float32 from the kernel)."""
        return self.first_row if self.first_row is not None else self._map("first rows")[:, :, 0, :]

    def _map(self, summary: str) -> torch.Tensor:
        if self.attention is None:
            raise ValueError(
                f"this RAT block's {summary} were not computed: the fused kernel ran without them (its caller, "
                "RayAggregationTransformer.forward, was told nobody reads them) and never writes the map."
            )
        return self.attention

    def detached(self) -> "RayAttention":
        """The same maps cut from autograd (frozen attention, Table 4 ID 1)."""
        maps = (self.attention, self.column_mean, self.first_row)
        return RayAttention(*(None if t is None else t.detach() for t in maps))


class RayAggregationTransformer(nn.Module):
    """One RAT block (Alg. 2 lines 2-7): pre-LN MHSA over samples + feed-forward, as in GNT.

    ``A = softmax(Q K^T / sqrt(d_head))`` per head, ``S^2D_rgb = f_rgb(A V)``.
    ``compute_dtype_attention``: as in :class:`FieldAggregationTransformer` (fast path); it also folds
    ``1 / sqrt(d_head)`` into ``W_Q`` (a ``d_rgb x d_rgb`` product) instead of dividing the
    ``(rays, heads, samples, samples)`` scores: the same values, bit for bit when ``sqrt(d_head)`` is a
    power of two (d_head 16 in the presets), otherwise to float rounding.

    ``fused_inference`` (with ``compute_dtype_attention``): without autograd and without active dropout, on
    CUDA with Triton, the normalisation, Q, K and V and the attention run as one kernel
    (:mod:`gpnerf.model.fused_ray_attention`) that returns the map's column means and first row instead of the
    map, and the block's tail runs as one kernel too (``fused_tail``, set with it;
    :func:`gpnerf.model.field_aggregation.block_tail`); elsewhere the PyTorch ops run. Computing in float32, only
    with ``float32_kernels``.
    ``fused_dropout``, ``redraw_dropout_masks``: as in :class:`gpnerf.model.field_aggregation.FieldAggregationTransformer`.
    """

    def __init__(
        self, config: TransformerConfig, compute_dtype_attention: bool = False, fused_inference: bool = False,
        fused_dropout: bool = False, redraw_dropout_masks: bool = False, float32_kernels: bool = False,
    ) -> None:
        super().__init__()
        d = config.d_rgb
        self.compute_dtype_attention = compute_dtype_attention
        self.float32_kernels = float32_kernels
        self.fused_inference = fused_inference and compute_dtype_attention
        self.fused_tail = self.fused_inference
        self.num_heads = config.num_heads
        self.attn_norm = nn.LayerNorm(d)
        self.q_fc = nn.Linear(d, d, bias=False)
        self.k_fc = nn.Linear(d, d, bias=False)
        self.v_fc = nn.Linear(d, d, bias=False)
        self.out_fc = nn.Linear(d, d)
        self.attn_dropout = dropout(config.dropout, fused_dropout, redraw_dropout_masks)
        self.out_dropout = dropout(config.dropout, fused_dropout, redraw_dropout_masks)
        self.ff_norm = nn.LayerNorm(d)
        self.ff = feed_forward(d, config.ff_multiplier, config.dropout, fused_dropout, redraw_dropout_masks)

    def _query_weight(self) -> torch.Tensor:
        """W_Q, with ``1 / sqrt(d_head)`` folded in on the fast path (class docstring)."""
        d_head = self.q_fc.weight.shape[0] // self.num_heads
        return self.q_fc.weight * d_head**-0.5 if self.compute_dtype_attention else self.q_fc.weight

    def prepare_kernel_weights(self, dtype: torch.dtype) -> BlockWeights:
        """The RAT kernel's (``[W_Q log2(e) / sqrt(d_head); W_K; W_V]``: the scores in base 2) and the tail kernel's
        weights for launches computing in ``dtype``, made once."""
        qkv_weight = torch.cat([self._query_weight() * LOG2E, self.k_fc.weight, self.v_fc.weight])
        return BlockWeights(
            ray_kernel.prepare_weights(self.attn_norm, qkv_weight, dtype),
            fused_feed_forward.prepare_weights(self.out_fc, self.ff_norm, self.ff, dtype),
        )

    def forward(
        self, x: torch.Tensor, with_column_mean: bool = True, with_first_row: bool = True,
        prepared: BlockWeights | None = None,
    ) -> tuple[torch.Tensor, RayAttention]:
        """``x`` ``(rays, samples, d_rgb)`` -> (updated ``x``, the block's :class:`RayAttention`).
        ``with_column_mean``, ``with_first_row``: whether a caller reads these summaries (False lets the fused
        kernel skip them; the PyTorch path keeps the map, which holds both). ``prepared``: the kernels' weights made
        once (:meth:`prepare_kernel_weights`, for ``x``'s compute dtype), or None (made for each launch); read only
        where the kernels run."""
        def split(t: torch.Tensor) -> torch.Tensor:
            return t.unflatten(-1, (self.num_heads, -1)).transpose(1, 2)  # (rays, heads, samples, d_head)

        d_head = self.q_fc.weight.shape[0] // self.num_heads
        fold_scale = self.compute_dtype_attention  # fast path: 1 / sqrt(d_head) folded into W_Q
        apply = kernels_apply(self, x)
        if self.fused_inference and apply and fused_ray_attention_supported(x, self.num_heads):
            if prepared is None:
                prepared = self.prepare_kernel_weights(compute_dtype(x, x.dtype))
            out, column_mean, first_row = fused_ray_attention(
                x, None, None, self.num_heads, with_column_mean, with_first_row, prepared.attention
            )
            ray_attention = RayAttention(attention=None, column_mean=column_mean, first_row=first_row)
            tail_masks = (None, None, None)
        else:
            h = self.attn_norm(x)
            q, k, v = split(nn.functional.linear(h, self._query_weight())), split(self.k_fc(h)), split(self.v_fc(h))
            scores = q @ k.transpose(-1, -2)
            if not fold_scale:
                scores = scores / (d_head**0.5)
            attention_mask, tail_masks = block_dropout_masks(self.attn_dropout, scores.shape, self.out_dropout, self.ff, x)
            attention = softmax(scores, -1, self.compute_dtype_attention)
            attention = apply_dropout(self.attn_dropout, attention, attention_mask)
            out = (attention @ v).transpose(1, 2).flatten(-2)  # (rays, samples, d_rgb)
            # the column means made here, inside the compiled block, where a caller reads them: made by the caller,
            # their gradient reached the block as the map's, a stride-0 expand that the compiled backward copied to a
            # (rays, heads, samples, samples) tensor per layer
            column_mean = RayAttention(attention=attention).column_means() if with_column_mean else None
            ray_attention = RayAttention(attention=attention, column_mean=column_mean)
        tail_fused = self.fused_tail and apply
        x = block_tail(
            x, out, self.out_fc, self.out_dropout, self.ff_norm, self.ff, tail_fused, tail_masks,
            prepared=None if prepared is None else prepared.tail,
        )
        return x, ray_attention


def render_semantic_points(semantic_field: torch.Tensor, ray_attention: torch.Tensor) -> torch.Tensor:
    """Eq. 7 before MLP o Mean (Alg. 2 lines 5, 8): head ``h`` of A_RAT mixes the points of the
    ``h``-th contiguous channel group of the semantic field.

    ``S[i, c] = sum_j A[head(c), i, j] f[j, c]``, ``head(c) = c // (d_sem / heads)``.

    Args:
        semantic_field: ``(rays, samples, d_sem)``.
        ray_attention: ``(rays, heads, samples, samples)``.

    Returns:
        ``(rays, samples, d_sem)``.
    """
    heads = ray_attention.shape[1]
    d_sem = semantic_field.shape[-1]
    if d_sem % heads != 0:
        raise ValueError(
            f"d_sem ({d_sem}) must be divisible by the RAT head count ({heads}); got remainder "
            f"{d_sem % heads}. Change encoder.d_fpn or transformer.num_heads."
        )
    grouped = semantic_field.unflatten(-1, (heads, -1)).transpose(1, 2)  # (rays, heads, samples, d_sem/heads)
    return (ray_attention @ grouped).transpose(1, 2).flatten(-2)

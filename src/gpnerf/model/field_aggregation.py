"""Field-Aggregation Transformer (paper Alg. 1, Eq. 4-5): vector attention over source views.

One FAT block aggregates the per-view radiance tokens of each sample point into a coordinate-aligned
radiance feature (Eq. 4) and returns its attention A_FAT, which :func:`aggregate_semantic_field`
reuses to build the semantic-embedding field (Eq. 5, Alg. 1 lines 5-6, 9).
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import torch
from torch import nn

from gpnerf.model.aligned import aligned_linear
from gpnerf.model.config import TransformerConfig
from gpnerf.model.fused_dropout import DrawnMask, apply_dropout, draw_block_masks, dropout
from gpnerf.model import fused_feed_forward, fused_field_attention as field_kernel
from gpnerf.model.fused_feed_forward import QueryUpdate, fused_block_tail, fused_block_tail_supported
from gpnerf.model.fused_field_attention import (
    FoldedFieldWeights,
    fused_field_attention,
    fused_field_attention_supported,
)
from gpnerf.model.point_inputs import MergedSamples
from gpnerf.model.triton_support import PreparedWeights, compute_dtype, products_in_kernels
from gpnerf.model.view_reductions import (
    unrolled_softmax_over_views,
    unrolled_sum_of_products_over_views,
    unrolled_sum_over_views,
    unrolling,
)


def feed_forward(
    d_model: int, multiplier: int, p: float, fused_dropout: bool = False, redraw_dropout_masks: bool = False
) -> nn.Sequential:
    """GNT feed-forward: Linear(d, m d) -> ReLU -> Dropout -> Linear(m d, d) -> Dropout (``fused_dropout``: the
    dropout layers draw their masks with :mod:`gpnerf.model.fused_dropout`'s kernel; ``redraw_dropout_masks``: and
    draw them again in the backward instead of keeping them)."""
    return nn.Sequential(
        nn.Linear(d_model, multiplier * d_model), nn.ReLU(), dropout(p, fused_dropout, redraw_dropout_masks),
        nn.Linear(multiplier * d_model, d_model), dropout(p, fused_dropout, redraw_dropout_masks),
    )


@dataclass(frozen=True)
class BlockWeights:
    """A FAT or RAT block's kernel weights made once for many launches (``prepare_kernel_weights``; the fused path
    at inference): its attention kernel's and its tail kernel's."""

    attention: PreparedWeights
    tail: PreparedWeights


def block_tail(
    x: torch.Tensor, attended: torch.Tensor, out_fc: nn.Linear, out_dropout: nn.Dropout, ff_norm: nn.LayerNorm,
    ff: nn.Sequential, fused: bool, masks: Sequence[DrawnMask | None] = (None, None, None),
    query_update: QueryUpdate | None = None, prepared: PreparedWeights | None = None,
) -> torch.Tensor:
    """A FAT or RAT block's output from its input ``x`` and its attention's output ``attended``, both
    ``(rays, samples, d_rgb)``: ``y = x + out_dropout(out_fc(attended))``, then ``y + ff(ff_norm(y))``.

    ``fused`` (the caller's: inference, no active dropout): one Triton kernel where it applies
    (:mod:`gpnerf.model.fused_feed_forward`), else these PyTorch ops. ``masks``: keep masks for ``out_dropout`` and
    ``ff``'s two dropout layers, from :func:`block_dropout_masks`; a None lets that layer draw its own.
    ``query_update`` (point terms ``(rays, samples, d_rgb)``, ray terms ``(rays, 1, d_rgb)``): the kernel also
    applies that q_fc; only where the kernel runs (:func:`tail_runs_fused`). ``prepared``: the kernel's weights made
    once (:func:`gpnerf.model.fused_feed_forward.prepare_weights`), or None."""
    rows = x.flatten(0, 1)
    if fused and fused_block_tail_supported(rows, ff):
        if query_update is not None:
            query_update = replace(
                query_update, point_terms=query_update.point_terms.flatten(0, 1),
                ray_terms=query_update.ray_terms.flatten(0, 1),
            )
        tail = fused_block_tail(rows, attended.flatten(0, 1), out_fc, ff_norm, ff, query_update, prepared)
        return tail.unflatten(0, x.shape[:2])
    if query_update is not None:
        raise ValueError("block_tail applies a query_update only in its kernel; check tail_runs_fused first.")
    out_mask, hidden_mask, ff_out_mask = masks
    y = x + apply_dropout(out_dropout, out_fc(attended), out_mask)
    ff_in, activation, hidden_dropout, ff_out, ff_out_dropout = ff
    hidden = apply_dropout(hidden_dropout, activation(ff_in(ff_norm(y))), hidden_mask)
    return y + apply_dropout(ff_out_dropout, ff_out(hidden), ff_out_mask)


def tail_runs_fused(block: nn.Module, x: torch.Tensor) -> bool:
    """Whether a FAT or RAT block with a fused tail (``fused_tail``) runs it as the kernel now on its input ``x``
    ``(rays, samples, d_rgb)`` (:func:`block_tail`)."""
    return block.fused_tail and kernels_apply(block, x) and fused_block_tail_supported(x.flatten(0, 1), block.ff)


def block_dropout_masks(
    attn_dropout: nn.Module, attention_shape: torch.Size, out_dropout: nn.Module, ff: nn.Sequential, x: torch.Tensor
) -> tuple[DrawnMask | None, list]:
    """Keep masks for a FAT or RAT block's four dropout layers, drawn together by
    :func:`gpnerf.model.fused_dropout.draw_block_masks`: the attention's (``attention_shape``) and :func:`block_tail`'s
    three (after ``out_fc``, after ``ff``'s hidden layer, after ``ff``), for a block input ``x`` ``(rays, samples,
    d_rgb)``. Returns (the attention's mask, the tail's masks); Nones where the layers draw their own."""
    layers = [attn_dropout, out_dropout, ff[2], ff[4]]
    shapes = [attention_shape, x.shape, x.shape[:-1] + (ff[0].out_features,), x.shape]
    attention_mask, *tail_masks = draw_block_masks(layers, shapes, x)
    return attention_mask, tail_masks


def kernels_apply(block: nn.Module, x: torch.Tensor) -> bool:
    """Whether a block may run its inference kernels now on its input ``x``: no autograd and no active dropout (the
    kernels have neither), and products the kernels compute (:func:`gpnerf.model.triton_support.products_in_kernels`
    with the block's ``float32_kernels``)."""
    if torch.is_grad_enabled() or not products_in_kernels(x, block.float32_kernels):
        return False
    return not (block.training and any(isinstance(m, nn.Dropout) and m.p > 0 for m in block.modules()))


def softmax(logits: torch.Tensor, dim: int, keep_dtype: bool) -> torch.Tensor:
    """``softmax(logits, dim)``; with ``keep_dtype`` evaluated in (at least) float32 and returned in
    ``logits.dtype`` (under autocast plain softmax returns float32).

    With ``keep_dtype``, bf16 / fp16 logits go to PyTorch's own reduced-precision kernel outside autocast: it
    computes in float32 and rounds once, like :func:`softmax_keep_dtype_reference`, in one kernel instead of
    a cast up, the softmax and a cast down (tests/model/test_attention.py)."""
    if not keep_dtype or logits.dtype not in (torch.bfloat16, torch.float16):
        return torch.softmax(logits, dim=dim)
    with torch.autocast(logits.device.type, enabled=False):
        return torch.softmax(logits, dim=dim)


def softmax_keep_dtype_reference(logits: torch.Tensor, dim: int) -> torch.Tensor:
    """Plain reference of ``softmax(logits, dim, keep_dtype=True)``: cast to float32, softmax, cast back."""
    return torch.softmax(logits, dim=dim, dtype=torch.promote_types(logits.dtype, torch.float32)).to(logits.dtype)


@dataclass
class FieldAttention:
    """What the semantic path reuses from one FAT block.

    Attributes:
        attention: ``(rays, samples, views, d_rgb)`` A_FAT: softmax over views per channel
            (post-dropout, as used for the radiance values), invalid views masked; or None where the fused
            kernel ran (it writes the logits and the softmax's statistics instead; :meth:`probabilities`).
        position: ``(rays, samples, views, d_rgb)`` P = f_P(Delta d), or None where the fused kernel or a
            ``weighted_position`` block ran (the fast path's fold needs only ``weighted_position``).
        weighted_position: ``(rays, samples, d_rgb)`` float32 ``sum_views P A``, or None (then computed
            from P by :meth:`weighted_position_sum`).
        logits: ``(rays, samples, views, d_rgb)`` the masked logits in base 2 (scaled by ``log2(e)``; fused
            kernel), else None.
        peak: ``(rays, samples, d_rgb)`` float32 max of ``logits`` over views (fused kernel), else None.
        inverse_total: ``(rays, samples, d_rgb)`` float32 ``1 / sum_views 2**(logits - peak)`` (fused kernel),
            else None.
    """

    attention: torch.Tensor | None
    position: torch.Tensor | None
    weighted_position: torch.Tensor | None = None
    logits: torch.Tensor | None = None
    peak: torch.Tensor | None = None
    inverse_total: torch.Tensor | None = None

    @property
    def channels(self) -> int:
        """d_rgb, the attention's channel count."""
        return (self.logits if self.attention is None else self.attention).shape[-1]

    def probabilities(self) -> torch.Tensor:
        """A ``(rays, samples, views, d_rgb)``: the stored map, or ``2**(logits - peak) * inverse_total`` in
        float32 from the fused kernel's base-2 outputs (one elementwise pass, which a compiled consumer fuses into
        its own read of the logits)."""
        if self.attention is not None:
            return self.attention
        return torch.exp2(self.logits.float() - self.peak.unsqueeze(-2)) * self.inverse_total.unsqueeze(-2)

    def weighted_position_sum(self) -> torch.Tensor:
        """``sum_views P A`` ``(rays, samples, d_rgb)`` in (at least) float32."""
        if self.weighted_position is not None:
            return self.weighted_position
        return position_weighted_sum(self.position, self.attention)

    def detached(self) -> "FieldAttention":
        """The same maps cut from autograd (frozen attention, Table 4 ID 1)."""
        maps = {field.name: getattr(self, field.name) for field in fields(self)}
        return FieldAttention(**{name: None if t is None else t.detach() for name, t in maps.items()})


def position_weighted_sum(position: torch.Tensor, attention: torch.Tensor, unrolled: bool = False) -> torch.Tensor:
    """``sum_views P A`` ``(rays, samples, d_rgb)`` in (at least) float32 from P and A, each
    ``(rays, samples, views, d_rgb)`` (``unrolled``: by
    :func:`gpnerf.model.view_reductions.unrolled_sum_of_products_over_views`)."""
    accumulate = torch.promote_types(attention.dtype, torch.float32)
    if unrolled:
        return unrolled_sum_of_products_over_views(position, attention, accumulate)
    return (position.to(accumulate) * attention).sum(dim=2)


class FieldAggregationTransformer(nn.Module):
    """One FAT block (Alg. 1), pre-LN with residuals and a feed-forward, as in GNT.

    ``Q = f_Q(X_0)``, ``K = f_K(X_rgb)``, ``V = f_V(X_rgb)`` (or ``f_V(K)``, released),
    ``P = f_P(Delta d)``, ``A = softmax_views(f_A(K - Q + P))``,
    ``S^3D_rgb = f_rgb(sum_views (V + P) A)``.

    ``compute_dtype_attention`` (fast path): the softmax is still evaluated in float32 but its
    result is stored in the logits' dtype (bf16 under autocast) instead of float32, so the
    per-view products that follow stay in bf16; no effect in float32.

    ``fold_logit_projections`` (fast path, values from features): the first layer of ``f_A`` is linear,
    so ``W_1 (K - Q + P) = X_rgb (W_1 W_K)^T - Q W_1^T + P W_1^T`` with ``P W_1^T = h_P (W_1 W_P2)^T +
    W_1 b_P2`` (``h_P`` the hidden layer of ``f_P``). The logits' hidden layer is then built from
    ``d_attn_hidden``-wide per-view tensors: K and ``K - Q + P`` (``d_rgb`` wide per view) are never
    formed, and ``V`` and ``X_rgb (W_1 W_K)^T`` come from one matmul; f_P's first layer (K = 4) runs with K
    zero-padded to a multiple of 8, so its products take 16-byte aligned bf16 operands. Same function, float32 rounding
    aside (:meth:`attention_logits_reference` is the plain composition; tests/model/test_fast_paths.py).

    ``fused_inference`` (fast path, with the folded logits): without autograd and without active
    dropout, on CUDA with Triton, the per-view work from the tokens to ``sum_views (V + P) A`` runs as one
    kernel (:mod:`gpnerf.model.fused_field_attention`), and so does the block's tail (:func:`block_tail`; any
    FAT variant; ``fused_tail``, set with it); elsewhere the PyTorch ops run. Computing in float32, only with
    ``float32_kernels`` (:attr:`gpnerf.model.config.ModelConfig.float32_kernels`).

    ``fused_dropout`` (fast path): the dropout layers draw their keep masks with one Triton kernel where it can
    run (:mod:`gpnerf.model.fused_dropout`); the same distribution as ``nn.Dropout``, a different random stream.
    ``redraw_dropout_masks``: their backward draws the masks again from the seeds instead of keeping them.

    ``weighted_position`` (fast path): the PyTorch ops return ``sum_views P A`` (the fold's only use of P, computed
    beside ``sum_views (V + P) A``, which a compiled block fuses into the same reads) instead of P, as the fused
    kernel does; so the fold never reads the layers' P, nor writes their gradients.

    ``unroll_views`` (fast path): while compiled, the softmax and the sums over views are unrolled into one op per
    view (:mod:`gpnerf.model.view_reductions`), so inductor reads each view's channels as contiguous rows.
    """

    def __init__(
        self, config: TransformerConfig, compute_dtype_attention: bool = False, fold_logit_projections: bool = False,
        fused_inference: bool = False, fused_dropout: bool = False, weighted_position: bool = False,
        unroll_views: bool = False, redraw_dropout_masks: bool = False, float32_kernels: bool = False,
    ) -> None:
        super().__init__()
        d = config.d_rgb
        self.compute_dtype_attention = compute_dtype_attention
        self.float32_kernels = float32_kernels
        self.values_from_keys = config.fat_values_from == "keys"
        self.fold_logit_projections = fold_logit_projections and not self.values_from_keys
        self.fused_inference = fused_inference
        self.fused_tail = fused_inference
        self.weighted_position = weighted_position
        self.unroll_views = unroll_views
        self.attn_norm = nn.LayerNorm(d)
        self.q_fc = nn.Linear(d, d, bias=False)
        self.k_fc = nn.Linear(d, d, bias=False)
        self.v_fc = nn.Linear(d, d, bias=False)
        self.pos_fc = nn.Sequential(nn.Linear(4, config.d_pos_hidden), nn.ReLU(), nn.Linear(config.d_pos_hidden, d))
        self.attn_fc = nn.Sequential(nn.Linear(d, config.d_attn_hidden), nn.ReLU(), nn.Linear(config.d_attn_hidden, d))
        self.out_fc = nn.Linear(d, d)
        self.attn_dropout = dropout(config.dropout, fused_dropout, redraw_dropout_masks)
        self.out_dropout = dropout(config.dropout, fused_dropout, redraw_dropout_masks)
        self.ff_norm = nn.LayerNorm(d)
        self.ff = feed_forward(d, config.ff_multiplier, config.dropout, fused_dropout, redraw_dropout_masks)

    def forward(
        self, query: torch.Tensor, tokens: torch.Tensor | MergedSamples, relative_direction: torch.Tensor,
        valid: torch.Tensor, with_attention: bool = True, query_update: QueryUpdate | None = None,
        prepared: BlockWeights | None = None,
    ) -> tuple[torch.Tensor, FieldAttention | None]:
        """Aggregate source-view tokens into the point features.

        Args:
            query: ``(rays, samples, d_rgb)`` X_0, the current point features.
            tokens: ``(rays, samples, views, d_rgb)`` X_rgb, per-view radiance tokens, or (the fine pass of a render)
                their :class:`MergedSamples`, which the fused kernel reads in the merged order and the PyTorch ops
                gather.
            relative_direction: ``(rays, samples, views, 4)`` Delta d.
            valid: ``(rays, samples, views)`` bool; invalid views get zero attention (unless all are).
            with_attention: return the :class:`FieldAttention` (False, where no semantic path reads it: None, and
                the fused kernel writes the features alone).
            query_update: a q_fc to apply to the block's output in its tail kernel (only where
                :func:`tail_runs_fused`; point terms ``(rays, samples, d_rgb)``, ray terms ``(rays, 1, d_rgb)``), or
                None.
            prepared: the kernels' weights made once (:meth:`prepare_kernel_weights`, for the tokens' compute
                dtype), or None (made for each launch); read only where the kernels run.

        Returns:
            the updated ``(rays, samples, d_rgb)`` features and the :class:`FieldAttention` or None.
        """
        tail_masks = (None, None, None)
        if isinstance(tokens, MergedSamples) and not self._runs_fused(tokens.first):
            tokens = tokens.materialize()
        if self._runs_fused(tokens.first if isinstance(tokens, MergedSamples) else tokens):
            attention_weights = None if prepared is None else prepared.attention
            out, field_attention = self._aggregate_fused(
                query, tokens, relative_direction, valid, with_attention, attention_weights
            )
        else:
            if self.fold_logit_projections:
                v, pos, logits = self.attention_logits_folded(query, tokens, relative_direction)
            else:
                v, pos, logits = self.attention_logits_reference(query, tokens, relative_direction)
            attention_mask, tail_masks = block_dropout_masks(
                self.attn_dropout, logits.shape, self.out_dropout, self.ff, query
            )
            logits = logits.masked_fill(~valid[..., None], torch.finfo(logits.dtype).min)
            unrolled = unrolling(self.unroll_views)
            if unrolled:  # over views, per channel
                attention = unrolled_softmax_over_views(logits, self.compute_dtype_attention)
            else:
                attention = softmax(logits, 2, self.compute_dtype_attention)
            attention = apply_dropout(self.attn_dropout, attention, attention_mask)
            weighted = (v + pos) * attention
            out = unrolled_sum_over_views(weighted) if unrolled else weighted.sum(dim=2)  # (rays, samples, d_rgb)
            if not with_attention:
                field_attention = None
            elif self.weighted_position:
                weighted_position = position_weighted_sum(pos, attention, unrolled)
                field_attention = FieldAttention(attention=attention, position=None, weighted_position=weighted_position)
            else:
                field_attention = FieldAttention(attention=attention, position=pos)
        tail_fused = self.fused_tail and kernels_apply(self, query)
        x = block_tail(
            query, out, self.out_fc, self.out_dropout, self.ff_norm, self.ff, tail_fused, tail_masks, query_update,
            None if prepared is None else prepared.tail,
        )
        return x, field_attention

    def _runs_fused(self, tokens: torch.Tensor) -> bool:
        return (
            self.fused_inference and self.fold_logit_projections and kernels_apply(self, tokens)
            and fused_field_attention_supported(tokens.flatten(0, 1))
        )

    def _folded_weights(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """``W_1 W_K`` ``(h, d_rgb)``, ``W_1 W_Q`` ``(h, d_rgb)``, ``W_1 W_P2`` ``(h, d_pos_hidden)`` and the
        hidden layer's bias ``b_1 + W_1 b_P2`` ``(h,)``, ``h = d_attn_hidden`` (one product).

        The product's right factor gets zero columns up to a multiple of 8, so it and its gradients run as 16-byte
        aligned bf16 products (unpadded, its odd ``2 d_rgb + d_pos_hidden + 1`` columns sent them, 48 products per
        training step, to cuBLAS's unaligned ``align1`` kernels). Each part is its own contiguous tensor: as column
        slices of the product their transposes would send the per-point products there too
        (benchmarks/gemm_shapes.py lists unaligned products)."""
        d = self.v_fc.weight.shape[0]
        first, pos_out = self.attn_fc[0], self.pos_fc[2]
        factors = [self.k_fc.weight, self.q_fc.weight, pos_out.weight, pos_out.bias[:, None]]
        widths = [factor.shape[1] for factor in factors]
        pad = -sum(widths) % 8
        folded = first.weight @ nn.functional.pad(torch.cat(factors, 1), (0, pad))
        parts = folded.split([*widths, pad], 1)[:4]
        key_to_hidden, query_to_hidden, pos_to_hidden, pos_bias = (part.contiguous() for part in parts)
        return key_to_hidden, query_to_hidden, pos_to_hidden, first.bias + pos_bias[:, 0]

    def kernel_weights(self) -> FoldedFieldWeights:
        """The fused kernel's weights (the norm of X_0 and ``W_1 W_Q`` among them: the kernel forms the per-point
        term ``LN(X_0) (W_1 W_Q)^T`` minus the folded bias itself)."""
        key_to_hidden, query_to_hidden, pos_to_hidden, hidden_bias = self._folded_weights()
        return FoldedFieldWeights(
            self.attn_norm, query_to_hidden, hidden_bias, self.v_fc.weight, key_to_hidden, self.pos_fc[0],
            self.pos_fc[2], pos_to_hidden, self.attn_fc[2],
        )

    def prepare_kernel_weights(self, dtype: torch.dtype) -> BlockWeights:
        """The FAT kernel's and the tail kernel's weights for launches computing in ``dtype``, made once."""
        return BlockWeights(
            field_kernel.prepare_weights(self.kernel_weights(), dtype),
            fused_feed_forward.prepare_weights(self.out_fc, self.ff_norm, self.ff, dtype),
        )

    def _aggregate_fused(
        self, query: torch.Tensor, tokens: torch.Tensor | MergedSamples, relative_direction: torch.Tensor,
        valid: torch.Tensor, with_attention: bool, prepared: PreparedWeights | None,
    ) -> tuple[torch.Tensor, FieldAttention | None]:
        """``sum_views (V + P) A`` ``(rays, samples, d_rgb)`` and the :class:`FieldAttention` from the fused kernel
        (None without ``with_attention``)."""
        rays_samples = query.shape[:2]
        if isinstance(tokens, MergedSamples):  # the kernel's products run in the compute dtype, as Linear's would
            dtype = compute_dtype(tokens.first, tokens.first.dtype)
            tokens = replace(tokens, first=tokens.first.to(dtype), second=tokens.second.to(dtype))
        else:
            tokens = tokens.to(compute_dtype(tokens, tokens.dtype)).flatten(0, 1)
        out, logits, peak, inverse_total, weighted_position = fused_field_attention(
            tokens, relative_direction.flatten(0, 1), valid.flatten(0, 1), query.flatten(0, 1),
            self.kernel_weights() if prepared is None else prepared, with_attention,
        )
        if not with_attention:
            return out.unflatten(0, rays_samples), None
        field_attention = FieldAttention(
            attention=None, position=None, weighted_position=weighted_position.unflatten(0, rays_samples),
            logits=logits.unflatten(0, rays_samples), peak=peak.unflatten(0, rays_samples),
            inverse_total=inverse_total.unflatten(0, rays_samples),
        )
        return out.unflatten(0, rays_samples), field_attention

    def attention_logits_reference(
        self, query: torch.Tensor, tokens: torch.Tensor, relative_direction: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """V, P and the unmasked logits ``f_A(K - Q + P)``, each ``(rays, samples, views, d_rgb)``, as written."""
        q = self.q_fc(self.attn_norm(query))[:, :, None, :]  # (rays, samples, 1, d_rgb)
        k = self.k_fc(tokens)  # (rays, samples, views, d_rgb)
        v = self.v_fc(k if self.values_from_keys else tokens)
        pos = self.pos_fc(relative_direction)  # (rays, samples, views, d_rgb)
        return v, pos, self.attn_fc(k - q + pos)

    def attention_logits_folded(
        self, query: torch.Tensor, tokens: torch.Tensor, relative_direction: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """:meth:`attention_logits_reference` with ``f_A``'s first layer folded into K, Q and P (class docstring)."""
        d = self.v_fc.weight.shape[0]
        pos_hidden = torch.relu(aligned_linear(self.pos_fc[0], relative_direction))  # (rays, samples, views, h_P)
        pos = self.pos_fc[2](pos_hidden)  # (rays, samples, views, d_rgb)
        key_to_hidden, query_to_hidden, pos_to_hidden, hidden_bias = self._folded_weights()
        value_and_key = tokens @ torch.cat([self.v_fc.weight, key_to_hidden]).t()
        v, key_hidden = value_and_key[..., :d], value_and_key[..., d:]  # d_rgb and d_attn_hidden wide
        query_hidden = self.attn_norm(query) @ query_to_hidden.t()  # (rays, samples, d_attn_hidden)
        hidden = key_hidden - query_hidden[:, :, None, :] + pos_hidden @ pos_to_hidden.t() + hidden_bias.to(key_hidden.dtype)
        return v, pos, self.attn_fc[2](torch.relu(hidden))


def aggregate_semantic_field(
    semantic_tokens: torch.Tensor, field_attention: FieldAttention, add_position: bool
) -> torch.Tensor:
    """Semantic-embedding field of one FAT block (Eq. 5; Alg. 1 lines 5, 6, 9).

    ``S^3D_sem[c] = sum_views (X_sem[c] + P'[c]) A'[c]`` with ``A' = A.repeat_interleave(r)`` and
    ``P' = P.repeat_interleave(r)``, ``r = d_sem / d_rgb``: attention channel ``j`` drives semantic
    channels ``[r j, r (j + 1))``. Computed with a view ``(..., d_rgb, r)`` instead of materialising
    the repeated tensors. The "Mean" of Eq. 5 is the attention-weighted sum over views (A sums to 1
    over views), as released.

    Args:
        semantic_tokens: ``(rays, samples, views, d_sem)`` X_sem, sampled source features.
        field_attention: A (and P) of the block, each ``(rays, samples, views, d_rgb)``.
        add_position: add P' (paper) or not (released).

    Returns:
        ``(rays, samples, d_sem)``.
    """
    d_sem = semantic_tokens.shape[-1]
    d_rgb = field_attention.attention.shape[-1]
    if d_sem % d_rgb != 0:
        raise ValueError(
            f"d_sem ({d_sem}) must be divisible by d_rgb ({d_rgb}) to share the FAT attention; got "
            f"remainder {d_sem % d_rgb}. Change encoder.d_fpn or transformer.d_rgb."
        )
    factor = d_sem // d_rgb
    x = semantic_tokens.unflatten(-1, (d_rgb, factor))  # (rays, samples, views, d_rgb, factor)
    if add_position:
        x = x + field_attention.position[..., None]
    out = (x * field_attention.attention[..., None]).sum(dim=2)  # (rays, samples, d_rgb, factor)
    return out.flatten(-2)  # (rays, samples, d_sem)

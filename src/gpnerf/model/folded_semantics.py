"""Fast semantic path: all layers' shared attentions folded into one weight per (point, view, channel).

The reference path (:mod:`gpnerf.model.transformer`) re-aggregates the sampled source features
X_sem once per layer ``l``: ``S3D_l = sum_v (X + P'_l) A'_l`` (Eq. 5) and
``S2D_l[i] = sum_j A_RAT_l[head(c), i, j] S3D_l[j]`` (Eq. 7), then sums over layers. Both are
linear in X, so with ``m_l[h, j] = mean_i A_RAT_l[h, i, j]`` (column mean over query points) and
channel ``c = g r + k`` (``g`` the FAT attention channel, ``r = d_sem / d_rgb``,
``head(c) = g // (d_rgb / heads)`` because ``d_rgb`` is divisible by ``heads``):

* semantic field   ``sum_l S3D_l[j, c]        = sum_v X[j, v, c] Asum[j, v, g] + sum_l sum_v P_l A_l [j, g]``
  with ``Asum = sum_l A_l``;
* rendered (pre-MLP) ``mean_i sum_l S2D_l[i, c] = sum_{j, v} X[j, v, c] W[j, v, g] + sum_j sum_l m_l[head(g), j] sum_v P_l A_l [j, g]``
  with ``W[j, v, g] = sum_l m_l[head(g), j] A_l[j, v, g]``.

X (``d_sem`` = 512 wide) is read twice instead of ``2 L`` times, and the ``(samples x samples)``
semantic matmuls of every layer disappear. The folded weights are accumulated in (at least) float32. The
identity holds for any attention tensors, so it is exact with dropout too (the same post-dropout
maps are used). docs/performance.md gives the derivation and the tolerances.

At inference with the fused kernels X is deferred (never sampled into memory) and, where every layer's A is the FAT
kernel's logits and softmax statistics, W is not formed either: one kernel forms it on chip while it samples and
contracts X (:mod:`gpnerf.model.fused_attention_contraction`), from per-layer scales that another forms together with
the position term (:mod:`gpnerf.model.fused_fold_statistics`).
"""

import torch

from gpnerf.model.field_aggregation import FieldAttention
from gpnerf.model.fused_attention_contraction import contract_attention, fused_contraction_supported
from gpnerf.model.fused_feature_sampling import DeferredSamples
from gpnerf.model.fused_fold_statistics import fold_statistics
from gpnerf.model.ray_aggregation import RayAttention
from gpnerf.model.view_reductions import unrolled_sum_over_views, unrolling


def fold_semantic_path(
    semantic_tokens: torch.Tensor | DeferredSamples,
    field_attentions: list[FieldAttention],
    ray_attentions: list[RayAttention],
    add_position: bool,
    with_field: bool,
) -> tuple[torch.Tensor | None, torch.Tensor]:
    """Semantic field and the sample-mean of the rendered feature, summed over layers.

    Args:
        semantic_tokens: ``(rays, samples, views, d_sem)`` X_sem, or the maps and coordinates to sample it from
            (inference, ``with_field`` False: sampled and contracted on chip by one kernel).
        field_attentions: per layer, A_FAT ``(rays, samples, views, d_rgb)`` and P (or ``sum_views P A``).
        ray_attentions: per layer, A_RAT (rows = queries) or its column means (the fused kernel's).
        add_position: include the ``+P'`` terms (paper) or not (released).
        with_field: also return the semantic field (else None; rendering with a head needs none).

    Returns:
        field ``(rays, samples, d_sem)`` or None, and ``mean_samples sum_l S2D_l`` ``(rays, d_sem)``
        (the input of the adaptor MLP of Eq. 7).
    """
    if len(field_attentions) != len(ray_attentions) or not field_attentions:
        raise ValueError(
            f"need one FAT and one RAT attention per layer (>= 1 layer); got {len(field_attentions)} and {len(ray_attentions)}."
        )
    deferred = isinstance(semantic_tokens, DeferredSamples)
    if deferred and with_field:
        raise ValueError("deferred semantic samples give the rendered term only; sample X to build the semantic field.")
    d_sem = semantic_tokens.channels if deferred else semantic_tokens.shape[-1]
    d_rgb = field_attentions[0].channels
    column_means = [ray_attention.column_means() for ray_attention in ray_attentions]  # (rays, heads, samples)
    heads = column_means[0].shape[1]
    if d_sem % d_rgb != 0 or d_rgb % heads != 0:
        raise ValueError(
            f"d_sem ({d_sem}) must be divisible by d_rgb ({d_rgb}) and d_rgb by the RAT head count ({heads}) "
            "to fold the shared attentions. Change encoder.d_fpn, transformer.d_rgb or transformer.num_heads."
        )
    # from the FAT kernel's logits: W formed on chip by the contraction (gpnerf.model.fused_attention_contraction)
    weight_on_chip = deferred and fused_contraction_supported(semantic_tokens, field_attentions)
    attention_sum = weight = None  # (rays, samples, views, d_rgb), >= float32
    position_field = position_rendered = None  # (rays, samples, d_rgb), >= float32
    position_sum = None  # (rays, d_rgb), >= float32
    layers = () if weight_on_chip else zip(field_attentions, column_means)  # on chip: fold_statistics below
    for field_attention, column_mean in layers:
        accumulate = torch.promote_types(column_mean.dtype, torch.float32)
        m = column_mean.to(accumulate).transpose(1, 2).repeat_interleave(d_rgb // heads, dim=-1)  # (rays, samples, d_rgb)
        a = field_attention.probabilities()  # compute dtype or float32; the products below promote it exactly
        if weight is None:
            weight = a * m[:, :, None, :]
        else:  # one read-modify-write of the float32 weight per layer, no float32 copy of A
            weight = weight.addcmul_(a, m[:, :, None, :])
        if with_field:
            attention_sum = a.to(accumulate) if attention_sum is None else attention_sum + a
        if add_position:
            pa = field_attention.weighted_position_sum()  # (rays, samples, d_rgb), >= float32
            position_rendered = pa * m if position_rendered is None else position_rendered + pa * m
            if with_field:
                position_field = pa if position_field is None else position_field + pa
    unrolled = unrolling(True)  # compiled: sums over views as one add per view (gpnerf.model.view_reductions)
    if weight_on_chip:  # one kernel for the scales and the position sum, one for the contraction
        statistics = fold_statistics(field_attentions, column_means, add_position)
        rendered = contract_attention(semantic_tokens, field_attentions, statistics.scales)  # (rays, d_rgb, r)
        position_sum = statistics.position
    elif deferred:
        rendered = semantic_tokens.contract(weight)  # (rays, d_rgb, r), sampled and summed in float32
    else:
        x = semantic_tokens.unflatten(-1, (d_rgb, d_sem // d_rgb))  # (rays, samples, views, d_rgb, r)
        if unrolled:  # per point in float32, then over samples: pointwise kernels reading X once for both terms
            rendered = unrolled_sum_over_views(x.to(weight.dtype) * weight[..., None]).sum(dim=1).to(x.dtype)
        else:
            rendered = torch.einsum("rsvgk,rsvg->rgk", x, weight.to(x.dtype))  # (rays, d_rgb, r)
    if add_position:
        position_sum = position_rendered.sum(dim=1) if position_sum is None else position_sum
        rendered = rendered + position_sum.to(rendered.dtype)[..., None]
    field = None
    if with_field:
        weighted = x * attention_sum.to(x.dtype)[..., None]
        field = unrolled_sum_over_views(weighted) if unrolled else weighted.sum(dim=2)  # (rays, samples, d_rgb, r)
        if add_position:
            field = field + position_field.to(field.dtype)[..., None]
        field = field.flatten(-2)
    return field, rendered.flatten(-2)

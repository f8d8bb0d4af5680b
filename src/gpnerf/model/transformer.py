"""The GNT stack of alternating FAT / RAT blocks with the GP-NeRF semantic taps (paper Sec. 4.2).

Composition (as released, lifuguan/GP-NeRF transformer_network.py; the paper gives no other):

* ``q = max_views rgbfeat_fc(X_rgb)``; for layer ``i``: ``q, A_FAT_i = FAT_i(q, X_rgb)``;
  if ``i % q_fc_every == 0``: ``q = q_fc_i([q, PE(x), PE(d)])``; ``q, A_RAT_i = RAT_i(q)``.
* Semantic path: every layer re-aggregates the *raw* sampled source features X_sem with its own
  attention, ``S3D_i = FATsem(X_sem; A_FAT_i)`` (Eq. 5) and ``S2D_i = RATsem(S3D_i; A_RAT_i)``
  (Eq. 7); nothing is carried between layers. Semantic field ``= sum_i S3D_i`` ``(rays, samples,
  d_sem)``; rendered feature ``= MLP(mean_samples sum_i S2D_i)`` ``(rays, d_sem)``.
* RGB ``= rgb_fc(mean_samples LayerNorm(q))`` (Eq. 6, no sigmoid, as released).
* Per-point weights: the last RAT attention averaged over heads, row of query point 0
  (``first_row``, released) or the mean over all query rows (``mean_rows``); each row sums to 1.
* Frozen attention (Table 4 ID 1): A_FAT, P and A_RAT are detached where the semantic path uses them.
* ``implementation="fast"``: the same function with the semantic path folded over layers
  (:mod:`gpnerf.model.folded_semantics`) and attention maps kept in the compute dtype
  (docs/performance.md); with ``fused_kernels``, FAT and RAT blocks at inference on CUDA run one Triton
  kernel each (:mod:`gpnerf.model.fused_field_attention`, :mod:`gpnerf.model.fused_ray_attention`), and so does
  the input embedding (:mod:`gpnerf.model.fused_embedding`; a render's fine pass embeds only its importance samples
  and its FAT kernels read the coarse pass's X_rgb beside theirs: :func:`embed_second_samples`); in training each
  block's dropout layers draw their keep decisions from one kernel call (:mod:`gpnerf.model.fused_dropout`). While
  compiled, the FAT blocks and the fold write their softmax and sums over views as one op per view
  (:mod:`gpnerf.model.view_reductions`).
* ``implementation="fast"`` also splits each q_fc's first layer: the PE(x), PE(d) part of all q_fcs is one
  product per pass (:func:`project_positions`), so no layer concatenates ``[q, PE(x), PE(d)]`` (K = 190, an
  unaligned matrix product) and each update multiplies only q (:func:`update_query_projected`). At inference with
  ``fused_kernels`` the PE(x) part is one Triton kernel that encodes the points on chip
  (:mod:`gpnerf.model.fused_position_terms`): PE(x) itself is never written.
* ``activation_checkpointing``: in training each layer's activations are recomputed in backward;
  only the layer outputs (q, A_FAT, P, A_RAT) are kept.
* Within :meth:`GeneralizableTransformer.frame_weights` (a rendered frame) the kernels' weights are made once per
  layer and compute dtype and shared by every chunk's launches, instead of a few small kernels per launch.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from gpnerf.model.aligned import aligned_linear
from gpnerf.model.config import ModelConfig
from gpnerf.model.fan_out import fan_out, sum_tensors
from gpnerf.model.field_aggregation import (
    BlockWeights, FieldAggregationTransformer, FieldAttention, aggregate_semantic_field, tail_runs_fused,
)
from gpnerf.model.folded_semantics import fold_semantic_path
from gpnerf.model.fused_embedding import fused_embedding, fused_embedding_supported
from gpnerf.model.fused_feature_sampling import DeferredSamples
from gpnerf.model.fused_feed_forward import QueryUpdate, prepare_update_weights
from gpnerf.model.fused_position_terms import position_terms_fused, position_terms_supported, position_weight
from gpnerf.model.posenc import PositionalEncoding
from gpnerf.model.point_inputs import MergedSamples, merge_along_samples
from gpnerf.model.ray_aggregation import RayAggregationTransformer, RayAttention, render_semantic_points
from gpnerf.model.triton_support import PreparedWeights, compute_dtype, products_in_kernels


@dataclass
class EmbeddedPoints:
    """The stack's inputs embedded from the sampled RGB tokens (:func:`embed_points`).

    Attributes:
        tokens: ``(rays, samples, views, d_rgb)`` X_rgb, or (the fine pass of a render) the :class:`MergedSamples`
            of the coarse pass's X_rgb and the importance samples'.
        query: ``(rays, samples, d_rgb)`` X_0, the max of X_rgb over views.
    """

    tokens: torch.Tensor | MergedSamples
    query: torch.Tensor


@dataclass
class RayBundleOutput:
    """Outputs for a batch of rays.

    Attributes:
        rgb: ``(rays, 3)`` colour (unclamped).
        weights: ``(rays, samples)`` per-point RAT weights, summing to 1 over samples.
        semantic_field: ``(rays, samples, d_sem)`` semantic-embedding field, or None.
        semantic_rendered: ``(rays, d_sem)`` rendered semantic feature S^2D_sem, or None.
        embedded: the pass's :class:`EmbeddedPoints` where the caller asked to keep them (``keep_embedding``: the
            fine pass of a render reuses the coarse pass's), else None.
    """

    rgb: torch.Tensor
    weights: torch.Tensor
    semantic_field: torch.Tensor | None
    semantic_rendered: torch.Tensor | None
    embedded: EmbeddedPoints | None = None


@dataclass(frozen=True)
class LayerWeights:
    """One layer's kernel weights made once (:meth:`GeneralizableTransformer.frame_weights`): its FAT block's, its
    q_fc's (None where the layer has none) and its RAT block's."""

    field: BlockWeights
    update: PreparedWeights | None
    ray: BlockWeights


class GeneralizableTransformer(nn.Module):
    """FAT/RAT stack with shared-attention semantic rendering; see the module docstring."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        tcfg = config.transformer
        self.config = config
        self.fast = config.implementation == "fast"
        d = tcfg.d_rgb
        d_in = 3 + config.encoder.d_rgb_features
        self.posenc = PositionalEncoding(tcfg.num_frequencies)
        self.rgbfeat_fc = nn.Sequential(nn.Linear(d_in, d), nn.ReLU(), nn.Linear(d, d))
        fused = self.fast and config.fused_kernels
        self.float32_kernels = config.float32_kernels  # float32 passes: products in the kernels too
        self.embedding_kernel = fused  # X_rgb and X_0 from one kernel at inference (embed_points)
        self.position_terms_kernel = fused  # the q_fcs' PE(x) terms from one kernel at inference (project_positions)
        self.field_blocks = nn.ModuleList(
            FieldAggregationTransformer(
                tcfg, self.fast, fold_logit_projections=self.fast, fused_inference=fused, fused_dropout=fused,
                weighted_position=self.fast, unroll_views=self.fast, redraw_dropout_masks=config.redraw_dropout_masks,
                float32_kernels=config.float32_kernels,
            )
            for _ in range(tcfg.num_layers)
        )
        self.ray_blocks = nn.ModuleList(
            RayAggregationTransformer(
                tcfg, self.fast, fused_inference=fused, fused_dropout=fused,
                redraw_dropout_masks=config.redraw_dropout_masks, float32_kernels=config.float32_kernels,
            )
            for _ in range(tcfg.num_layers)
        )
        q_layers = [i for i in range(tcfg.num_layers) if i % tcfg.q_fc_every == 0]
        self.q_fc_index = {layer: k for k, layer in enumerate(q_layers)}
        d_q = d + 2 * self.posenc.d_out(3)
        self.q_fcs = nn.ModuleList(nn.Sequential(nn.Linear(d_q, d), nn.ReLU(), nn.Linear(d, d)) for _ in q_layers)
        self.norm = nn.LayerNorm(d)
        self.rgb_fc = nn.Linear(d, 3)
        d_sem = config.encoder.d_sem
        adaptor = [nn.Linear(d_sem, d_sem)]
        if config.semantic.adaptor == "linear_relu":
            adaptor.append(nn.ReLU())
        self.semantic_adaptor = nn.Sequential(*adaptor)
        # The stack's elementwise glue and the fast path's fold, as plain functions of their modules:
        # gpnerf.model.compile_transformer_blocks swaps in compiled versions of them.
        self.embed_points = embed_points
        self.update_query = update_query
        self.project_positions = project_positions
        self.update_query_projected = update_query_projected
        self.read_out = read_out
        self.fold_semantics = fold_semantic_path
        self.sum_tensors = sum_tensors  # the FAT blocks' token gradients summed in one pass (fan_out)
        # per (layer, dtype) its LayerWeights, per ("positions", dtype) the PE(x) kernel's weight
        self._frame_weights: dict[tuple[int | str, torch.dtype], LayerWeights | torch.Tensor] | None = None

    @contextmanager
    def frame_weights(self) -> Iterator[None]:
        """Within it, each layer's kernel weights (``prepare_kernel_weights`` of its blocks, its q_fc's) are made at
        their first use without autograd, once per compute dtype, and every later forward's launches share them
        (the chunks of one rendered frame: :meth:`gpnerf.model.GPNeRF.render_image`). They are dropped on exit, so
        the next frame reads the parameters again. Under autograd, or where no kernel runs, the blocks work as
        outside it."""
        self._frame_weights = {}
        try:
            yield
        finally:
            self._frame_weights = None

    def _layer_weights(self, i: int, tokens: torch.Tensor) -> LayerWeights | None:
        """Layer ``i``'s weights for the compute dtype of ``tokens`` within :meth:`frame_weights`, else None."""
        if (
            self._frame_weights is None or torch.is_grad_enabled()
            or not products_in_kernels(tokens, self.float32_kernels)
        ):
            return None
        dtype = compute_dtype(tokens, tokens.dtype)
        weights = self._frame_weights.get((i, dtype))
        if weights is None:
            k = self.q_fc_index.get(i)
            update = None if k is None else prepare_update_weights(self.q_fcs[k], tokens.shape[-1], dtype)
            field, ray = (blocks[i].prepare_kernel_weights(dtype) for blocks in (self.field_blocks, self.ray_blocks))
            weights = self._frame_weights[i, dtype] = LayerWeights(field, update, ray)
        return weights

    def _position_terms(self, xyz_world: torch.Tensor) -> torch.Tensor:
        """The q_fcs' PE(x) terms ``(rays, samples, len(q_fcs) d_rgb)`` from the kernel
        (:func:`gpnerf.model.fused_position_terms.position_terms_fused`), its weight made once a compute dtype
        within :meth:`frame_weights`."""
        dtype = compute_dtype(xyz_world, torch.float32)
        cache = self._frame_weights
        weight = None if cache is None else cache.get(("positions", dtype))
        if weight is None:
            weight = position_weight(self.q_fcs, self.posenc.d_out(3), dtype)
            if cache is not None:
                cache["positions", dtype] = weight
        return position_terms_fused(xyz_world, weight, self.posenc.num_frequencies)

    def _layer(
        self, i: int, q: torch.Tensor, tokens: torch.Tensor | MergedSamples, relative_direction: torch.Tensor,
        valid: torch.Tensor,
        pe_xyz: torch.Tensor | None, pe_dir: torch.Tensor, position_terms: list[tuple[torch.Tensor, torch.Tensor]] | None,
        with_attention: bool = True,
    ) -> tuple[torch.Tensor, FieldAttention | None, RayAttention]:
        """Layer ``i``: FAT, optional q_fc, RAT -> (q ``(rays, samples, d_rgb)``, the FAT's
        :class:`FieldAttention` (None without ``with_attention``: no semantic path reads it), the RAT's
        :class:`RayAttention`, with the summaries someone reads: the column means where the semantic path runs or
        the last layer's depth weights are the mean of the rows, the first row in the last layer where the depth
        weights are that row). ``position_terms``: per q_fc, its columns of :func:`project_positions`' two results
        (fast path), else None (each q_fc takes ``[q, PE(x), PE(d)]``); where the FAT block's tail runs as its kernel,
        that kernel applies the projected q_fc too."""
        field_block, k = self.field_blocks[i], self.q_fc_index.get(i)
        terms = None if k is None or position_terms is None else position_terms[k]
        prepared = self._layer_weights(i, tokens.first if isinstance(tokens, MergedSamples) else tokens)
        field_weights = None if prepared is None else prepared.field
        update = None
        if terms is not None and tail_runs_fused(field_block, q):
            point_terms, ray_terms = terms
            update = QueryUpdate(self.q_fcs[k], point_terms, ray_terms, None if prepared is None else prepared.update)
        q, field_attention = field_block(q, tokens, relative_direction, valid, with_attention, update, field_weights)
        if update is None:
            if terms is not None:
                q = self.update_query_projected(self.q_fcs[k], q, *terms)
            elif k is not None:
                q = self.update_query(self.q_fcs[k], q, pe_xyz, pe_dir)
        last = i == len(self.ray_blocks) - 1
        first_row_weights = self.config.sampling.depth_weights == "first_row"
        with_column_mean = with_attention or (last and not first_row_weights)
        q, ray_attention = self.ray_blocks[i](
            q, with_column_mean, last and first_row_weights, None if prepared is None else prepared.ray
        )
        return q, field_attention, ray_attention

    def forward(
        self,
        rgb_tokens: torch.Tensor | MergedSamples,
        semantic_tokens: torch.Tensor | DeferredSamples | None,
        relative_direction: torch.Tensor,
        valid: torch.Tensor,
        xyz_world: torch.Tensor,
        view_direction: torch.Tensor,
        with_field: bool = True,
        keep_embedding: bool = False,
        embedded_first: EmbeddedPoints | None = None,
    ) -> RayBundleOutput:
        """Aggregate and render a batch of rays.

        Args:
            rgb_tokens: ``(rays, samples, views, 3 + d_rgb_features)`` sampled RGB + F^rgb, or (the fine pass at
                inference with the fused kernels) their :class:`MergedSamples` (gathered unless ``embedded_first``).
            semantic_tokens: ``(rays, samples, views, d_sem)`` sampled F^sem, or None (RGB only), or (fast
                implementation at inference, ``with_field`` False) the maps and coordinates to sample it from.
            relative_direction: ``(rays, samples, views, 4)``.
            valid: ``(rays, samples, views)`` bool.
            xyz_world: ``(rays, samples, 3)`` sample points, world frame.
            view_direction: ``(rays, 3)`` unit target-ray directions, world frame.
            with_field: return the semantic field; the ``fast`` implementation skips computing it
                when False (the reference computes it anyway, as an intermediate).
            keep_embedding: return X_rgb and X_0 in :attr:`RayBundleOutput.embedded` (the coarse pass of a render,
                for the fine pass).
            embedded_first: the :class:`EmbeddedPoints` of ``rgb_tokens.first`` (a :class:`MergedSamples`: the
                coarse pass's, kept by ``keep_embedding``): only ``rgb_tokens.second`` is embedded, and the FAT blocks
                read X_rgb from both in the merged order (:func:`embed_second_samples`).
        """
        frozen = self.config.semantic.attention == "frozen"
        add_position = self.config.semantic.fat_add_pos
        products = not torch.is_grad_enabled() and products_in_kernels(xyz_world, self.float32_kernels)  # inference
        position_kernel = self.position_terms_kernel and products and position_terms_supported(xyz_world)
        embedding_kernel = self.embedding_kernel and products
        if embedded_first is not None and isinstance(rgb_tokens, MergedSamples):
            tokens, q = embed_second_samples(self.rgbfeat_fc, embedded_first, rgb_tokens, embedding_kernel)
            pe_xyz, pe_dir = encode_points(self.posenc, xyz_world, view_direction, not position_kernel)
        else:
            if isinstance(rgb_tokens, MergedSamples):
                rgb_tokens = rgb_tokens.materialize()
            tokens, q, pe_xyz, pe_dir = self.embed_points(
                self.rgbfeat_fc, self.posenc, rgb_tokens, xyz_world, view_direction, embedding_kernel,
                not position_kernel,
            )
        embedded = EmbeddedPoints(tokens, q) if keep_embedding else None
        position_terms = None
        if self.fast:  # the PE(x) terms from the kernel where it runs: PE(x) itself is then never formed
            xyz_terms = self._position_terms(xyz_world) if position_kernel else None
            terms = self.project_positions(self.q_fcs, pe_xyz, pe_dir, xyz_terms)
            # each q_fc's (PE(x), PE(d)) columns as views from one split of each: autograd joins their gradients
            # in one concatenation, where a slice per q_fc writes a zero-filled full-width gradient to add up
            position_terms = list(zip(*(t.split(q.shape[-1], dim=-1) for t in terms)))
        layers = len(self.field_blocks)
        # each FAT block reads its own alias of the tokens, so that their gradients are summed in one pass
        fanned = self.fast and isinstance(tokens, torch.Tensor) and tokens.requires_grad
        layer_tokens = fan_out(tokens, layers, self.sum_tensors) if fanned else (tokens,) * layers
        field_sum = rendered_sum = None
        field_attentions, ray_attentions = [], []
        checkpointed = self.config.activation_checkpointing and self.training and torch.is_grad_enabled()
        for i in range(layers):
            layer_inputs = (
                i, q, layer_tokens[i], relative_direction, valid, pe_xyz, pe_dir, position_terms, semantic_tokens is not None
            )
            if checkpointed:  # keep only the layer outputs; recompute the rest in backward (same dropout masks)
                q, field_attention, ray_attention = checkpoint(self._layer, *layer_inputs, use_reentrant=False)
            else:
                q, field_attention, ray_attention = self._layer(*layer_inputs)
            if semantic_tokens is None:
                continue
            if frozen:
                field_attention = field_attention.detached()
            semantic_ray_attention = ray_attention.detached() if frozen else ray_attention
            if self.fast:
                field_attentions.append(field_attention)
                ray_attentions.append(semantic_ray_attention)
                continue
            s3d = aggregate_semantic_field(semantic_tokens, field_attention, add_position)
            s2d = render_semantic_points(s3d, semantic_ray_attention.attention)
            field_sum = s3d if field_sum is None else field_sum + s3d
            rendered_sum = s2d if rendered_sum is None else rendered_sum + s2d
        rendered_mean = None if rendered_sum is None else rendered_sum.mean(dim=1)
        if self.fast and semantic_tokens is not None:
            field_sum, rendered_mean = self.fold_semantics(
                semantic_tokens, field_attentions, ray_attentions, add_position, with_field
            )
        rgb, weights = self.read_out(self.norm, self.rgb_fc, q, ray_attention, self.config.sampling.depth_weights)
        rendered = None if rendered_mean is None else self.semantic_adaptor(rendered_mean)
        return RayBundleOutput(
            rgb=rgb, weights=weights, semantic_field=field_sum, semantic_rendered=rendered, embedded=embedded
        )


def embed_points(
    rgbfeat_fc: nn.Module, posenc: PositionalEncoding, rgb_tokens: torch.Tensor, xyz_world: torch.Tensor,
    view_direction: torch.Tensor, fused: bool = False, encode_positions: bool = True,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """The stack's inputs from the sampled tokens and the points.

    Args:
        rgb_tokens: ``(rays, samples, views, d_in)`` sampled RGB + F^rgb.
        xyz_world: ``(rays, samples, 3)``; view_direction: ``(rays, 3)`` unit.
        fused: the caller's (fast path with kernels, no autograd): X_rgb and X_0 from one Triton kernel where it
            applies (:mod:`gpnerf.model.fused_embedding`), else from these PyTorch ops.
        encode_positions: return PE(x) (False: None; the PE(x) terms kernel encodes the points itself).

    Returns:
        X_rgb = ``rgbfeat_fc(rgb_tokens)`` ``(rays, samples, views, d_rgb)``, X_0 = its max over views
        ``(rays, samples, d_rgb)``, and the encodings PE(x) (or None) and PE(d) ``(rays, samples, d_pe)``.
    """
    pe_xyz, pe_dir = encode_points(posenc, xyz_world, view_direction, encode_positions)
    return *embed_tokens(rgbfeat_fc, rgb_tokens, fused), pe_xyz, pe_dir


def embed_tokens(
    rgbfeat_fc: nn.Module, rgb_tokens: torch.Tensor, fused: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """X_rgb = ``rgbfeat_fc(rgb_tokens)`` ``(rays, samples, views, d_rgb)`` and X_0 = its max over views ``(rays,
    samples, d_rgb)`` from ``(rays, samples, views, d_in)`` tokens: one Triton kernel where ``fused`` (the caller's:
    fast path with kernels, no autograd) and it applies (:mod:`gpnerf.model.fused_embedding`), else PyTorch ops."""
    table = rgb_tokens.flatten(0, 1)
    if fused and fused_embedding_supported(table, rgbfeat_fc):
        rays_samples = rgb_tokens.shape[:2]
        tokens, query = fused_embedding(table, rgbfeat_fc)
        return tokens.unflatten(0, rays_samples), query.unflatten(0, rays_samples)
    tokens = rgbfeat_fc[1:](aligned_linear(rgbfeat_fc[0], rgb_tokens))  # its d_in (35 in the presets) padded
    return tokens, tokens.max(dim=2).values


def encode_points(
    posenc: PositionalEncoding, xyz_world: torch.Tensor, view_direction: torch.Tensor, encode_positions: bool = True,
) -> tuple[torch.Tensor | None, torch.Tensor]:
    """PE(x) ``(rays, samples, d_pe)`` (None without ``encode_positions``) and PE(d), one row a ray expanded over the
    samples ``(rays, samples, d_pe)``; ``xyz_world`` ``(rays, samples, 3)``, ``view_direction`` ``(rays, 3)``."""
    pe_dir = posenc(view_direction)[:, None, :].expand(-1, xyz_world.shape[1], -1)
    return (posenc(xyz_world) if encode_positions else None), pe_dir


def embed_second_samples(
    rgbfeat_fc: nn.Module, embedded_first: EmbeddedPoints, rgb_tokens: MergedSamples, fused: bool = False,
) -> tuple[MergedSamples, torch.Tensor]:
    """X_rgb and X_0 of the merged points given those of ``rgb_tokens.first`` already: only ``rgb_tokens.second``
    ``(rays, samples', views, d_in)`` goes through ``rgbfeat_fc`` (the same function of each point's tokens, so the
    first points' embedding is what embedding them again would give, to the embedding's float32 rounding).

    Args:
        embedded_first: X_rgb ``(rays, samples, views, d_rgb)`` and X_0 ``(rays, samples, d_rgb)`` of the first
            points (the coarse pass's).
        rgb_tokens: the merged points' sampled RGB + F^rgb, first and second with their merged order.
        fused: the caller's (fast path with kernels, no autograd): the embedding kernel where it applies.

    Returns:
        X_rgb as the :class:`MergedSamples` of the two embeddings (its rows made once for every FAT block's kernel),
        and X_0 ``(rays, samples + samples', d_rgb)`` in the merged order.
    """
    tokens, query = embed_tokens(rgbfeat_fc, rgb_tokens.second, fused)
    merged = MergedSamples(embedded_first.tokens, tokens, rgb_tokens.order)
    merged.rows = merged.source_rows()  # once for every FAT block's kernel
    query = merge_along_samples(embedded_first.query, query, rgb_tokens.order, 1)
    return merged, query


def update_query(q_fc: nn.Module, q: torch.Tensor, pe_xyz: torch.Tensor, pe_dir: torch.Tensor) -> torch.Tensor:
    """``q_fc([q, PE(x), PE(d)])`` ``(rays, samples, d_rgb)`` (inputs ``(rays, samples, .)``)."""
    return q_fc(torch.cat([q, pe_xyz, pe_dir], dim=-1))


def project_positions(
    q_fcs: nn.ModuleList, pe_xyz: torch.Tensor | None, pe_dir: torch.Tensor, xyz_terms: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The part of every q_fc's first layer that reads PE(x) and PE(d), for all q_fcs in one product (fast path).

    ``q_fc[0]([q, PE(x), PE(d)]) = q W_q^T + PE(x) W_x^T + PE(d) W_d^T + b`` with ``[W_q | W_x | W_d]`` the layer's
    weight. The last two terms do not change between layers, so all q_fcs' are computed here at once: PE(x) per
    point and PE(d) once per ray (K padded with zero columns to a multiple of 8 in both, so the products' operands
    are 16-byte aligned in bf16).

    Args:
        pe_xyz: ``(rays, samples, d_pe)``; pe_dir: ``(rays, samples, d_pe)``, one row per ray expanded over samples.
        xyz_terms: the PE(x) terms already made (the kernel's, :mod:`gpnerf.model.fused_position_terms`; then
            ``pe_xyz`` may be None), or None.

    Returns:
        the PE(x) terms ``(rays, samples, len(q_fcs) * d_rgb)`` and the PE(d) terms ``(rays, 1, len(q_fcs) *
        d_rgb)``, q_fc ``k``'s in columns ``[k d_rgb, (k + 1) d_rgb)``. Their sum is not formed here: each update adds
        it where it reads the terms (:func:`update_query_projected`, or the block tail kernel's :class:`QueryUpdate`),
        so no ``(rays, samples, len(q_fcs) * d_rgb)`` sum is written and read back.
    """
    d_pe = pe_dir.shape[-1]
    d_rgb = q_fcs[0][0].weight.shape[1] - 2 * d_pe
    weight = torch.cat([q_fc[0].weight[:, d_rgb:] for q_fc in q_fcs])  # (len(q_fcs) d_rgb, 2 d_pe)
    pad = -d_pe % 8
    if xyz_terms is None:
        xyz_terms = nn.functional.pad(pe_xyz, (0, pad)) @ nn.functional.pad(weight[:, :d_pe], (0, pad)).t()
    # PE(d) is the same for a ray's samples: one row per ray, (rays, 1, .)
    direction_terms = nn.functional.pad(pe_dir[:, :1], (0, pad)) @ nn.functional.pad(weight[:, d_pe:], (0, pad)).t()
    return xyz_terms, direction_terms


def update_query_projected(
    q_fc: nn.Module, q: torch.Tensor, point_terms: torch.Tensor, ray_terms: torch.Tensor
) -> torch.Tensor:
    """:func:`update_query` given :func:`project_positions`' terms for this q_fc (PE(x)'s ``(rays, samples, d_rgb)``,
    PE(d)'s ``(rays, 1, d_rgb)``): only q goes through the first layer's product (its weight's first ``d_rgb``
    columns, made contiguous so the product's operands stay aligned)."""
    first, activation, second = q_fc
    d_rgb = q.shape[-1]
    position = point_terms + ray_terms
    return second(activation(nn.functional.linear(q, first.weight[:, :d_rgb].contiguous()) + position + first.bias))


def read_out(
    norm: nn.Module, rgb_fc: nn.Module, q: torch.Tensor, ray_attention: RayAttention, depth_weights: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Colour ``rgb_fc(mean_samples norm(q))`` ``(rays, 3)`` (Eq. 6) and the per-point weights ``(rays, samples)``
    from the last A_RAT, averaged over heads: the row of query point 0 (``depth_weights="first_row"``) or the
    mean of all rows."""
    rows = ray_attention.first_rows() if depth_weights == "first_row" else ray_attention.column_means()
    return rgb_fc(norm(q).mean(dim=1)), rows.mean(dim=1)  # rows: (rays, heads, samples)

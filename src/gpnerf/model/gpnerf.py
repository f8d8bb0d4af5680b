"""GPNeRF: the one forward used by training, fine-tuning, evaluation and rendering (paper Fig. 2-3).

``model(episode)`` renders ``episode.ray_indices`` of the target view (required in training) and
returns everything the losses need; ``model.render_image(episode, chunk_rays)`` renders the full
target view in chunks without gradients and deterministically, then applies the perception head
to the rendered feature map (Fig. 3b).
"""

from dataclasses import dataclass, replace
from functools import partial
from itertools import repeat

import torch
import torch.nn.functional as F
from torch import nn

from gpnerf.cuda_graphs import GraphedFunction
from gpnerf.episode import Episode
from gpnerf.geometry import pixel_centers_from_indices, rays_from_pixels
from gpnerf.model.config import ModelConfig
from gpnerf.model.encoder import EncodedViews, MultiScaleFeatureExtractor, resize
from gpnerf.model.fused_feature_sampling import (
    DeferredSamples, fused_sampling_supported, laid_out_for_sampling, sample_feature_maps_fused, stored_dtype,
)
from gpnerf.model.fused_projection import project_points_fused, projection_kernel_supported
from gpnerf.model.label_rendering import LabelRenderer
from gpnerf.model.perception_head import SemanticFPNHead, UNetPerceptionHead
from gpnerf.model.point_inputs import PointInputs
from gpnerf.model.projection import SourceProjection, project_points, sample_at_pixels, sample_feature_maps
from gpnerf.model.shared_casts import pass_parameters
from gpnerf.model.transformer import EmbeddedPoints, GeneralizableTransformer, RayBundleOutput
from gpnerf.rendering import (
    coarse_samples,
    feature_cells_from_pixels,
    fuse_rendered_features,
    importance_samples,
    merge_samples,
    merge_samples_with_order,
)


@dataclass
class ModelOutput:
    """Outputs of a training forward over ``rays`` target pixels.

    Attributes:
        ray_indices: ``(rays,)`` row-major target pixel indices rendered.
        rgb_coarse: ``(rays, 3)`` colour of the coarse pass (equals ``rgb_fine`` without importance samples).
        rgb_fine: ``(rays, 3)`` colour of the final pass.
        depth: ``(rays,)`` z-depth, ``sum_i w_i t_i / sum_i w_i`` with the final pass's weights.
        t: ``(rays, samples)`` sorted sample positions (z-depth, metres) of the final pass.
        weights: ``(rays, samples)`` per-point RAT weights of the final pass.
        ray_direction_norm: ``(rays,)`` |d| of the unnormalised ray direction (metres per unit t).
        semantic_rendered: ``(rays, d_sem)`` S^2D_sem (Eq. 7), or None without target/semantics.
        semantic_field: ``(rays, samples, d_sem)`` the semantic-embedding field at the samples.
        teacher: ``(rays, d_sem)`` S_novel bilinearly sampled at the ray pixels (not detached here).
        head_logits: ``(classes, H, W)`` head output on S_fused (or on S_novel, ``gt_only``), or None.
        ray_logits: ``(rays, classes)`` label-rendering baseline logits, or None.
    """

    ray_indices: torch.Tensor
    rgb_coarse: torch.Tensor
    rgb_fine: torch.Tensor
    depth: torch.Tensor
    t: torch.Tensor
    weights: torch.Tensor
    ray_direction_norm: torch.Tensor
    semantic_rendered: torch.Tensor | None = None
    semantic_field: torch.Tensor | None = None
    teacher: torch.Tensor | None = None
    head_logits: torch.Tensor | None = None
    ray_logits: torch.Tensor | None = None


@dataclass
class ImageOutput:
    """A fully rendered target view.

    Attributes:
        rgb: ``(H, W, 3)`` colour (unclamped).
        depth: ``(H, W)`` z-depth, metres.
        semantic_logits: ``(classes, H, W)``.
        semantic_features: ``(d_sem, H, W)`` rendered S^2D_sem in channels-last strides (the rendered rows as
            they come: :func:`pixel_rows_as_maps`), or None for label rendering.
    """

    rgb: torch.Tensor
    depth: torch.Tensor
    semantic_logits: torch.Tensor
    semantic_features: torch.Tensor | None


def pixel_rows_as_maps(rows: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """``(B, H * W, C)`` rows of ``H x W`` images' pixels (row-major) as the ``(B, C, H, W)`` maps they hold: a view
    in channels-last strides, no copy, which ``F.interpolate`` resizes with PyTorch's channels-last kernel (one
    thread per output value) instead of the NCHW one (one per output pixel, looping over the channels). The batch
    dimension must come with the rows (its stride ``H W C``): one image's ``(C, H, W)`` view batched by ``[None]``
    has a batch stride of ``C``, which PyTorch's memory-format suggestion reads as contiguous (NCHW), and the
    NCHW kernel ran (1.03 ms a frame in the thirty-sixth run's H100 trace)."""
    return rows.unflatten(1, (height, width)).permute(0, 3, 1, 2)


@dataclass
class _Rays:
    t: torch.Tensor
    coarse: RayBundleOutput
    fine: RayBundleOutput
    direction_norm: torch.Tensor


class GPNeRF(nn.Module):
    """Generalized Perception NeRF. See the module docstring and docs/model.md.

    Args:
        config: the model configuration.
        num_classes: number of semantic classes of the data (labels ``0..num_classes-1``).
    """

    def __init__(self, config: ModelConfig, num_classes: int) -> None:
        super().__init__()
        if num_classes < 1:
            raise ValueError(f"num_classes must be >= 1; got {num_classes}. Pass the label space's class count.")
        self.config = config
        self.num_classes = num_classes
        self.encoder = MultiScaleFeatureExtractor(config.encoder)
        self.transformer = GeneralizableTransformer(config)
        sem = config.semantic
        d_sem, levels = config.encoder.d_sem, config.encoder.num_fpn_levels
        if sem.mode == "label_rendering":
            self.head = LabelRenderer(d_sem, num_classes)
        elif sem.head == "unet":
            self.head = UNetPerceptionHead(d_sem, levels, sem.d_head, num_classes, sem.head_combine)
        else:
            self.head = SemanticFPNHead(d_sem, levels, sem.d_head, num_classes)
        self._render_graphs: GraphedFunction | None = None  # render_image(cuda_graph=True), built on first use
        # gpnerf.model.compile_transformer_blocks swaps in compiled versions of these two
        self.project_points = project_points
        self.sample_at_pixels = sample_at_pixels

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        """Named groups for per-group learning rates: ``encoder`` (ResNet + FPN + radiance decoder),
        ``transformer`` (FAT/RAT stack incl. the semantic adaptor) and ``head``."""
        return {
            "encoder": list(self.encoder.parameters()),
            "transformer": list(self.transformer.parameters()),
            "head": list(self.head.parameters()),
        }

    def _check_episode(self, episode: Episode) -> None:
        _, _, height, width = episode.source_images.shape
        if (height, width) != (episode.height, episode.width):
            raise ValueError(
                f"source_images must have the target camera's size {episode.height}x{episode.width}; "
                f"got {height}x{width}. Resize images and scale intrinsics together."
            )
        coarsest = min(height, width)
        for _ in range(len(self.config.encoder.stage_channels) + 1):
            coarsest = (coarsest + 1) // 2  # each stride-2 conv: ceil(n / 2)
        if coarsest < 2:
            raise ValueError(
                f"images must keep >= 2 cells per side after the stem and {len(self.config.encoder.stage_channels)} "
                f"stride-2 encoder stages; got {height}x{width} (coarsest side {coarsest}). Use larger images or fewer stages."
            )
        if self.config.sampling.spacing == "inverse_depth" and episode.near <= 0:
            raise ValueError(
                f"episode.near must be > 0 with sampling.spacing='inverse_depth'; got {episode.near}. "
                "Use a positive near plane or spacing='linear'."
            )

    def _point_inputs(
        self, episode: Episode, encoded: EncodedViews, origins: torch.Tensor, directions: torch.Tensor, t: torch.Tensor,
    ) -> PointInputs:
        """The points ``o + t d`` (``t``: ``(rays, samples)``), their projections and sampled RGB tokens."""
        xyz_world = origins[:, None, :] + t[..., None] * directions[:, None, :]  # (rays, samples, 3)
        projection = self._project(episode, xyz_world)
        height, width = episode.height, episode.width
        exact = self.config.implementation == "fast"
        fused = exact and self.config.fused_kernels
        rgb_maps = (episode.source_images, encoded.rgb_features)
        if fused and all(fused_sampling_supported(m) for m in rgb_maps):  # inference: F^rgb needs no gradient
            rgb_tokens = sample_feature_maps_fused(rgb_maps, projection.uv_pix, height, width, stored_dtype(rgb_maps[1]))
        else:
            rgb_tokens = torch.cat([
                sample_feature_maps(m, projection.uv_pix, height, width, exact) for m in rgb_maps
            ], dim=-1)  # (rays, samples, views, 3 + d_rgb_features)
        return PointInputs(xyz_world, projection, rgb_tokens)

    def _projection_kernel_runs(self, episode: Episode, xyz_world: torch.Tensor) -> bool:
        """Whether :meth:`_project` takes the projection kernel for ``xyz_world`` ``(rays, samples, 3)``: the fast
        path with ``fused_kernels`` where the kernel can run. The points need no gradient, so training takes it too."""
        return (
            self.config.implementation == "fast" and self.config.fused_kernels
            and projection_kernel_supported(xyz_world, episode.source_cameras)
        )

    def _project(self, episode: Episode, xyz_world: torch.Tensor) -> SourceProjection:
        """``xyz_world`` ``(rays, samples, 3)`` projected into the source views (:func:`project_points`, or its
        kernel: :meth:`_projection_kernel_runs`)."""
        target_center = episode.target_camera.centers[0]
        if self._projection_kernel_runs(episode, xyz_world):
            return project_points_fused(xyz_world, episode.source_cameras, target_center)
        return self.project_points(xyz_world, episode.source_cameras, target_center)

    def _points(
        self, episode: Episode, semantic_maps: torch.Tensor | None, directions: torch.Tensor, points: PointInputs,
        with_field: bool = True, parameters: dict[str, torch.Tensor] | None = None, keep_embedding: bool = False,
        embedded_first: EmbeddedPoints | None = None,
    ) -> RayBundleOutput:
        """Run the transformer on ``points`` (sampling the semantic maps there), with ``parameters`` in place of its
        own where given (:func:`gpnerf.model.shared_casts.pass_parameters`); ``keep_embedding`` and
        ``embedded_first``: :meth:`GeneralizableTransformer.forward`'s."""
        projection = points.projection
        height, width = episode.height, episode.width
        exact = self.config.implementation == "fast"
        fused = exact and self.config.fused_kernels
        semantic_tokens = None
        if semantic_maps is not None:
            if fused and fused_sampling_supported(semantic_maps):
                dtype = stored_dtype(semantic_maps)
                if with_field or torch.is_grad_enabled():  # the field and the fold's backward need X itself
                    semantic_tokens = sample_feature_maps_fused(semantic_maps, projection.uv_pix, height, width, dtype)
                else:
                    semantic_tokens = DeferredSamples(semantic_maps, projection.uv_pix, height, width, dtype)
            else:
                semantic_tokens = sample_feature_maps(semantic_maps, projection.uv_pix, height, width, exact)
                if exact:  # sampled exactly (float32), stored once in the autocast dtype
                    semantic_tokens = semantic_tokens.to(stored_dtype(semantic_maps))
        inputs = (
            points.rgb_tokens, semantic_tokens, projection.relative_direction, projection.valid,
            points.xyz_world, F.normalize(directions, dim=-1),
        )
        options = {"with_field": with_field, "keep_embedding": keep_embedding, "embedded_first": embedded_first}
        if parameters:
            return torch.func.functional_call(self.transformer, parameters, inputs, options)
        return self.transformer(*inputs, **options)

    @staticmethod
    def _ray_geometry(episode: Episode, ray_indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Origins and unnormalised directions ``(rays, 3)`` through the target pixels ``ray_indices``."""
        cam = episode.target_camera
        uv = pixel_centers_from_indices(ray_indices, episode.width).to(cam.K.dtype)
        return rays_from_pixels(uv, cam.K[0], cam.world_from_cam[0])

    def _render_rays(
        self, episode: Episode, encoded: EncodedViews, ray_indices: torch.Tensor, with_semantics: bool,
        with_field: bool = True, geometry: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> _Rays:
        """Coarse + fine passes over ``ray_indices``; ``geometry`` = precomputed (origins,
        directions) of these rays (the fast render computes them once per image)."""
        sampling = self.config.sampling
        semantic_maps = None
        if with_semantics:
            semantic_maps = encoded.semantic_features
            if self.config.semantic.gradient_block:
                semantic_maps = semantic_maps.detach()  # the paper's gradient block
        origins, directions = self._ray_geometry(episode, ray_indices) if geometry is None else geometry
        t = coarse_samples(
            ray_indices.shape[0], sampling.num_coarse, episode.near, episode.far, sampling.spacing,
            stratified=self.training, device=origins.device,
        )
        single_pass = sampling.num_importance == 0
        passes = [{}] if single_pass else [{}, {}]
        if self.config.implementation == "fast" and self.config.shared_casts and not self.config.activation_checkpointing:
            passes = pass_parameters(self.transformer, len(passes))
        # at inference with the embedding kernel the fine pass reads the RGB tokens in the merged order, and embeds
        # only the importance samples: X_rgb and X_0 of the coarse points are the coarse pass's
        defer = self.transformer.embedding_kernel and not torch.is_grad_enabled()
        reuse = defer and self.config.implementation == "fast" and not single_pass
        coarse_points = self._point_inputs(episode, encoded, origins, directions, t)
        coarse = self._points(
            episode, semantic_maps if single_pass else None, directions, coarse_points, with_field, passes[0],
            keep_embedding=reuse,
        )
        fine = coarse
        if not single_pass:
            t_extra = importance_samples(t, coarse.weights, sampling.num_importance, sampling.spacing, deterministic=not self.training)
            if self.config.implementation == "fast":  # the coarse points' inputs reused (gpnerf.model.point_inputs)
                t, order = merge_samples_with_order(t, t_extra)
                extra_points = self._point_inputs(episode, encoded, origins, directions, t_extra)
                # one kernel launch projects the merged points again for less than gathering three projections
                reproject = self._projection_kernel_runs(episode, coarse_points.xyz_world)
                project = partial(self._project, episode) if reproject else None
                fine_points = coarse_points.merged(extra_points, order, defer_tokens=defer, project=project)
            else:
                t = merge_samples(t, t_extra)
                fine_points = self._point_inputs(episode, encoded, origins, directions, t)
            fine = self._points(
                episode, semantic_maps, directions, fine_points, with_field, passes[1], embedded_first=coarse.embedded
            )
        return _Rays(t=t, coarse=coarse, fine=fine, direction_norm=directions.norm(dim=-1))

    @staticmethod
    def _depth(weights: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return (weights * t).sum(-1) / weights.sum(-1).clamp_min(1e-8)

    def forward(self, episode: Episode) -> ModelOutput:
        """Render ``episode.ray_indices`` (all pixels if None, only outside training).

        In training ``episode.target_image`` must be present: its extracted features are the
        distillation teacher and the background of S_fused.
        """
        self._check_episode(episode)
        if episode.ray_indices is None and self.training:
            raise ValueError("episode.ray_indices must be set in training; got None. Sample target pixels first.")
        if episode.target_image is None and self.training:
            raise ValueError("episode.target_image must be set in training; got None.")
        height, width = episode.height, episode.width
        device = episode.source_images.device
        ray_indices = episode.ray_indices
        if ray_indices is None:
            ray_indices = torch.arange(height * width, device=device)
        has_target = episode.target_image is not None
        images = episode.source_images
        if has_target:
            images = torch.cat([images, episode.target_image[None]], dim=0)
        encoded = self.encoder(images)
        views = episode.source_images.shape[0]
        sources = EncodedViews(encoded.rgb_features[:views], encoded.semantic_features[:views])
        rays = self._render_rays(episode, sources, ray_indices, with_semantics=True)
        out = ModelOutput(
            ray_indices=ray_indices,
            rgb_coarse=rays.coarse.rgb,
            rgb_fine=rays.fine.rgb,
            depth=self._depth(rays.fine.weights, rays.t),
            t=rays.t,
            weights=rays.fine.weights,
            ray_direction_norm=rays.direction_norm,
            semantic_rendered=rays.fine.semantic_rendered,
            semantic_field=rays.fine.semantic_field,
        )
        if self.config.semantic.mode == "label_rendering":
            weights = rays.fine.weights.detach() if self.config.semantic.attention == "frozen" else rays.fine.weights
            out.ray_logits = self.head(rays.fine.semantic_field, weights)
        if not has_target:
            return out
        target_map = encoded.semantic_features[views]  # (d_sem, h, w) S_novel
        out.teacher = self.sample_at_pixels(target_map, ray_indices, height, width)
        if self.config.semantic.mode == "perception_head":
            head_input = target_map
            if self.config.semantic.head_training == "fused":
                cells = feature_cells_from_pixels(ray_indices, height, width, target_map.shape[-2], target_map.shape[-1])
                head_input = fuse_rendered_features(target_map, rays.fine.semantic_rendered, cells)
            out.head_logits = self.head(head_input[None], (height, width))[0]
        return out

    def _apply(self, fn, *args, **kwargs):
        self._render_graphs = None  # captured render graphs point at the parameters' old memory
        return super()._apply(fn, *args, **kwargs)

    def _render_chunk(
        self, episode: Episode, encoded: EncodedViews, chunk: torch.Tensor,
        geometry: tuple[torch.Tensor, torch.Tensor] | None, label_rendering: bool,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One chunk of :meth:`render_image`: ``(rays, 3)`` colour, ``(rays,)`` depth, and ``(rays, d_sem)``
        rendered features (or ``(rays, classes)`` logits with label rendering)."""
        rays = self._render_rays(episode, encoded, chunk, with_semantics=True, with_field=label_rendering, geometry=geometry)
        depth = self._depth(rays.fine.weights, rays.t)
        if label_rendering:
            return rays.fine.rgb, depth, self.head(rays.fine.semantic_field, rays.fine.weights)
        return rays.fine.rgb, depth, rays.fine.semantic_rendered

    @torch.no_grad()
    def render_image(self, episode: Episode, chunk_rays: int, cuda_graph: bool = False) -> ImageOutput:
        """Render the whole target view in chunks of ``chunk_rays`` rays, deterministic, no grad.

        The perception head sees the rendered ``(d_sem, H, W)`` map resized (bilinear,
        align_corners=True) to the source feature-map size ``h x w`` (Fig. 3b). ``cuda_graph``
        (episode on CUDA) replays the whole frame (encoder, ray geometry, every chunk, head) from one CUDA graph
        captured once per episode shape and chunk size (:mod:`gpnerf.cuda_graphs`; the graphs stay with the model
        for the next frames, and the outputs are copies the next frame does not overwrite).
        """
        if chunk_rays < 1:
            raise ValueError(f"chunk_rays must be >= 1; got {chunk_rays}.")
        self._check_episode(episode)
        was_training = self.training
        self.eval()
        try:
            if not cuda_graph:
                return self._render_frame(episode, chunk_rays)
            if self._render_graphs is None:
                self._render_graphs = GraphedFunction(self._render_frame, self)
            output = self._render_graphs(episode, chunk_rays)
            return replace(output, **{
                name: None if value is None else value.clone() for name, value in vars(output).items()
            })
        finally:
            self.train(was_training)

    def _render_frame(self, episode: Episode, chunk_rays: int) -> ImageOutput:
        """:meth:`render_image`'s work on a checked episode, in eval mode (no host synchronisation: it is
        captured whole in a CUDA graph)."""
        height, width = episode.height, episode.width
        encoded = self.encoder(episode.source_images)
        fused = self.config.implementation == "fast" and self.config.fused_kernels
        if fused and fused_sampling_supported(episode.source_images):  # the sampled maps laid out once a frame
            episode = replace(episode, source_images=laid_out_for_sampling(episode.source_images))
            encoded = EncodedViews(
                rgb_features=laid_out_for_sampling(encoded.rgb_features),
                semantic_features=laid_out_for_sampling(encoded.semantic_features),
            )
        all_indices = torch.arange(height * width, device=episode.source_images.device)
        label_rendering = self.config.semantic.mode == "label_rendering"
        geometries = repeat(None)
        if self.config.implementation == "fast":  # ray geometry once per image, not per chunk
            origins, directions = self._ray_geometry(episode, all_indices)
            geometries = zip(origins.split(chunk_rays), directions.split(chunk_rays))
        rgb, depth, semantic = [], [], []
        with self.transformer.frame_weights():  # the kernels' weights made once for all chunks
            for chunk, geometry in zip(all_indices.split(chunk_rays), geometries):
                outputs = self._render_chunk(episode, encoded, chunk, geometry, label_rendering)
                for collected, output in zip((rgb, depth, semantic), outputs):
                    collected.append(output)
        features = None
        if label_rendering:
            semantic_logits = torch.cat(semantic).t().reshape(self.num_classes, height, width)
        else:
            maps = pixel_rows_as_maps(torch.cat(semantic)[None], height, width)  # (1, d_sem, H, W)
            head_input = resize(maps, tuple(encoded.semantic_features.shape[-2:])).contiguous()
            semantic_logits = self.head(head_input, (height, width))[0]
            features = maps[0]
        return ImageOutput(
            rgb=torch.cat(rgb).reshape(height, width, 3),
            depth=torch.cat(depth).reshape(height, width),
            semantic_logits=semantic_logits,
            semantic_features=features,
        )

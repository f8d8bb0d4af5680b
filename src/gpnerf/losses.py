"""GP-NeRF losses (paper Sec. 4.3, Eq. 8-13): one pure function per term and a combiner.

Reductions are means (over rays, valid pixels or points) where the paper writes sums over the
batch, so the weights alpha_1..alpha_4 do not depend on the ray count. No ray, sample, channel or
image size is hard-coded.
"""

from typing import Any, Callable

import torch
import torch.nn.functional as F

from gpnerf.conventions import ignore_index
from gpnerf.episode import Episode
from gpnerf.model.config import ModelConfig
from gpnerf.model.gpnerf import ModelOutput


def rgb_loss(predicted: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """L_rgb (Eq. 9): ``mean_rays ||C_hat(r) - C(r)||_2^2``; ``(rays, 3)`` each."""
    return (predicted.float() - target.float()).pow(2).sum(dim=-1).mean()


def semantic_loss(logits: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """L_sem (Eq. 10): cross-entropy, mean over pixels whose label is not the ignore id (0 if none).

    Computed as sum / count without a data-dependent branch, so no host synchronisation.

    Args:
        logits: ``(classes, H, W)`` (a head's map) or ``(rays, classes)`` (label rendering).
        labels: ``(H, W)`` or ``(rays,)`` int64; ``num_classes`` = ignore.
    """
    if logits.dim() == 3:
        logits, labels = logits[None], labels[None]
    ignore = ignore_index(num_classes)
    total = F.cross_entropy(logits.float(), labels, ignore_index=ignore, reduction="sum")
    return total / (labels != ignore).sum().clamp_min(1)


def semantic_distill_loss(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """L_SD (Eq. 11): ``mean_rays [1 - cos(S^2D_sem(r), S^2D_novel(r))]``, teacher detached.

    Args:
        student: ``(rays, d_sem)`` rendered features; teacher: ``(rays, d_sem)`` extracted target features.
    """
    return (1.0 - F.cosine_similarity(student.float(), teacher.detach().float(), dim=-1)).mean()


def depth_guided_distill_loss(
    semantic_field: torch.Tensor, teacher: torch.Tensor, near: torch.Tensor, far: torch.Tensor
) -> torch.Tensor:
    """L_DGS (Eq. 12-13): per-point cosine embedding loss against the ray's teacher feature.

    ``1 - cos(f_i, t)`` for points in ``near`` (attract), ``max(0, cos(f_i, t))`` for points in
    ``far`` (repel); mean over all points of the rays that have any supervised point (0 if none;
    no data-dependent branch, so no host synchronisation). Pass an all-False ``far`` for the
    released no-repel variant.

    Args:
        semantic_field: ``(rays, samples, d_sem)``; teacher: ``(rays, d_sem)`` (detached here);
        near, far: ``(rays, samples)`` bool, disjoint.
    """
    cos = F.cosine_similarity(semantic_field.float(), teacher.detach().float()[:, None, :], dim=-1)
    per_point = torch.where(near, 1.0 - cos, torch.zeros_like(cos)) + torch.where(far, cos.clamp_min(0.0), torch.zeros_like(cos))
    rays_used = (near | far).any(dim=-1)  # per_point is 0 on every other ray
    return per_point.sum() / (rays_used.sum() * per_point.shape[-1]).clamp_min(1)


def fractional_sample_index(t: torch.Tensor, depth: torch.Tensor) -> torch.Tensor:
    """``(rays,)`` position of ``depth`` in the sorted ``(rays, samples)`` grid ``t``, in sample-index
    units (linear between neighbouring samples); NaN where ``depth`` lies outside ``[t_0, t_last]``."""
    samples = t.shape[-1]
    idx = torch.searchsorted(t.contiguous(), depth[:, None].contiguous()).squeeze(-1)
    hi = idx.clamp(1, samples - 1)
    lo = hi - 1
    t_lo, t_hi = t.gather(1, lo[:, None])[:, 0], t.gather(1, hi[:, None])[:, 0]
    frac = (depth - t_lo) / (t_hi - t_lo).clamp_min(1e-12)
    position = lo.to(t.dtype) + frac
    inside = (depth >= t[:, 0]) & (depth <= t[:, -1])
    return torch.where(inside, position, torch.full_like(position, float("nan")))


def dgs_point_masks(output: ModelOutput, episode: Episode, config: ModelConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """``near``, ``far`` ``(rays, samples)`` masks of Eq. 13 for the configured variant.

    * ``gt`` (paper): x_d from the ground-truth z-depth at the ray pixel (rays with depth 0 or
      outside the sampled range are unsupervised); ``samples`` units: ``|i - i_d|`` with ``i_d``
      the fractional sample index of the depth; ``metres``: ``|t_i - t_d| |d|``.
      near: distance < N_p; far: distance > N_p (only if ``dgs_repel``).
    * ``attention_argmax`` (released): i_d = argmax of the final-pass weights; near:
      ``|i - i_d| <= N_p`` (5 points for N_p = 2, clipped at the ray ends, no wrap-around);
      far: distance > N_p if ``dgs_repel``, else nothing.
    """
    loss_cfg = config.loss
    rays, samples = output.t.shape
    index = torch.arange(samples, device=output.t.device, dtype=output.t.dtype)[None, :]
    if loss_cfg.dgs_depth_source == "attention_argmax":
        peak = output.weights.argmax(dim=-1).to(output.t.dtype)
        distance = (index - peak[:, None]).abs()
        near = distance <= loss_cfg.dgs_window
    else:
        if episode.target_depth is None:
            raise ValueError(
                "episode.target_depth must be set for L_DGS with loss.dgs_depth_source='gt'; got None. "
                "Provide depth, set loss.weights.distill_dgs=0, or use dgs_depth_source='attention_argmax'."
            )
        depth = episode.target_depth.reshape(-1)[output.ray_indices].to(output.t.dtype)
        if loss_cfg.dgs_window_units == "samples":
            position = fractional_sample_index(output.t, torch.where(depth > 0, depth, torch.full_like(depth, float("nan"))))
            distance = (index - position[:, None]).abs()
        else:
            distance = (output.t - depth[:, None]).abs() * output.ray_direction_norm[:, None]
            distance = torch.where(depth[:, None] > 0, distance, torch.full_like(distance, float("nan")))
        near = distance < loss_cfg.dgs_window  # NaN compares False: unsupervised rays
    far = (distance > loss_cfg.dgs_window) if loss_cfg.dgs_repel else torch.zeros_like(near)
    return near, far


def compute_losses(output: ModelOutput, episode: Episode, config: ModelConfig) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """L_all (Eq. 8) = alpha_1 L_rgb + alpha_2 L_sem + alpha_3 L_SD + alpha_4 L_DGS.

    L_rgb sums the coarse and fine passes (one pass without importance samples). Terms whose weight
    is 0 are left out of the graph (and of the log). Returns the total and detached named terms.
    """
    weights = config.loss.weights
    if episode.target_image is None:
        raise ValueError("episode.target_image must be set to compute losses; got None.")
    idx = output.ray_indices
    target_rgb = episode.target_image.reshape(3, -1)[:, idx].t()  # (rays, 3)
    terms: dict[str, torch.Tensor] = {}
    total = output.rgb_fine.new_zeros((), dtype=torch.float32)
    if weights.rgb:
        fine = rgb_loss(output.rgb_fine, target_rgb)
        terms["rgb_fine"] = fine
        rgb = fine
        if config.sampling.num_importance > 0:
            terms["rgb_coarse"] = rgb_loss(output.rgb_coarse, target_rgb)
            rgb = fine + terms["rgb_coarse"]
        terms["rgb"] = rgb
        total = total + weights.rgb * rgb
    if weights.sem:
        if episode.target_semantic is None:
            raise ValueError("episode.target_semantic must be set for L_sem; got None. Set loss.weights.sem=0 or give labels.")
        if output.ray_logits is not None:
            num_classes = output.ray_logits.shape[-1]
            sem = semantic_loss(output.ray_logits, episode.target_semantic.reshape(-1)[idx], num_classes)
        else:
            sem = semantic_loss(output.head_logits, episode.target_semantic, output.head_logits.shape[0])
        terms["sem"] = sem
        total = total + weights.sem * sem
    if weights.distill_2d:
        terms["distill_2d"] = semantic_distill_loss(output.semantic_rendered, output.teacher)
        total = total + weights.distill_2d * terms["distill_2d"]
    if weights.distill_dgs:
        near, far = dgs_point_masks(output, episode, config)
        terms["distill_dgs"] = depth_guided_distill_loss(output.semantic_field, output.teacher, near, far)
        total = total + weights.distill_dgs * terms["distill_dgs"]
    named = {k: v.detach() for k, v in terms.items()}
    named["total"] = total.detach()
    return total, named


def compile_losses(**compile_kwargs: Any) -> Callable[..., tuple[torch.Tensor, dict[str, torch.Tensor]]]:
    """:func:`compute_losses` compiled (``torch.compile(compute_losses, **compile_kwargs)``), for a model compiled by
    :func:`gpnerf.model.compile_transformer_blocks`: the same function, its cosine similarities over the ``(rays,
    samples, d_sem)`` semantic field and the head's cross-entropy fused into a few kernels instead of about 120 eager
    ones (docs/performance.md section 30)."""
    return torch.compile(compute_losses, **compile_kwargs)

"""Evaluate a model on held-out views with the published protocol; write results.json and a per-image CSV.

Semantic metrics are per image (classes present in that image's ground truth), averaged over a scene's
targets and then over scenes (data-and-evaluation.md §5.1); the accumulated-confusion mIoU is an extra
column. Image metrics are reported in both the released/GNT convention (the published numbers) and the
standard (nerfstudio/torchmetrics) one, each labelled.
"""

import csv
import json
import math
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import torch

from gpnerf.data.episodes import EpisodeDataset
from gpnerf.data.labels import LabelSpace
from gpnerf.data.scene import Scene
from gpnerf.episode import Episode
from gpnerf.experiment import EvalConfig
from gpnerf.metrics import SceneAverager, SemanticAccumulator, image_scores
from gpnerf.model.gpnerf import GPNeRF, ImageOutput


@dataclass
class EvalResult:
    """``summary``: JSON-ready dataset-level numbers and conventions; ``rows``: one dict per image."""

    summary: dict
    rows: list[dict]


def evaluation_episodes(dataset: EpisodeDataset, max_targets_per_scene: int | None) -> Iterable[Episode]:
    """Every scene's evaluation episodes in order, optionally only the first targets of each scene."""
    for scene_index in range(len(dataset.scenes)):
        for count, episode in enumerate(dataset.evaluation_episodes(scene_index)):
            if max_targets_per_scene is not None and count >= max_targets_per_scene:
                break
            yield episode


def render_precision(config: EvalConfig, device: torch.device) -> str:
    """The precision renders actually use on ``device``: ``config.precision``, except fp32 off CUDA."""
    return "bf16" if config.precision == "bf16" and device.type == "cuda" else "fp32"


def render_view(model: GPNeRF, episode: Episode, config: EvalConfig) -> ImageOutput:
    """``model.render_image(episode, config.chunk_rays)`` in ``config.precision``, outputs in float32.

    ``bf16`` runs under CUDA bf16 autocast when the episode is on a CUDA device, and in fp32 elsewhere;
    ``config.cuda_graph`` replays the whole frame from a CUDA graph on a CUDA device (ignored elsewhere). Running
    out of device memory raises a ValueError that names the chunk and how to make it smaller.
    """
    on_cuda = episode.source_images.device.type == "cuda"
    bf16 = render_precision(config, episode.source_images.device) == "bf16"
    try:
        with torch.autocast("cuda", dtype=torch.bfloat16) if bf16 else nullcontext():
            output = model.render_image(episode, config.chunk_rays, cuda_graph=config.cuda_graph and on_cuda)
    except torch.OutOfMemoryError as error:
        camera, cause = episode.target_camera, str(error).partition("\n")[0]
        raise ValueError(
            f"Out of {episode.source_images.device} memory rendering a {camera.width}x{camera.height} view in chunks of "
            f"{config.chunk_rays} rays ({model.config.implementation} implementation, {'bf16' if bf16 else 'fp32'}): "
            f"render in smaller chunks (gpnerf eval|render --chunk-rays N; gpnerf train --eval.chunk-rays N; "
            f"docs/performance.md section 35). {cause}"
        ) from error
    if not bf16:
        return output
    features = output.semantic_features
    return ImageOutput(
        output.rgb.float(), output.depth.float(), output.semantic_logits.float(),
        None if features is None else features.float(),
    )


def depth_errors(predicted: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
    """Absolute relative error and RMSE (metres) over pixels with ground-truth depth > 0."""
    valid = target > 0
    if not valid.any():
        return {"depth_abs_rel": math.nan, "depth_rmse": math.nan}
    p, t = predicted[valid].float(), target[valid].float()
    return {"depth_abs_rel": float(((p - t).abs() / t).mean()), "depth_rmse": float(((p - t) ** 2).mean().sqrt())}


def evaluate(
    model: GPNeRF,
    dataset: EpisodeDataset,
    label_space: LabelSpace,
    config: EvalConfig,
    device: torch.device,
    on_view: Callable[[Episode, ImageOutput], None] | None = None,
) -> EvalResult:
    """Render every evaluation target of ``dataset`` and score it.

    ``on_view(episode, output)`` is called after each view (e.g. to save pictures or advance a bar).
    """
    semantic = SemanticAccumulator(label_space.num_classes)
    images = SceneAverager()
    rows = []
    statuses: dict[str, str] = {}
    for episode in evaluation_episodes(dataset, config.max_targets_per_scene):
        episode = episode.to(device)
        output = render_view(model, episode, config)
        row: dict = {"scene": episode.scene, "target_id": episode.target_id, "source_ids": " ".join(map(str, episode.source_ids))}
        values: dict[str, float] = {}
        if episode.target_image is not None:
            pred_rgb = output.rgb.permute(2, 0, 1).float()
            for convention in ("gnt", "standard"):
                scores = image_scores(
                    pred_rgb.cpu(), episode.target_image.float().cpu(), convention, config.lpips, config.lpips_weights
                )
                values.update(
                    {f"psnr_{convention}": scores.psnr, f"ssim_{convention}": scores.ssim, f"lpips_{convention}": scores.lpips}
                )
                statuses[convention] = f"{scores.lpips_net}:{scores.lpips_status}"
        if episode.target_depth is not None:
            values.update(depth_errors(output.depth, episode.target_depth))
        if episode.target_semantic is not None:
            prediction = output.semantic_logits.argmax(0)
            scores = semantic.add(episode.scene, episode.target_semantic.cpu(), prediction.cpu())
            values.update({"miou": scores.miou, "total_acc": scores.total_acc, "avg_acc": scores.avg_acc})
        images.add(episode.scene, values)
        row.update(values)
        rows.append(row)
        if on_view is not None:
            on_view(episode, output)
    if not rows:
        raise ValueError("evaluation needs at least one target view; got none. Check the test split and view rule.")
    summary: dict = {
        "num_images": len(rows),
        "num_scenes": len(images.scenes),
        "aggregation": "per image -> mean over a scene's targets -> mean over scenes",
        "metrics": images.dataset_mean(),
        "per_scene": images.scene_means(),
        "image_conventions": {
            "gnt": "released/GNT: PSNR -10log10(MSE+1e-6) unclamped, 11x11 Gaussian SSIM zero-padded, LPIPS-VGG on [0,1]",
            "standard": "nerfstudio/torchmetrics: PSNR on clamped images, SSIM data_range 1, LPIPS-Alex on [-1,1]",
        },
        "lpips_status": statuses,
    }
    if semantic.summary().num_images:
        s = semantic.summary()
        summary["semantic"] = {
            "miou": s.miou,
            "total_acc": s.total_acc,
            "avg_acc": s.avg_acc,
            "accumulated_miou": s.accumulated_miou,
            "protocol": "per-image mIoU over classes present in the ground truth (S-Ray / GP-NeRF)",
        }
    for convention, status in statuses.items():
        if not status.endswith(":available"):
            summary["metrics"][f"lpips_{convention}"] = None
    return EvalResult(summary=summary, rows=rows)


def majority_class(scenes: list[Scene], label_space: LabelSpace, frame_stride: int = 1) -> int:
    """The most frequent valid class over the labelled frames of ``scenes`` (every ``frame_stride``-th frame)."""
    counts = torch.zeros(label_space.num_classes + 1, dtype=torch.long)
    for scene in scenes:
        for index in range(0, len(scene), frame_stride):
            labels = scene.frame(index).semantic
            if labels is not None:
                counts += torch.bincount(labels.reshape(-1).clamp(0, label_space.num_classes), minlength=label_space.num_classes + 1)
    if counts[: label_space.num_classes].sum() == 0:
        raise ValueError("majority_class needs labelled frames; got none in the given scenes.")
    return int(counts[: label_space.num_classes].argmax())


def majority_baseline(dataset: EpisodeDataset, label_space: LabelSpace, class_id: int, max_targets_per_scene: int | None) -> dict:
    """Semantic scores of predicting ``class_id`` at every pixel of every evaluation target."""
    semantic = SemanticAccumulator(label_space.num_classes)
    for episode in evaluation_episodes(dataset, max_targets_per_scene):
        if episode.target_semantic is not None:
            semantic.add(episode.scene, episode.target_semantic, torch.full_like(episode.target_semantic, class_id))
    s = semantic.summary()
    return {"class": label_space.class_names[class_id], "miou": s.miou, "total_acc": s.total_acc, "avg_acc": s.avg_acc}


def _finite_or_none(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    return value


def write_results(result: EvalResult, out_dir: Path, extra: dict) -> tuple[Path, Path]:
    """Write ``results.json`` (summary + ``extra``, NaN as null) and ``per_image.csv`` atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, csv_path = out_dir / "results.json", out_dir / "per_image.csv"
    tmp = json_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(_finite_or_none({**extra, **result.summary}), indent=2) + "\n")
    tmp.replace(json_path)
    fields = list(dict.fromkeys(k for row in result.rows for k in row))
    tmp = csv_path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(result.rows)
    tmp.replace(csv_path)
    return json_path, csv_path

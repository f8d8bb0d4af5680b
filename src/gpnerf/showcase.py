"""Render a scene's evaluation views or a smooth novel trajectory into side-by-side PNGs and an MP4.

Each frame shows the rendered RGB, depth, semantic colour map and the PCA of the rendered semantic
features (paper Fig. 1/5), followed by the ground truth when the view has one, plus a class legend.
"""

from pathlib import Path
from typing import Iterator, Literal

import torch

from gpnerf.data.episodes import EpisodeDataset
from gpnerf.data.views import select_sources, split_views
from gpnerf.episode import Episode
from gpnerf.evaluation import render_view
from gpnerf.experiment import EvalConfig
from gpnerf.geometry import Cameras
from gpnerf.model.gpnerf import GPNeRF, ImageOutput
from gpnerf.data.labels import LabelSpace
from gpnerf.trajectories import interpolate_poses
from gpnerf.visualize import colorize_depth, colorize_labels, grid, legend, pca_colors, save_png, save_video, to_uint8


def trajectory_episodes(dataset: EpisodeDataset, scene_index: int, num_frames: int) -> Iterator[Episode]:
    """Episodes along a smooth path through the scene's evaluation targets' poses (no ground truth);
    each novel view takes its sources from the reference pool with the dataset's selection rule."""
    scene = dataset.scenes[scene_index]
    split = split_views(scene.frame_ids, dataset.config.views)
    key_poses = scene.world_from_cam[[scene.index_of(i) for i in split.target_ids]]
    pool_poses = scene.world_from_cam[[scene.index_of(i) for i in split.reference_ids]]
    for index, pose in enumerate(interpolate_poses(key_poses, num_frames)):
        source_ids = select_sources(-1 - index, pose, split.reference_ids, pool_poses, dataset.config.sources)
        sources = [scene.frame_by_id(i) for i in source_ids]
        yield Episode(
            source_images=torch.stack([f.image for f in sources]),
            source_cameras=scene.cameras(list(source_ids)),
            target_camera=Cameras(scene.K[None].clone(), pose[None].float(), scene.height, scene.width),
            near=scene.near,
            far=scene.far,
            scene=scene.name,
            target_id=-1 - index,
            source_ids=list(source_ids),
        )


def frame_picture(episode: Episode, output: ImageOutput, label_space: LabelSpace) -> torch.Tensor:
    """``(H', W', 3)`` uint8 panel row(s): render | depth | semantics | feature PCA (| GT RGB | GT semantics)."""
    prediction = output.semantic_logits.argmax(0)
    # One depth range for the rendered and the true map, so that their colours compare.
    deepest = float(output.depth.max()) if episode.target_depth is None else float(episode.target_depth.max())
    far = min(episode.far, max(deepest, float(output.depth.max()))) + 1e-3
    rendered = [
        to_uint8(output.rgb),
        colorize_depth(output.depth, episode.near, far),
        colorize_labels(prediction, label_space),
    ]
    if output.semantic_features is not None:
        rendered.append(pca_colors(output.semantic_features))
    rows = [rendered]
    classes = set(prediction.unique().tolist())
    if episode.target_image is not None:
        truth = [to_uint8(episode.target_image.permute(1, 2, 0))]
        if episode.target_depth is not None:
            truth.append(colorize_depth(episode.target_depth, episode.near, far))
        if episode.target_semantic is not None:
            truth.append(colorize_labels(episode.target_semantic, label_space))
            classes |= set(episode.target_semantic.unique().tolist())
        rows.append(truth)
    classes = sorted(c for c in classes if c < label_space.num_classes)
    picture = grid(rows)
    return grid([[picture, legend(label_space, classes)]])


def render_scene(
    model: GPNeRF,
    dataset: EpisodeDataset,
    scene_index: int,
    label_space: LabelSpace,
    out_dir: Path,
    trajectory: Literal["dataset", "interpolate"],
    num_frames: int,
    eval_config: EvalConfig,
    device: torch.device,
    fps: int = 10,
    video: bool = True,
) -> list[Path]:
    """Render and write frame_<i>.png (and render.mp4); returns the written paths.

    ``eval_config`` gives the chunk size and precision of the renders (:func:`gpnerf.evaluation.render_view`)."""
    if trajectory == "dataset":
        episodes = dataset.evaluation_episodes(scene_index)
    else:
        episodes = trajectory_episodes(dataset, scene_index, num_frames)
    written, frames = [], []
    for index, episode in enumerate(episodes):
        if trajectory == "dataset" and index >= num_frames:
            break
        episode = episode.to(device)
        output = render_view(model, episode, eval_config)
        picture = frame_picture(episode.to("cpu"), _to_cpu(output), label_space)
        written.append(save_png(picture, out_dir / f"frame_{index:04d}.png"))
        frames.append(picture)
    if video and frames:
        written.append(save_video(frames, out_dir / "render.mp4", fps))
    return written


def _to_cpu(output: ImageOutput) -> ImageOutput:
    return ImageOutput(
        rgb=output.rgb.cpu(),
        depth=output.depth.cpu(),
        semantic_logits=output.semantic_logits.cpu(),
        semantic_features=None if output.semantic_features is None else output.semantic_features.cpu(),
    )

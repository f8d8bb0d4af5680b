"""Scenes -> :class:`gpnerf.episode.Episode`: deterministic training episodes per (seed, rank, step)
and fixed evaluation episodes per scene."""

from dataclasses import dataclass, field
from typing import Iterator, Literal, Sequence

import torch

from gpnerf.data.rays import sample_ray_indices
from gpnerf.data.scene import Scene
from gpnerf.data.views import (
    SourceSelectionConfig,
    ViewSplitConfig,
    check_scene_split,
    seeded_generator,
    select_sources,
    split_views,
)
from gpnerf.episode import Episode

_EVAL_STREAM = 1
"""Key separating evaluation randomness (the "vector" rule) from training streams."""


@dataclass(frozen=True)
class EpisodeConfig:
    """Attributes:
        views: target / reference rule for evaluation.
        sources: source-view rule and N.
        num_rays: pixels per training episode.
        seed: base seed; a training episode's randomness is drawn from (seed, rank, step).
    """

    views: ViewSplitConfig = field(default_factory=ViewSplitConfig)
    sources: SourceSelectionConfig = field(default_factory=SourceSelectionConfig)
    num_rays: int = 512
    seed: int = 0


class EpisodeDataset(torch.utils.data.Dataset):
    """Episodes over a list of scenes.

    ``split="train"``: item ``step`` is :meth:`training_episode` ``(step, rank)``; ``len`` is the number
    of frames (one nominal epoch). ``split="eval"``: items are every scene's evaluation targets in
    order, each with deterministic sources and no ray subset (full image).
    """

    def __init__(
        self,
        scenes: Sequence[Scene],
        split: Literal["train", "eval"],
        config: EpisodeConfig = EpisodeConfig(),
        rank: int = 0,
    ):
        if split not in ("train", "eval"):
            raise ValueError(f"split must be 'train' or 'eval'; got {split!r}.")
        if not scenes:
            raise ValueError("EpisodeDataset needs at least one scene; got none. Check the data path and split.")
        names = [scene.name for scene in scenes]
        if len(set(names)) != len(names):
            raise ValueError(f"Scene names must be unique; got {names}.")
        self.scenes = list(scenes)
        self.split = split
        self.config = config
        self.rank = rank
        self._targets = [
            (s, target)
            for s, scene in enumerate(self.scenes)
            for target in split_views(scene.frame_ids, config.views).target_ids
        ]

    def __len__(self) -> int:
        if self.split == "train":
            return sum(len(scene) for scene in self.scenes)
        return len(self._targets)

    def __getitem__(self, index: int) -> Episode:
        if self.split == "train":
            return self.training_episode(index, self.rank)
        scene_index, target_id = self._targets[index]
        return self.evaluation_episode(scene_index, target_id)

    def training_episode(self, step: int, rank: int = 0) -> Episode:
        """A random scene, target frame and sources, plus ``num_rays`` target pixels, all drawn from
        a generator seeded by ``(seed, rank, step)``: identical inputs give identical episodes."""
        generator = seeded_generator(self.config.seed, rank, step)
        scene_index = int(torch.randint(len(self.scenes), (1,), generator=generator))
        scene = self.scenes[scene_index]
        target = int(torch.randint(len(scene), (1,), generator=generator))
        factors = self.config.sources.train_pool_factors
        factor = factors[int(torch.randint(len(factors), (1,), generator=generator))]
        source_ids = select_sources(
            scene.frame_ids[target],
            scene.world_from_cam[target],
            scene.frame_ids,
            scene.world_from_cam,
            self.config.sources,
            generator,
            pool_factor=factor,
        )
        ray_indices = sample_ray_indices(scene.height, scene.width, self.config.num_rays, generator)
        return build_episode(scene, scene.frame_ids[target], source_ids, ray_indices)

    def evaluation_episode(self, scene_index: int, target_id: int) -> Episode:
        """The episode of one evaluation target: sources from the reference pool, deterministic
        (the "vector" rule's draw is seeded by the seed and the target's index in the target list)."""
        scene = self.scenes[scene_index]
        split = split_views(scene.frame_ids, self.config.views)
        pool_poses = scene.world_from_cam[[scene.index_of(i) for i in split.reference_ids]]
        source_ids = select_sources(
            target_id,
            scene.world_from_cam[scene.index_of(target_id)],
            split.reference_ids,
            pool_poses,
            self.config.sources,
            seeded_generator(self.config.seed, _EVAL_STREAM, split.target_ids.index(target_id)),
        )
        return build_episode(scene, target_id, source_ids, None)

    def evaluation_episodes(self, scene_index: int) -> Iterator[Episode]:
        """Every evaluation episode of one scene, in target order."""
        for target_id in split_views(self.scenes[scene_index].frame_ids, self.config.views).target_ids:
            yield self.evaluation_episode(scene_index, target_id)


def build_episode(
    scene: Scene, target_id: int, source_ids: Sequence[int], ray_indices: torch.Tensor | None
) -> Episode:
    """Decode the target and source frames of ``scene`` into an Episode (sources stacked in order).

    Every frame has the scene's one image size (:meth:`Scene.frame` raises otherwise)."""
    target = scene.frame_by_id(target_id)
    sources = [scene.frame_by_id(i) for i in source_ids]
    return Episode(
        source_images=torch.stack([frame.image for frame in sources]),
        source_cameras=scene.cameras(list(source_ids)),
        target_camera=scene.cameras([target_id]),
        near=scene.near,
        far=scene.far,
        target_image=target.image,
        target_depth=target.depth,
        target_semantic=target.semantic,
        target_instance=target.instance,
        ray_indices=ray_indices,
        scene=scene.name,
        target_id=target_id,
        source_ids=list(source_ids),
    )


def train_and_eval_datasets(
    train_scenes: Sequence[Scene], test_scenes: Sequence[Scene], config: EpisodeConfig = EpisodeConfig(), rank: int = 0
) -> tuple[EpisodeDataset, EpisodeDataset]:
    """Both datasets, after checking that no test scene is a training scene (raises otherwise)."""
    check_scene_split([s.name for s in train_scenes], [s.name for s in test_scenes])
    return EpisodeDataset(train_scenes, "train", config, rank), EpisodeDataset(test_scenes, "eval", config, rank)

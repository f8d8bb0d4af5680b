"""Build a run from its config, train it, and reload a saved run (the glue under train/finetune/eval/render)."""

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from gpnerf.data.episodes import EpisodeDataset, train_and_eval_datasets
from gpnerf.data.labels import LabelSpace
from gpnerf.engine import RunDir, Trainer, find_latest_checkpoint, init_distributed, load_model_weights, shutdown_distributed
from gpnerf.experiment import ExperimentConfig, resolve_device, training_and_test_scenes
from gpnerf.model import GPNeRF, compile_transformer_blocks
from gpnerf.task import GPNeRFTask

log = logging.getLogger(__name__)


@dataclass
class RunData:
    """Datasets of a run: training episodes, evaluation episodes, and the shared label space."""

    train_set: EpisodeDataset
    test_set: EpisodeDataset
    label_space: LabelSpace


def build_data(config: ExperimentConfig, rank: int = 0) -> RunData:
    """Load the scenes of ``config.data`` and wrap them as episode datasets (test scenes disjoint from train)."""
    train_scenes, test_scenes = training_and_test_scenes(config.data)
    spaces = {s.label_space for s in train_scenes + test_scenes}
    if len(spaces) != 1 or None in spaces:
        raise ValueError(
            f"training and test scenes must share one label space; got {sorted(str(s and s.name) for s in spaces)}. "
            "Semantic training needs labelled scenes of one dataset."
        )
    train_set, test_set = train_and_eval_datasets(train_scenes, test_scenes, config.data.episodes, rank)
    return RunData(train_set, test_set, spaces.pop())


def train(config: ExperimentConfig, resume: Path | None = None) -> Path:
    """Train ``config`` (under torchrun: one process per GPU) and return the run directory.

    ``resume`` continues a run directory (or one checkpoint file) exactly where it stopped; a new run
    directory ``output_root/experiment/<timestamp>`` is created otherwise. ``config.init_from`` loads
    model weights (not optimizer state) before training, as fine-tuning does.
    """
    device = resolve_device(config.device)
    ctx = init_distributed(device.type)
    try:
        data = build_data(config, ctx.rank)
        torch.manual_seed(config.trainer.seed)  # identical initial weights for a given seed, on every rank
        model = GPNeRF(config.model, data.label_space.num_classes)
        if config.init_from is not None and resume is None:
            step = load_model_weights(model, config.init_from)
            log.info("initialised model weights from %s (step %d)", config.init_from, step)
        if config.compile:
            compile_transformer_blocks(
                model, field_memory_budget=config.compile_field_memory_budget,
                gemm_autotune=config.compile_gemm_autotune,
                channels_last_convolutions=config.compile_channels_last_convolutions,
            )
        run_dir = None
        if ctx.is_main:
            if resume is not None:
                run_path = Path(resume) if Path(resume).is_dir() else Path(resume).parent.parent
                run_dir = RunDir.open(run_path)
            else:
                run_dir = RunDir.create(config.output_root, config.experiment, config)
        task = GPNeRFTask(config, data.train_set, data.test_set, data.label_space, ctx.device, ctx.rank)
        with Trainer(config.trainer, task, model, run_dir=run_dir, dist=ctx, full_config=config) as trainer:
            if resume is not None:
                trainer.resume(Path(resume))
            trainer.train()
        return run_dir.path if run_dir is not None else Path()
    finally:
        shutdown_distributed()


@dataclass
class LoadedRun:
    """A saved run reloaded for evaluation or rendering."""

    config: ExperimentConfig
    run_dir: RunDir
    model: GPNeRF
    checkpoint: Path
    step: int
    device: torch.device
    data: RunData


def load_run(
    run_dir: Path, checkpoint: Path | None = None, device: str | None = None, compile: bool | None = None,
    fused_kernels: bool | None = None,
) -> LoadedRun:
    """Rebuild the config, data and model of ``run_dir`` and load a checkpoint (default: newest valid one).

    ``compile``: compile the transformer blocks (default: the run's ``compile`` setting). ``fused_kernels``:
    override ``ModelConfig.fused_kernels`` (the returned config records the value used)."""
    run = RunDir.open(Path(run_dir))
    config = run.load_config(ExperimentConfig)
    if fused_kernels is not None:
        config = replace(config, model=replace(config.model, fused_kernels=fused_kernels))
    if checkpoint is None:
        checkpoint, _ = find_latest_checkpoint(run.checkpoints_dir)
    resolved = resolve_device(device or config.device)
    data = build_data(config)
    model = GPNeRF(config.model, data.label_space.num_classes)
    step = load_model_weights(model, checkpoint)
    if config.compile if compile is None else compile:
        compile_transformer_blocks(
            model, gemm_autotune=config.compile_gemm_autotune,
            channels_last_convolutions=config.compile_channels_last_convolutions,
        )
    return LoadedRun(config, run, model.to(resolved).eval(), Path(checkpoint), step, resolved, data)

"""Generalized training across scenes: `gpnerf train PRESET [--overrides] [--resume RUN_DIR]`."""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import tyro

from gpnerf.engine import RunDir, dataclass_to_dict
from gpnerf.experiment import EXPERIMENT_PRESETS, ExperimentConfig


RESUMABLE_CHANGES = ("trainer.max_steps", "trainer.progress", "device")
"""Fields a resumed run may change; everything else must equal the run's saved config."""


def _flatten(tree: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        flat.update(_flatten(value, name + ".") if isinstance(value, dict) else {name: value})
    return flat


def check_resumable(saved: ExperimentConfig, requested: ExperimentConfig, run_dir: Path) -> None:
    """Raise unless ``requested`` equals the run's saved config outside :data:`RESUMABLE_CHANGES`."""
    a, b = _flatten(dataclass_to_dict(saved)), _flatten(dataclass_to_dict(requested))
    differing = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k) and k not in RESUMABLE_CHANGES)
    if differing:
        details = ", ".join(f"{k}: saved {a.get(k)!r} vs now {b.get(k)!r}" for k in differing[:8])
        raise ValueError(
            f"--resume must use the run's own config ({run_dir / 'config.json'}); got differences in {details}. "
            f"Repeat the original command line (only {', '.join(RESUMABLE_CHANGES)} may change)."
        )


@dataclass(frozen=True)
class TrainJob:
    """An experiment config plus how to start it (a preset subcommand holds one of these)."""

    config: Annotated[ExperimentConfig, tyro.conf.arg(name="")]
    resume: Path | None = None
    """Continue the run in this run directory (or from this checkpoint file) exactly where it stopped."""


TrainPreset = tyro.extras.subcommand_type_from_defaults(
    {name: TrainJob(config) for name, config in EXPERIMENT_PRESETS.items()}, prefix_names=False
)


@dataclass
class Train:
    """Train GP-NeRF across the training scenes of a dataset (generalized setting).

    Writes outputs/<experiment>/<timestamp>/ with config.json, checkpoints/, TensorBoard events and
    metrics.jsonl. Under torchrun, one process per GPU (DDP). Example:
    gpnerf train tiny-cpu --data.root data/demo --trainer.max-steps 200 [--resume RUN_DIR]
    """

    job: Annotated[TrainPreset, tyro.conf.arg(name="")]

    def run(self) -> Path:
        from gpnerf.runs import train

        config, resume = self.job.config, self.job.resume
        if resume is not None:
            run_path = resume if resume.is_dir() else resume.parent.parent
            check_resumable(RunDir.open(run_path).load_config(ExperimentConfig), config, run_path)
        path = train(config, resume)
        print(f"run directory: {path}")
        return path

"""Per-scene fine-tuning from a generalized run: `gpnerf finetune --run-dir RUN --scene NAME`."""

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from gpnerf.engine import RunDir, find_latest_checkpoint
from gpnerf.experiment import ExperimentConfig


@dataclass
class Finetune:
    """Fine-tune a generalized checkpoint on one held-out scene.

    Training uses only that scene's fine-tuning frames, which never include its evaluation targets
    (checked in code); evaluate the new run with gpnerf eval --run-dir. The released code trained on
    frames that include evaluation targets and picked checkpoints on test mIoU; gpnerf does neither.
    """

    run_dir: Path
    """The generalized run to start from."""
    scene: str
    """Name of a test-split scene to fine-tune on."""
    steps: int = 10_000
    """Fine-tuning steps (paper: 10k)."""
    checkpoint: Path | None = None
    """Checkpoint of RUN_DIR to start from (default: its newest valid one)."""
    frames: Literal["reference_pool", "all_minus_margin"] = "reference_pool"
    """Fine-tuning frames: the scene's reference pool minus targets, or all frames away from targets."""
    margin: int = 0
    """For all_minus_margin: frames within this many positions of a target are excluded too."""
    max_minutes: float | None = None
    """Stop after this much training wall time, saving a checkpoint (default: no limit, whatever the base run used)."""
    resume: Path | None = None
    """Continue an interrupted fine-tuning run directory instead of starting a new one."""

    def run(self) -> Path:
        from gpnerf.runs import train

        if self.steps < 1:
            raise ValueError(f"--steps must be >= 1; got {self.steps}.")
        source = RunDir.open(self.run_dir)
        base = source.load_config(ExperimentConfig)
        checkpoint = self.checkpoint or find_latest_checkpoint(source.checkpoints_dir)[0]
        slug = self.scene.replace("/", "_")
        config = replace(
            base,
            experiment=f"{base.experiment}-ft-{slug}",
            init_from=Path(checkpoint),
            data=replace(base.data, finetune_scene=self.scene, finetune_frames=self.frames, finetune_margin=self.margin),
            trainer=replace(
                base.trainer, max_steps=self.steps, save_every=min(base.trainer.save_every or self.steps, self.steps),
                max_minutes=self.max_minutes,
            ),
        )
        if self.resume is not None:
            config = RunDir.open(self.resume).load_config(ExperimentConfig)
        path = train(config, self.resume)
        print(f"fine-tuning run directory: {path}")
        return path

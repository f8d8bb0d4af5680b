"""Evaluate a saved run: `gpnerf eval --run-dir RUN [--checkpoint CKPT]` -> results.json + per_image.csv."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from gpnerf.engine import dataclass_to_dict, git_commit
from gpnerf.evaluation import evaluate, majority_baseline, majority_class, render_precision, write_results


@dataclass
class Eval:
    """Render every held-out evaluation target of a saved run and score it with the published protocol.

    Semantic: per-image mIoU / total acc / avg acc (S-Ray, GP-NeRF), plus the accumulated-confusion
    mIoU. Rendering: PSNR, SSIM, LPIPS in the GNT convention and the standard one, each labelled.
    Also scores the majority-class baseline. Writes <out>/results.json and <out>/per_image.csv.
    """

    run_dir: Path
    """Run directory written by gpnerf train / finetune (holds config.json and checkpoints/)."""
    checkpoint: Path | None = None
    """Checkpoint to evaluate (default: the newest valid one of the run)."""
    out: Path | None = None
    """Output folder (default: RUN_DIR/eval/step-<step>)."""
    max_targets_per_scene: int | None = None
    """Evaluate only the first targets of each scene (default: the run's eval setting)."""
    lpips: bool | None = None
    """Compute LPIPS (default: the run's eval setting)."""
    device: str | None = None
    """cpu / cuda (default: the run's device setting)."""
    compile: bool | None = None
    """torch.compile the transformer blocks (default: the run's compile setting)."""
    precision: Literal["fp32", "bf16"] | None = None
    """Render arithmetic: fp32, or bf16 autocast on CUDA (default: the run's eval.precision, fp32 unless set)."""
    cuda_graph: bool | None = None
    """Replay render chunks from CUDA graphs on CUDA (default: the run's eval.cuda_graph, off unless set)."""
    chunk_rays: int | None = None
    """Rays per render forward (default: the run's eval.chunk_rays, 2048 unless set): the memory grows with it, the
    speed depends on the implementation (the measured trade-off: EvalConfig.chunk_rays, docs/performance.md
    sections 35-36)."""
    fused_kernels: bool | None = None
    """Fast path on CUDA: run the Triton kernels (FAT and RAT attention, the blocks' tails, feature sampling;
    default: the run's model.fused_kernels, on unless set)."""

    def run(self) -> Path:
        from gpnerf.runs import load_run

        run = load_run(self.run_dir, self.checkpoint, self.device, self.compile, self.fused_kernels)
        eval_config = run.config.eval.overridden(
            max_targets_per_scene=self.max_targets_per_scene, lpips=self.lpips, precision=self.precision,
            cuda_graph=self.cuda_graph, chunk_rays=self.chunk_rays,
        )
        out = self.out or run.run_dir.path / "eval" / f"step-{run.step:09d}"
        with Progress(transient=True) as progress:
            bar = progress.add_task("rendering evaluation views", total=None)
            result = evaluate(
                run.model, run.data.test_set, run.data.label_space, eval_config, run.device,
                on_view=lambda episode, output: progress.advance(bar),
            )
        majority = majority_class(run.data.train_set.scenes, run.data.label_space, frame_stride=4)
        baseline = majority_baseline(run.data.test_set, run.data.label_space, majority, eval_config.max_targets_per_scene)
        extra = {
            "experiment": run.config.experiment,
            "run_dir": str(run.run_dir.path),
            "checkpoint": str(run.checkpoint),
            "step": run.step,
            "git_commit": git_commit(),
            "majority_class_baseline": baseline,
            "settings": {"model": dataclass_to_dict(run.config.model), "optim": dataclass_to_dict(run.config.trainer.optim),
                         "data": dataclass_to_dict(run.config.data), "eval": dataclass_to_dict(eval_config),
                         "render_precision": render_precision(eval_config, run.device)},
        }
        json_path, csv_path = write_results(result, out, extra)
        table = Table(title=f"{run.config.experiment} step {run.step}: {result.summary['num_images']} views, "
                            f"{result.summary['num_scenes']} scenes")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for name, value in result.summary.get("semantic", {}).items():
            if isinstance(value, float):
                table.add_row(f"semantic {name}", f"{value:.4f}")
        for name, value in result.summary["metrics"].items():
            if name not in ("miou", "total_acc", "avg_acc"):
                table.add_row(name, "n/a" if value is None else f"{value:.4f}")
        table.add_row(f"majority baseline miou ({baseline['class']})", f"{baseline['miou']:.4f}")
        Console().print(table)
        print(f"wrote {json_path} and {csv_path}")
        return json_path

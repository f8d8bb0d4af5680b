"""`gpnerf demo` (what `make demo` runs): built-in data -> train -> evaluate on held-out rooms -> render -> report."""

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

from gpnerf.experiment import EXPERIMENT_PRESETS


@dataclass
class Demo:
    """The main job end to end on gpnerf's built-in procedural data, sized for a 2-core CPU.

    Generates a small dataset (train rooms + held-out test rooms), trains the tiny-cpu preset across the
    training rooms, evaluates on the unseen rooms with the published protocol (plus the majority-class
    baseline), renders a short video, and writes OUT/report.md with metrics and pictures.
    """

    out: Path = Path("outputs/demo")
    """Folder for the run, the evaluation, the renders and report.md."""
    data: Path = Path("data/demo")
    """Where the built-in dataset is generated (reused when already complete)."""
    scenes: int = 10
    """Rooms to generate (about 20% held out for testing)."""
    views: int = 40
    """Views per room."""
    height: int = 48
    """Image height."""
    width: int = 64
    """Image width."""
    steps: int = 5000
    """Training steps of the tiny-cpu preset (about 0.09 s each on an idle 2-core CPU)."""
    train_minutes: float | None = 12.0
    """Stop training after this many minutes, with a checkpoint (trainer.max_minutes), so that the whole demo
    stays within 15 minutes on a slow or busy 2-core box; an idle one runs all steps in about 7.5 minutes.
    None: always train every step. The report says how many steps ran."""
    seed: int = 0
    """Dataset seed (the training seed is the preset's)."""

    def run(self) -> Path:
        from gpnerf.commands.evaluate import Eval
        from gpnerf.commands.render import Render
        from gpnerf.commands.synth import Synth
        from gpnerf.runs import train

        if self.train_minutes is not None and not self.train_minutes > 0:
            raise ValueError(f"--train-minutes must be > 0 or None (no time budget); got {self.train_minutes}.")
        started = time.perf_counter()
        timings = {}
        Synth(out=self.data, scenes=self.scenes, views=self.views, seed=self.seed, height=self.height, width=self.width).run()
        timings["generate data"] = time.perf_counter() - started
        preset = EXPERIMENT_PRESETS["tiny-cpu"]
        config = replace(
            preset,
            experiment="demo",
            output_root=self.out,
            data=replace(preset.data, root=self.data),
            trainer=replace(preset.trainer, max_steps=self.steps, max_minutes=self.train_minutes),
        )
        mark = time.perf_counter()
        run_dir = train(config)
        timings["train"] = time.perf_counter() - mark
        mark = time.perf_counter()
        results_path = Eval(run_dir=run_dir, out=self.out / "eval").run()
        timings["evaluate"] = time.perf_counter() - mark
        mark = time.perf_counter()
        render_dir = Render(run_dir=run_dir, out=self.out / "render", num_frames=10).run()
        timings["render"] = time.perf_counter() - mark
        report = write_report(self.out, run_dir, results_path, render_dir, timings, self)
        print(f"demo report: {report} ({time.perf_counter() - started:.0f} s in all)")
        return report


def _stopped_early(step: int, demo: Demo) -> str:
    """A note when the time budget stopped training before ``demo.steps``."""
    if step >= demo.steps:
        return ""
    return f" (of {demo.steps} planned: the {demo.train_minutes:g}-minute training budget stopped it)"


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def write_report(out: Path, run_dir: Path, results_path: Path, render_dir: Path, timings: dict, demo: Demo) -> Path:
    """OUT/report.md: what ran, the held-out metrics beside the majority-class baseline, pictures, timings."""
    results = json.loads(results_path.read_text())
    semantic, metrics, baseline = results["semantic"], results["metrics"], results["majority_class_baseline"]
    frames = sorted(render_dir.glob("frame_*.png"))[:3]
    lines = [
        "# gpnerf demo report",
        "",
        f"Built-in procedural data: {demo.scenes} rooms x {demo.views} views at {demo.width}x{demo.height} "
        f"(seed {demo.seed}; held-out test rooms never seen in training). Model: tiny-cpu preset (paper switches), "
        f"{results['step']} training steps on this machine's CPU{_stopped_early(results['step'], demo)}. "
        f"Run directory: `{run_dir}`; git commit "
        f"`{results['git_commit']}`.",
        "",
        f"## Held-out rooms ({results['num_images']} views, {results['num_scenes']} scenes)",
        "",
        "| | mIoU | total acc | avg acc |",
        "|---|---|---|---|",
        f"| gpnerf (rendered features -> perception head) | {_fmt(semantic['miou'])} | {_fmt(semantic['total_acc'])} | {_fmt(semantic['avg_acc'])} |",
        f"| majority class ({baseline['class']}) everywhere | {_fmt(baseline['miou'])} | {_fmt(baseline['total_acc'])} | {_fmt(baseline['avg_acc'])} |",
        "",
        "Per-image protocol (classes present in each image's ground truth, mean over a room's targets, then over rooms).",
        f"Accumulated-confusion mIoU: {_fmt(semantic['accumulated_miou'])}.",
        "",
        "| PSNR (GNT) | SSIM (GNT) | PSNR (standard) | SSIM (standard) | depth abs rel | depth RMSE (m) |",
        "|---|---|---|---|---|---|",
        f"| {_fmt(metrics.get('psnr_gnt'))} | {_fmt(metrics.get('ssim_gnt'))} | {_fmt(metrics.get('psnr_standard'))} | "
        f"{_fmt(metrics.get('ssim_standard'))} | {_fmt(metrics.get('depth_abs_rel'))} | {_fmt(metrics.get('depth_rmse'))} |",
        "",
        "LPIPS is off in this preset (CPU time). Full numbers: `eval/results.json`, per image: `eval/per_image.csv`.",
        "",
        "## Renders (rendered RGB | depth | semantics | PCA of rendered features; second row: ground truth)",
        "",
    ]
    lines += [f"![{p.name}]({p.relative_to(out)})" for p in frames]
    video = render_dir / "render.mp4"
    if video.exists():
        lines += ["", f"Video: [{video.relative_to(out)}]({video.relative_to(out)})"]
    lines += ["", "## Time", "", "| stage | seconds |", "|---|---|"]
    lines += [f"| {stage} | {seconds:.0f} |" for stage, seconds in timings.items()]
    path = out / "report.md"
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(path)
    return path

"""Render a saved run: `gpnerf render --run-dir RUN [--scene NAME] [--trajectory dataset|interpolate]`."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass
class Render:
    """Render a held-out scene with a saved run: its evaluation views (with ground truth side by side)
    or a smooth novel trajectory through them. Writes PNG frames (RGB, depth, semantic colour map with a
    class legend, PCA of the rendered semantic features) and an MP4."""

    run_dir: Path
    """Run directory written by gpnerf train / finetune."""
    scene: str | None = None
    """Test-split scene to render (default: the first)."""
    trajectory: Literal["dataset", "interpolate"] = "dataset"
    """dataset: the scene's evaluation views; interpolate: a smooth path through their poses."""
    num_frames: int = 10
    """Frames to render (dataset: at most the number of evaluation views)."""
    out: Path | None = None
    """Output folder (default: RUN_DIR/render/<scene>-<trajectory>)."""
    checkpoint: Path | None = None
    """Checkpoint (default: the newest valid one)."""
    fps: int = 8
    """Video frame rate."""
    video: bool = True
    """Also write render.mp4 (needs the video extra: imageio-ffmpeg)."""
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
        from gpnerf.showcase import render_scene

        if self.num_frames < 2 and self.trajectory == "interpolate":
            raise ValueError(f"--num-frames must be >= 2 for an interpolated trajectory; got {self.num_frames}.")
        run = load_run(self.run_dir, self.checkpoint, self.device, self.compile, self.fused_kernels)
        names = [s.name for s in run.data.test_set.scenes]
        scene = self.scene or names[0]
        if scene not in names:
            raise ValueError(f"--scene must name a test-split scene of the run; got {scene!r}. Available: {names}.")
        out = self.out or run.run_dir.path / "render" / f"{scene.replace('/', '_')}-{self.trajectory}"
        eval_config = run.config.eval.overridden(
            precision=self.precision, cuda_graph=self.cuda_graph, chunk_rays=self.chunk_rays,
        )
        written = render_scene(
            run.model, run.data.test_set, names.index(scene), run.data.label_space, out, self.trajectory,
            self.num_frames, eval_config, run.device, self.fps, self.video,
        )
        print(f"wrote {len(written)} files to {out}")
        return out

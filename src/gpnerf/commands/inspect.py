"""`gpnerf inspect PATH`: describe a dataset folder and validate it before a run."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import torch
import tyro
from rich.console import Console
from rich.table import Table

from gpnerf.data.formats.detect import discover
from gpnerf.data.scene import Frame, Scene
from gpnerf.data.validate import (
    Problem,
    load_for_validation,
    validate_frames,
    validate_poses,
    validate_split,
)


@dataclass
class SceneStats:
    """Statistics of one scene over the frames sampled for statistics."""

    num_sampled: int = 0
    depth_min: float = float("inf")
    depth_max: float = 0.0
    class_pixels: Counter = field(default_factory=Counter)

    def add(self, frame: Frame) -> None:
        self.num_sampled += 1
        if frame.depth is not None and (frame.depth > 0).any():
            valid = frame.depth[frame.depth > 0]
            self.depth_min = min(self.depth_min, float(valid.min()))
            self.depth_max = max(self.depth_max, float(valid.max()))
        if frame.semantic is not None:
            ids, counts = torch.unique(frame.semantic, return_counts=True)
            self.class_pixels.update(dict(zip(ids.tolist(), counts.tolist())))


@dataclass
class Inspect:
    """Describe a dataset folder (layout auto-detected: built-in, Replica, ScanNet, NICE-SLAM) and
    validate it: truncated or unreadable images, wrong sizes or dtypes, bad poses, label ids out of
    range, scenes in both train and test. Exits with status 1 when any problem is found."""

    path: tyro.conf.Positional[Path]
    """Dataset root, scene or sequence folder."""
    stats_every: int = 10
    """Depth range and class shares are computed on every k-th frame."""
    check_every: int = 1
    """Files of every k-th frame are decoded and checked (1 = all frames)."""

    def run(self) -> None:
        console = Console(highlight=False)
        if not console.is_terminal:
            console.width = 160
        if self.stats_every < 1 or self.check_every < 1:
            raise ValueError(
                f"stats_every and check_every must be >= 1; got {self.stats_every}, {self.check_every}."
            )
        try:
            discovery = discover(self.path)
        except (FileNotFoundError, ValueError) as error:
            self._report(console, [Problem(self.path, str(error))])
            raise SystemExit(1) from None
        console.print(f"[bold]layout[/bold]: {discovery.layout}    [bold]scenes[/bold]: {len(discovery.entries)}")
        if discovery.splits:
            console.print(", ".join(f"{k}: {len(v)} scenes" for k, v in discovery.splits.items()))
        problems, notes = validate_split(discovery), []
        table = Table("scene", "frames", "image HxW", "fx, fy, cx, cy", "near-far m", "depth range m (sampled)")
        described: list[tuple[Scene, SceneStats]] = []
        for entry in discovery.entries:
            scene, found, noted = load_for_validation(entry)
            problems += found
            notes += noted
            if scene is None:
                table.add_row(entry.name, "-", "-", "-", "-", "unreadable (see problems)")
                continue
            stats = SceneStats()

            def on_frame(frame: Frame, scene=scene, stats=stats) -> None:
                if scene.index_of(frame.frame_id) % self.stats_every == 0:
                    stats.add(frame)

            problems += validate_poses(entry, scene)
            problems += validate_frames(entry, scene, self.check_every, on_frame)
            K = scene.K
            depth = f"{stats.depth_min:.3f} - {stats.depth_max:.3f}" if stats.depth_max > 0 else "no depth"
            table.add_row(
                scene.name,
                str(len(scene)),
                f"{scene.height}x{scene.width}",
                f"{K[0, 0]:.3f}, {K[1, 1]:.3f}, {K[0, 2]:.3f}, {K[1, 2]:.3f}",
                f"{scene.near:g}-{scene.far:g}",
                depth,
            )
            described.append((scene, stats))
        console.print(table)
        self._print_classes(console, described)
        for note in notes:
            console.print(f"note: {note}", soft_wrap=True, markup=False)
        self._report(console, problems)
        if problems:
            raise SystemExit(1)

    def _print_classes(self, console: Console, described: list[tuple[Scene, SceneStats]]) -> None:
        labelled = [(scene, stats) for scene, stats in described if scene.label_space is not None]
        if not labelled:
            console.print("classes: no semantic labels")
            return
        space = labelled[0][0].label_space
        total = Counter()
        for _, stats in labelled:
            total.update(stats.class_pixels)
        num_frames = sum(stats.num_sampled for _, stats in labelled)
        pixels = sum(total.values())
        table = Table("id", "class", "pixel share")
        for class_id, count in sorted(total.items(), key=lambda item: -item[1]):
            name = "(ignore)" if class_id == space.ignore_index else space.class_names[class_id]
            table.add_row(str(class_id), name, f"{100.0 * count / pixels:.2f} %")
        console.print(
            f"classes present ({space.name}, {len(total)} ids) on a subsample of {num_frames} frames "
            f"(1 in every {self.stats_every} frames):"
        )
        console.print(table)

    @staticmethod
    def _report(console: Console, problems: list[Problem]) -> None:
        if not problems:
            console.print("[green]no problems found[/green]")
            return
        console.print(f"[red]{len(problems)} problem(s):[/red]")
        for problem in problems:
            console.print(f"  - {problem}", soft_wrap=True, markup=False)

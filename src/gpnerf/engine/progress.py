"""A rich progress bar showing step, loss, rays/s and ETA; disabled off-TTY (CI) or on non-zero ranks."""

import sys
from typing import Literal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


def progress_enabled(mode: Literal["auto", "on", "off"], is_main: bool) -> bool:
    """``on``/``off`` force; ``auto`` shows the bar only on rank 0 when stderr is a terminal."""
    if not is_main or mode == "off":
        return False
    return mode == "on" or sys.stderr.isatty()


class ProgressBar:
    """Context manager around ``rich.progress.Progress``; every method is a no-op when disabled."""

    def __init__(self, total_steps: int, start_step: int, enabled: bool):
        self.enabled = enabled
        self._progress = None
        if not enabled:
            return
        self._progress = Progress(
            TextColumn("[bold]train"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TextColumn("{task.fields[rays_per_sec]} rays/s"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task("train", total=total_steps, completed=start_step, loss="-", rays_per_sec="-")

    def __enter__(self) -> "ProgressBar":
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, completed_steps: int, loss: float, rays_per_sec: float | None) -> None:
        """Show ``completed_steps`` done, the latest ``loss`` and throughput (``-`` when unknown)."""
        if self._progress is None:
            return
        self._progress.update(
            self._task,
            completed=completed_steps,
            loss=f"{loss:.4g}",
            rays_per_sec="-" if rays_per_sec is None else f"{rays_per_sec:,.0f}",
        )

"""Run directories: ``<output_root>/<experiment>/<timestamp>/`` with the resolved config and provenance.

Layout::

    config.json          the full resolved config (dataclass_to_dict), reloadable with load_config
    run.json             {"gpnerf_version", "git_commit" (or "unknown"), "created"}
    checkpoints/         step-000001000.ckpt, ...
    tensorboard/         TensorBoard event files
    metrics.jsonl        one JSON object per logged step / event
"""

import json
import os
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import gpnerf
from gpnerf.engine.config_io import load_config_json, save_config_json

T = TypeVar("T")


def git_commit() -> str:
    """The commit of the checkout this package is imported from, else ``$GPNERF_GIT_COMMIT`` (set it when running
    from a copy without ``.git``, e.g. a snapshot on a remote machine), else ``"unknown"``."""
    fallback = os.environ.get("GPNERF_GIT_COMMIT") or "unknown"
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(gpnerf.__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return fallback
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else fallback


@dataclass(frozen=True)
class RunDir:
    """Paths of one run directory."""

    path: Path
    """The run folder itself, ``<output_root>/<experiment>/<timestamp>``."""

    @property
    def config_path(self) -> Path:
        """``config.json``."""
        return self.path / "config.json"

    @property
    def run_info_path(self) -> Path:
        """``run.json`` (version, git commit, creation time)."""
        return self.path / "run.json"

    @property
    def checkpoints_dir(self) -> Path:
        """``checkpoints/``."""
        return self.path / "checkpoints"

    @property
    def tensorboard_dir(self) -> Path:
        """``tensorboard/``."""
        return self.path / "tensorboard"

    @property
    def metrics_path(self) -> Path:
        """``metrics.jsonl``."""
        return self.path / "metrics.jsonl"

    @classmethod
    def create(cls, output_root: Path, experiment: str, config: Any, timestamp: str | None = None) -> "RunDir":
        """Make a new run folder, write ``config.json`` and ``run.json``; call on rank 0 only.

        ``timestamp`` defaults to UTC ``YYYY-MM-DD_HHMMSS``; a clash gets a ``-1``, ``-2``… suffix.
        """
        if not experiment or "/" in experiment or experiment in (".", ".."):
            raise ValueError(f"experiment name must be a non-empty folder name without '/'; got {experiment!r}.")
        stamp = timestamp or datetime.now(timezone.utc).strftime("%Y-%m-%d_%H%M%S")
        base = Path(output_root) / experiment
        path, suffix = base / stamp, 0
        while path.exists():
            suffix += 1
            path = base / f"{stamp}-{suffix}"
        path.mkdir(parents=True)
        run = cls(path)
        run.checkpoints_dir.mkdir()
        save_config_json(config, run.config_path)
        info = {
            "gpnerf_version": gpnerf.__version__,
            "git_commit": git_commit(),
            "created": datetime.now(timezone.utc).isoformat(),
        }
        run.run_info_path.write_text(json.dumps(info, indent=2) + "\n")
        return run

    @classmethod
    def open(cls, path: Path) -> "RunDir":
        """An existing run folder; raises ``FileNotFoundError`` naming ``path`` if it has no ``config.json``."""
        run = cls(Path(path))
        if not run.config_path.is_file():
            raise FileNotFoundError(
                f"run dir must contain config.json at {run.config_path}; got nothing there. "
                f"Pass a folder created by `gpnerf train` (outputs/<experiment>/<timestamp>)."
            )
        return run

    def load_config(self, cls: type[T]) -> T:
        """Rebuild the saved config as ``cls`` (unknown keys and wrong types raise ConfigError naming the file)."""
        return load_config_json(cls, self.config_path)

    def run_info(self) -> dict[str, Any]:
        """The content of ``run.json``."""
        return json.loads(self.run_info_path.read_text())

"""Checkpoint files: atomic save, safe (``weights_only=True``) load, strict state loading, latest-picking, retention.

A checkpoint is a ``dict`` of plain values (tensors, numbers, str, lists, tuples, dicts, None) so that
``torch.load(path, weights_only=True)`` reads it with no custom classes. Files are named
``step-{step:09d}.ckpt``; ``step`` counts completed optimizer iterations (skipped non-finite steps included).
"""

import logging
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gpnerf.engine.errors import CheckpointCorruptError, CheckpointMismatchError, CheckpointMissingError

log = logging.getLogger("gpnerf.engine")

FORMAT_VERSION = 1
"""Bumped whenever the payload layout changes; loading another version raises."""

REQUIRED_KEYS = frozenset(
    {"format_version", "step", "model", "optimizer", "scheduler", "rng", "config", "gpnerf_version", "git_commit"}
)
"""Top-level keys every trainer checkpoint holds."""

CHECKPOINT_PATTERN = re.compile(r"^step-(\d+)\.ckpt$")
"""File names the latest-picker and retention consider; anything else in the folder is left alone."""


def checkpoint_path(directory: Path, step: int) -> Path:
    """``directory / step-{step:09d}.ckpt``."""
    return Path(directory) / f"step-{step:09d}.ckpt"


def save_checkpoint(payload: Mapping[str, Any], path: Path) -> None:
    """Write ``payload`` to ``path`` atomically.

    The bytes go to a temp file in the same folder, are flushed and fsynced, then ``os.replace`` moves the file
    over ``path`` and the folder is fsynced. If pickling fails midway, the temp file is removed and ``path`` is
    untouched (absent, or the previous file).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(dict(payload), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_checkpoint(path: Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read and check a trainer checkpoint with ``torch.load(weights_only=True)``.

    Raises:
        CheckpointMissingError: ``path`` does not exist.
        CheckpointCorruptError: the file is truncated or not a torch file, or lacks :data:`REQUIRED_KEYS`.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointMissingError(
            f"checkpoint must be a file at {path}; got nothing there. Pass an existing step-*.ckpt or run dir."
        )
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:
        raise CheckpointCorruptError(
            f"checkpoint {path} must be a readable torch file; got {type(error).__name__}: {error}. "
            f"The file is truncated or corrupt: delete it and resume from an earlier checkpoint."
        ) from error
    if not isinstance(payload, dict):
        raise CheckpointCorruptError(
            f"checkpoint {path} must hold a dict; got {type(payload).__name__}. It was not written by gpnerf's trainer."
        )
    missing = sorted(REQUIRED_KEYS - set(payload))
    if missing:
        raise CheckpointCorruptError(
            f"checkpoint {path} must have keys {sorted(REQUIRED_KEYS)}; got no {missing}. "
            f"It was not written by gpnerf's trainer (for bare weights use load_model_weights)."
        )
    if payload["format_version"] != FORMAT_VERSION:
        raise CheckpointCorruptError(
            f"checkpoint {path} must have format_version {FORMAT_VERSION}; got {payload['format_version']!r}. "
            f"Use the gpnerf version that wrote it ({payload.get('gpnerf_version')!r})."
        )
    return payload


def load_state_strict(module: nn.Module, state_dict: Mapping[str, torch.Tensor], source: str) -> None:
    """``module.load_state_dict(state_dict)`` after checking key sets and shapes, with a readable error.

    Raises :class:`CheckpointMismatchError` naming the missing keys, the unexpected keys and every shape
    mismatch, plus ``source`` (the file they came from).
    """
    expected = module.state_dict()
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    reshaped = [
        f"{key}: model {tuple(expected[key].shape)} vs file {tuple(state_dict[key].shape)}"
        for key in sorted(set(expected) & set(state_dict))
        if tuple(expected[key].shape) != tuple(state_dict[key].shape)
    ]
    if missing or unexpected or reshaped:
        raise CheckpointMismatchError(
            f"model weights in {source} must match the model's state_dict exactly; got "
            f"missing keys (in model, not in file) {missing}, unexpected keys (in file, not in model) {unexpected}, "
            f"shape mismatches {reshaped}. Build the model with the config saved in the run dir, or load a checkpoint "
            f"of this model."
        )
    module.load_state_dict(state_dict, strict=True)


def load_model_weights(module: nn.Module, path: Path, map_location: str | torch.device = "cpu") -> int:
    """Strictly load only the model weights of the trainer checkpoint at ``path`` (e.g. to fine-tune from it).

    Returns the checkpoint's step.
    """
    payload = load_checkpoint(path, map_location=map_location)
    load_state_strict(module, payload["model"], source=str(path))
    return int(payload["step"])


def list_checkpoints(directory: Path) -> list[tuple[int, Path]]:
    """``(step, path)`` for every file named ``step-<digits>.ckpt`` in ``directory``, newest step first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = CHECKPOINT_PATTERN.match(path.name)
        if match and path.is_file():
            found.append((int(match.group(1)), path))
    return sorted(found, reverse=True)


def find_latest_checkpoint(directory: Path, map_location: str | torch.device = "cpu") -> tuple[Path, dict[str, Any]]:
    """Return ``(path, payload)`` of the newest checkpoint in ``directory`` that loads and verifies.

    Files that do not match ``step-<digits>.ckpt`` (temp files, ``step-abc``) and files that fail
    :func:`load_checkpoint` are skipped, each with a logged warning saying why.

    Raises:
        CheckpointMissingError: no valid checkpoint in ``directory``.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointMissingError(
            f"checkpoint folder must exist at {directory}; got nothing there. Pass a run dir or its checkpoints/."
        )
    for path in sorted(directory.iterdir()):
        if not CHECKPOINT_PATTERN.match(path.name):
            log.warning("skipping %s: name does not match step-<digits>.ckpt", path)
    reasons = []
    for step, path in list_checkpoints(directory):
        try:
            payload = load_checkpoint(path, map_location=map_location)
        except (CheckpointCorruptError, CheckpointMissingError) as error:
            log.warning("skipping %s: %s", path, error)
            reasons.append(f"{path.name}: {error}")
            continue
        if int(payload["step"]) != step:
            reason = f"stored step {payload['step']} differs from the step {step} in its name"
            log.warning("skipping %s: %s", path, reason)
            reasons.append(f"{path.name}: {reason}")
            continue
        return path, payload
    raise CheckpointMissingError(
        f"checkpoint folder {directory} must hold a valid step-<digits>.ckpt; got none"
        f"{' (skipped: ' + '; '.join(reasons) + ')' if reasons else ''}. "
        "Train (or resume) the run until it saves one, or pass another run or checkpoint file."
    )


def remove_stale_temp_files(directory: Path) -> list[Path]:
    """Delete leftover ``.step-*.ckpt.*.tmp`` files (from a process killed mid-save); return what was removed."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    removed = []
    for path in directory.glob(".step-*.ckpt.*.tmp"):
        path.unlink(missing_ok=True)
        log.warning("removed stale temp file %s (a save was interrupted)", path)
        removed.append(path)
    return removed


def apply_retention(directory: Path, newest: Path, keep_last: int) -> list[Path]:
    """After re-loading ``newest`` successfully, delete all but the ``keep_last`` newest checkpoints.

    If ``newest`` does not re-load, nothing is deleted and the load error propagates. ``keep_last <= 0`` keeps
    everything. Returns the deleted paths.
    """
    load_checkpoint(newest)
    if keep_last <= 0:
        return []
    deleted = []
    for _, path in list_checkpoints(directory)[keep_last:]:
        if path == Path(newest):
            continue
        path.unlink()
        deleted.append(path)
    return deleted

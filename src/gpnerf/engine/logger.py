"""Run logging on rank 0: TensorBoard scalars/images and one JSON object per line in ``metrics.jsonl``.

On other ranks (``enabled=False``) every method is a no-op and nothing is created on disk.
"""

import json
import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch


class RunLogger:
    """Writes scalars to TensorBoard (``tensorboard_dir``) and ``metrics_path``; images to TensorBoard only."""

    def __init__(self, tensorboard_dir: Path | None, metrics_path: Path | None, enabled: bool = True):
        self.enabled = enabled and (tensorboard_dir is not None or metrics_path is not None)
        self._writer = None
        self._metrics = None
        if not self.enabled:
            return
        if tensorboard_dir is not None:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(log_dir=str(tensorboard_dir))
        if metrics_path is not None:
            Path(metrics_path).parent.mkdir(parents=True, exist_ok=True)
            self._metrics = open(metrics_path, "a", encoding="utf-8")

    def log_scalars(self, step: int, scalars: Mapping[str, float | torch.Tensor], event: str = "train") -> None:
        """Log ``{tag: value}`` at ``step``; one ``metrics.jsonl`` line ``{"step", "event", "time", **scalars}``."""
        if not self.enabled:
            return
        values = {k: float(v.detach().float().item()) if torch.is_tensor(v) else float(v) for k, v in scalars.items()}
        if self._writer is not None:
            for tag, value in values.items():
                self._writer.add_scalar(tag, value, global_step=step)
        self.log_event(step, event, {k: (v if math.isfinite(v) else str(v)) for k, v in values.items()})

    def log_event(self, step: int, event: str, fields: Mapping[str, Any]) -> None:
        """Append ``{"step", "event", "time", **fields}`` to ``metrics.jsonl`` (values must be JSON-serialisable)."""
        if not self.enabled or self._metrics is None:
            return
        record = {"step": step, "event": event, "time": time.time(), **fields}
        self._metrics.write(json.dumps(record) + "\n")
        self._metrics.flush()

    def log_image(self, step: int, tag: str, image: torch.Tensor | np.ndarray) -> None:
        """Log an image: float in [0, 1] or uint8, shape (H, W), (H, W, 3) or (3, H, W)."""
        if not self.enabled or self._writer is None:
            return
        array = image.detach().cpu().numpy() if torch.is_tensor(image) else np.asarray(image)
        if array.ndim == 2:
            array = array[None]
        elif array.ndim == 3 and array.shape[-1] in (1, 3, 4) and array.shape[0] not in (1, 3, 4):
            array = array.transpose(2, 0, 1)
        if array.ndim != 3 or array.shape[0] not in (1, 3, 4):
            raise ValueError(f"image {tag!r} must have shape (H, W), (H, W, 3) or (3, H, W); got {tuple(image.shape)}.")
        self._writer.add_image(tag, array, global_step=step, dataformats="CHW")

    def flush(self) -> None:
        """Push pending TensorBoard events to disk."""
        if self._writer is not None:
            self._writer.flush()

    def close(self) -> None:
        """Flush and close the files."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._metrics is not None:
            self._metrics.close()
            self._metrics = None

"""Aggregation of per-image metrics: mean over the images of a scene, then mean over scenes.

This is the order of the published protocol (S-Ray ``train/trainer.py``, GP-NeRF ``eval_gpnerf.py``;
data-and-evaluation.md §5.1): a scene with 10 target images and a scene with 2 weigh the same in the
final number.
"""

import math
from collections.abc import Mapping


class SceneAverager:
    """Collects named per-image values and averages them per scene, then over scenes.

    Every image added must carry the same metric names. NaN values (e.g. an unavailable LPIPS)
    propagate to the means: they are never silently dropped.

    Example:
        >>> avg = SceneAverager()
        >>> avg.add("a", {"psnr": 20.0}); avg.add("a", {"psnr": 30.0}); avg.add("b", {"psnr": 10.0})
        >>> avg.scene_means()["a"]["psnr"], avg.dataset_mean()["psnr"]
        (25.0, 17.5)
    """

    def __init__(self) -> None:
        self._rows: dict[str, list[dict[str, float]]] = {}
        self._names: tuple[str, ...] | None = None

    def add(self, scene: str, values: Mapping[str, float]) -> None:
        """Record the metric values of one image of ``scene``."""
        if not isinstance(scene, str) or not scene:
            raise TypeError(f"scene must be a non-empty str; got {scene!r}. Pass the scene name.")
        names = tuple(sorted(values))
        if self._names is None:
            self._names = names
        elif names != self._names:
            raise ValueError(
                f"every image must report the same metrics {list(self._names)}; got {list(names)}. "
                "Use one SceneAverager per metric set."
            )
        self._rows.setdefault(scene, []).append({k: float(v) for k, v in values.items()})

    @property
    def num_images(self) -> int:
        """Number of images added so far."""
        return sum(len(rows) for rows in self._rows.values())

    @property
    def scenes(self) -> tuple[str, ...]:
        """Scene names in the order they were first added."""
        return tuple(self._rows)

    def image_counts(self) -> dict[str, int]:
        """``{scene: number of images added for it}``."""
        return {scene: len(rows) for scene, rows in self._rows.items()}

    def scene_means(self) -> dict[str, dict[str, float]]:
        """``{scene: {metric: mean over that scene's images}}``."""
        return {scene: _mean_rows(rows) for scene, rows in self._rows.items()}

    def dataset_mean(self) -> dict[str, float]:
        """``{metric: mean over scenes of the scene means}``; raises if nothing was added."""
        if not self._rows:
            raise ValueError("dataset_mean needs at least one image; got none. Call add() first.")
        return _mean_rows(list(self.scene_means().values()))


def _mean_rows(rows: list[dict[str, float]]) -> dict[str, float]:
    return {name: math.fsum(row[name] for row in rows) / len(rows) for name in rows[0]}

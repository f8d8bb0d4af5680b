"""The unit of work that data produces and the model consumes: one target view and its sources.

It sits below both ``gpnerf.data`` and ``gpnerf.model`` so that the model never imports the data
package. Conventions (image range, label ignore id, pose axes) are those of :mod:`gpnerf.conventions`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import ClassVar

import torch

from gpnerf.geometry import Cameras


@dataclass
class Episode:
    """A target view, its N source ("reference") views, and optional supervision.

    Attributes:
        source_images: ``(views, 3, H, W)`` float32 in [0, 1].
        source_cameras: ``views`` cameras of size ``H x W``.
        target_camera: one camera (``len == 1``) of size ``H x W``.
        near, far: z-depth bounds for ray sampling, metres.
        target_image: ``(3, H, W)`` float32 in [0, 1], or None (pure inference).
        target_depth: ``(H, W)`` z-depth in metres, 0 where unknown, or None.
        target_semantic: ``(H, W)`` int64 class ids, ``num_classes`` = ignore, or None.
        target_instance: ``(H, W)`` int64 instance ids, 0 = none, or None.
        ray_indices: ``(rays,)`` int64 row-major flat pixel indices of the target view to render
            (training batches), or None for the full image.
        scene: scene name; target_id: frame id of the target; source_ids: frame ids of the sources.
    """

    source_images: torch.Tensor
    source_cameras: Cameras
    target_camera: Cameras
    near: float
    far: float
    target_image: torch.Tensor | None = None
    target_depth: torch.Tensor | None = None
    target_semantic: torch.Tensor | None = None
    target_instance: torch.Tensor | None = None
    ray_indices: torch.Tensor | None = None
    scene: str = ""
    target_id: int = -1
    source_ids: list[int] = field(default_factory=list)

    DESCRIPTIVE_FIELDS: ClassVar[tuple[str, ...]] = ("scene", "target_id", "source_ids")
    """Fields that name the episode for logs and never enter the computation (a CUDA-graphed training step
    leaves them out of its batch signature: :mod:`gpnerf.cuda_graphs`)."""

    def __post_init__(self) -> None:
        views = self.source_images.shape[0]
        if self.source_images.ndim != 4 or self.source_images.shape[1] != 3:
            raise ValueError(
                f"Episode.source_images must have shape (views, 3, H, W); got {tuple(self.source_images.shape)}."
            )
        if len(self.source_cameras) != views:
            raise ValueError(
                f"Episode has {views} source images but {len(self.source_cameras)} source cameras."
            )
        if len(self.target_camera) != 1:
            raise ValueError(f"Episode.target_camera must hold 1 camera; got {len(self.target_camera)}.")
        if not 0.0 <= self.near < self.far:
            raise ValueError(f"Episode needs 0 <= near < far; got near={self.near}, far={self.far}.")

    @property
    def height(self) -> int:
        return self.target_camera.height

    @property
    def width(self) -> int:
        return self.target_camera.width

    def to(self, device: torch.device | str, non_blocking: bool = False) -> "Episode":
        """A copy with every tensor on ``device`` (``non_blocking``: from pinned memory, the host does not wait)."""
        return self.apply(lambda x: x.to(device, non_blocking=non_blocking))

    def pin_memory(self) -> "Episode":
        """A copy with every tensor in pinned host memory (CUDA builds), ready for a non-blocking copy."""
        return self.apply(torch.Tensor.pin_memory)

    def apply(self, function: Callable[[torch.Tensor], torch.Tensor]) -> "Episode":
        """A copy with ``function`` applied to every tensor (cameras included, absent ones kept None)."""

        def optional(x: torch.Tensor | None) -> torch.Tensor | None:
            return None if x is None else function(x)

        return replace(
            self,
            source_images=function(self.source_images),
            source_cameras=self.source_cameras.apply(function),
            target_camera=self.target_camera.apply(function),
            target_image=optional(self.target_image),
            target_depth=optional(self.target_depth),
            target_semantic=optional(self.target_semantic),
            target_instance=optional(self.target_instance),
            ray_indices=optional(self.ray_indices),
        )

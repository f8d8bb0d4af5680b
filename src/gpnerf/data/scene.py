"""One scene abstraction for every layout: posed frames decoded lazily, already in gpnerf conventions."""

import functools
from dataclasses import dataclass, replace
from typing import Callable, NamedTuple

import torch

from gpnerf.data.labels import LabelSpace
from gpnerf.geometry import Cameras


class FrameMaps(NamedTuple):
    """The decoded per-pixel maps of one frame (what a layout reader returns).

    Attributes:
        image: ``(3, H, W)`` float32 in [0, 1].
        depth: ``(H, W)`` float32 z-depth in metres, 0 = unknown; None if the layout has no depth.
        semantic: ``(H, W)`` int64 class ids in the scene's label space, ``num_classes`` = ignore; or None.
        instance: ``(H, W)`` int64 instance ids, 0 = none; or None.
    """

    image: torch.Tensor
    depth: torch.Tensor | None
    semantic: torch.Tensor | None
    instance: torch.Tensor | None


@dataclass
class Frame:
    """One posed frame.

    Attributes:
        frame_id: the id on disk (file number).
        maps: the decoded images (see :class:`FrameMaps`).
        K: ``(3, 3)`` intrinsics in pixels of the decoded image.
        world_from_cam: ``(4, 4)`` camera-to-world pose, OpenCV camera axes.
    """

    frame_id: int
    maps: FrameMaps
    K: torch.Tensor
    world_from_cam: torch.Tensor

    @property
    def image(self) -> torch.Tensor:
        return self.maps.image

    @property
    def depth(self) -> torch.Tensor | None:
        return self.maps.depth

    @property
    def semantic(self) -> torch.Tensor | None:
        return self.maps.semantic

    @property
    def instance(self) -> torch.Tensor | None:
        return self.maps.instance


@dataclass
class Scene:
    """A posed image sequence whose frames are read from disk only when asked for.

    Attributes:
        name: scene name, e.g. ``"office_0/Sequence_1"`` or ``"scene0376_02"``.
        layout: the on-disk layout it was read from (``"replica"``, ``"scannet"``, ...).
        frame_ids: ``frames`` ids on disk in the scene's frame order.
        K: ``(3, 3)`` intrinsics of the decoded images (shared by all frames).
        world_from_cam: ``(frames, 4, 4)`` float32 camera-to-world poses, OpenCV camera axes.
        height, width: decoded image size in pixels.
        near, far: z-depth bounds for ray sampling, metres.
        label_space: the semantic label space, or None when the scene has no labels.
        has_depth, has_semantic, has_instance: which optional maps :meth:`frame` returns.
        read_maps: ``index -> FrameMaps`` for the frame at position ``index``; reads only its files.
    """

    name: str
    layout: str
    frame_ids: list[int]
    K: torch.Tensor
    world_from_cam: torch.Tensor
    height: int
    width: int
    near: float
    far: float
    label_space: LabelSpace | None
    has_depth: bool
    has_semantic: bool
    has_instance: bool
    read_maps: Callable[[int], FrameMaps]

    def __post_init__(self) -> None:
        if not self.frame_ids:
            raise ValueError(f"Scene {self.name!r} must hold at least one frame; got none.")
        if self.world_from_cam.shape != (len(self.frame_ids), 4, 4):
            raise ValueError(
                f"Scene {self.name!r} world_from_cam must have shape ({len(self.frame_ids)}, 4, 4); "
                f"got {tuple(self.world_from_cam.shape)}."
            )
        if not 0.0 <= self.near < self.far:
            raise ValueError(f"Scene {self.name!r} needs 0 <= near < far; got near={self.near}, far={self.far}.")
        self._position = {frame_id: i for i, frame_id in enumerate(self.frame_ids)}

    def __len__(self) -> int:
        return len(self.frame_ids)

    @property
    def ignore_index(self) -> int | None:
        """The ignore label (``num_classes``), or None without a label space."""
        return None if self.label_space is None else self.label_space.ignore_index

    def index_of(self, frame_id: int) -> int:
        """Position of ``frame_id`` in :attr:`frame_ids`."""
        if frame_id not in self._position:
            raise KeyError(f"Scene {self.name!r} has no frame id {frame_id}.")
        return self._position[frame_id]

    def frame(self, index: int) -> Frame:
        """Decode the frame at position ``index`` (reads only that frame's files)."""
        maps = self.read_maps(index)
        height, width = maps.image.shape[-2:]
        if (height, width) != (self.height, self.width):
            raise ValueError(
                f"Scene {self.name!r} frame {self.frame_ids[index]} must be {self.height}x{self.width}; "
                f"got {height}x{width}. All frames of a scene must share one size."
            )
        return Frame(self.frame_ids[index], maps, self.K.clone(), self.world_from_cam[index].clone())

    def frame_by_id(self, frame_id: int) -> Frame:
        return self.frame(self.index_of(frame_id))

    def cached(self) -> "Scene":
        """The same scene keeping every decoded frame in memory after its first read (for small datasets
        trained for many steps: each frame is decoded once instead of once per episode)."""
        return replace(self, read_maps=functools.lru_cache(maxsize=None)(self.read_maps))

    def subset(self, frame_ids: list[int]) -> "Scene":
        """The same scene restricted to ``frame_ids`` (in that order); frames stay lazily read.

        Used to keep fine-tuning away from evaluation targets: a training dataset built on the
        subset can never draw a frame outside it, as target or as source."""
        positions = [self.index_of(f) for f in frame_ids]
        read_maps = self.read_maps
        return replace(
            self,
            frame_ids=list(frame_ids),
            world_from_cam=self.world_from_cam[positions].clone(),
            read_maps=lambda index: read_maps(positions[index]),
        )

    def cameras(self, frame_ids: list[int] | None = None) -> Cameras:
        """Cameras of the given frame ids (all frames by default), in that order."""
        positions = list(range(len(self))) if frame_ids is None else [self.index_of(f) for f in frame_ids]
        K = self.K.expand(len(positions), 3, 3).clone()
        return Cameras(K, self.world_from_cam[positions].clone(), self.height, self.width)

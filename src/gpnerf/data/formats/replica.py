"""Replica as pre-rendered by Semantic-NeRF: ``<root>/<scene>/Sequence_k/`` (one Scene per sequence).

Labels: raw uint8 Replica ids -> REPLICA51 (51 = ignore). Intrinsics, scene split and depth range
are switches of :class:`ReplicaConfig` (facts: data-and-evaluation.md §1).
"""

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch

from gpnerf.data.errors import DataMissingError
from gpnerf.data.formats.semantic_nerf import read_sequence_folder
from gpnerf.data.labels import REPLICA51, replica_raw_to_class
from gpnerf.data.scene import Scene

REPLICA_REFERENCE_WIDTH: int = 640
"""Width at which the published Replica intrinsics are stated; other widths scale all four by W / 640."""

REPLICA_INTRINSICS: dict[str, tuple[float, float, float, float]] = {
    "true": (320.0, 320.0, 319.5, 239.5),
    "sray": (320.0, 320.0, 319.5, 229.5),
    "gpnerf": (320.0, 319.5, 320.0, 229.5),
}
"""(fx, fy, cx, cy) at 640x480: Semantic-NeRF's true values, S-Ray/GSNeRF's (cy typo), GP-NeRF's code."""

REPLICA_SPLITS: dict[str, dict[str, tuple[str, ...]]] = {
    "gsnerf": {
        "train": ("office_0", "office_1", "office_2", "office_3", "room_0", "room_1"),
        "test": ("office_4", "room_2"),
    },
    "gpnerf": {
        "train": ("office_0", "office_1", "office_2", "office_3", "office_4", "room_0", "room_1", "room_2"),
        "test": ("office_0", "room_0"),
    },
}
"""Scene splits: GSNeRF's (disjoint; default) and GP-NeRF's released one (test scenes inside train)."""


@dataclass(frozen=True)
class ReplicaConfig:
    """How Replica is read.

    Attributes:
        intrinsics: ``"true"`` (Semantic-NeRF), ``"sray"`` (cy = 229.5) or ``"gpnerf"`` (released code).
        split: ``"gsnerf"`` (default, disjoint) or ``"gpnerf"`` (test scenes leak into training; warns).
        sequences: sequence folders read per scene.
        near, far: z-depth range in metres (S-Ray's 0.1, 6.0; GP-NeRF uses 0.1, 10.0).
    """

    intrinsics: Literal["true", "sray", "gpnerf"] = "true"
    split: Literal["gsnerf", "gpnerf"] = "gsnerf"
    sequences: tuple[str, ...] = ("Sequence_1", "Sequence_2")
    near: float = 0.1
    far: float = 6.0


def replica_intrinsics(height: int, width: int, variant: str = "true") -> torch.Tensor:
    """``(3, 3)`` K of a ``height x width`` Replica render: the 640-wide values scaled by W / 640."""
    if variant not in REPLICA_INTRINSICS:
        raise ValueError(f"Replica intrinsics must be one of {sorted(REPLICA_INTRINSICS)}; got {variant!r}.")
    fx, fy, cx, cy = REPLICA_INTRINSICS[variant]
    scale = width / REPLICA_REFERENCE_WIDTH
    return torch.tensor([[fx * scale, 0.0, cx * scale], [0.0, fy * scale, cy * scale], [0.0, 0.0, 1.0]])


def _map_labels(raw: np.ndarray, path: Path) -> np.ndarray:
    return replica_raw_to_class(raw)


def load_replica_sequence(
    folder: Path, name: str, config: ReplicaConfig = ReplicaConfig(), check_poses: bool = True
) -> Scene:
    """One ``<scene>/Sequence_k`` folder as a Scene named ``name`` (REPLICA51 labels if present)."""
    return read_sequence_folder(
        Path(folder),
        name=name,
        layout="replica",
        intrinsics=lambda h, w: replica_intrinsics(h, w, config.intrinsics),
        near=config.near,
        far=config.far,
        label_space=REPLICA51,
        label_mapper=_map_labels,
        check_poses=check_poses,
    )


def replica_split_scenes(split: str, config: ReplicaConfig = ReplicaConfig()) -> tuple[str, ...]:
    """Scene names of ``split`` (``"train"`` / ``"test"``) in the configured split; warns on the GP-NeRF leak."""
    if config.split not in REPLICA_SPLITS:
        raise ValueError(f"Replica split must be one of {sorted(REPLICA_SPLITS)}; got {config.split!r}.")
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}.")
    chosen = REPLICA_SPLITS[config.split]
    leaked = set(chosen["train"]) & set(chosen["test"])
    if leaked:
        warnings.warn(
            f"Replica split {config.split!r} tests on scenes that are also in training ({sorted(leaked)}): "
            "results are not a generalisation measure. Use split='gsnerf' for disjoint scenes.",
            stacklevel=2,
        )
    return chosen[split]


def load_replica(
    root: Path, split: str, config: ReplicaConfig = ReplicaConfig(), check_poses: bool = True
) -> list[Scene]:
    """Every configured sequence of every scene of ``split`` under ``root`` (e.g. ``data/Replica``)."""
    scenes = []
    for scene_name in replica_split_scenes(split, config):
        scene_dir = Path(root) / scene_name
        if not scene_dir.is_dir():
            raise DataMissingError(
                f"Replica scene folder must exist at {scene_dir} for the {config.split!r} {split} split; "
                "got nothing there. Download it or choose another split."
            )
        sequences = [scene_dir / seq for seq in config.sequences if (scene_dir / seq).is_dir()]
        if not sequences:
            raise DataMissingError(
                f"Replica scene {scene_dir} must hold one of {list(config.sequences)}; got none."
            )
        for seq in sequences:
            scenes.append(load_replica_sequence(seq, f"{scene_name}/{seq.name}", config, check_poses))
    return scenes

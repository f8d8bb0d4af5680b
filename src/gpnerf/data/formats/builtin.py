"""The built-in procedural data: ``<root>/<scene>/{rgb,depth,semantic_class,semantic_instance}/``,
``traj_w_c.txt``, ``scene.json`` per scene and ``<root>/split.json``.

Class ids on disk are already SCANNET20 ids (0..19, 20 = unlabeled); K, near/far come from scene.json.
"""

import json
from pathlib import Path

import numpy as np
import torch

from gpnerf.data.errors import DataFormatError, require_file
from gpnerf.data.formats.semantic_nerf import read_sequence_folder
from gpnerf.data.labels import SCANNET20
from gpnerf.data.scene import Scene

SCENE_KEYS: frozenset[str] = frozenset(
    {
        "format", "generator_version", "seed", "height", "width", "hfov_deg", "intrinsics", "near",
        "far", "label_space", "class_names", "ignore_index", "num_frames", "instances", "room_type",
    }
)
"""The exact key set of ``scene.json``."""

SCENE_FORMAT = "gpnerf-synth"
SPLIT_FORMAT = "gpnerf-synth-split"


def _load_json(path: Path, what: str) -> dict:
    require_file(path, what, "Regenerate the data with the gpnerf generator.")
    try:
        content = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataFormatError(f"{path} must be valid JSON; got {error}. Regenerate the file.") from None
    if not isinstance(content, dict):
        raise DataFormatError(f"{path} must hold a JSON object; got {type(content).__name__}.")
    return content


def read_scene_json(path: Path) -> dict:
    """Parse and check ``scene.json`` (exact keys, format tag, SCANNET20 label space)."""
    meta = _load_json(path, "built-in scene.json")
    keys = set(meta)
    if keys != SCENE_KEYS:
        raise DataFormatError(
            f"{path} must have exactly the keys {sorted(SCENE_KEYS)}; got missing {sorted(SCENE_KEYS - keys)}, "
            f"extra {sorted(keys - SCENE_KEYS)}. Regenerate the scene."
        )
    if meta["format"] != SCENE_FORMAT:
        raise DataFormatError(f"{path} 'format' must be {SCENE_FORMAT!r}; got {meta['format']!r}.")
    if meta["label_space"] != SCANNET20.name or list(meta["class_names"]) != list(SCANNET20.class_names):
        raise DataFormatError(
            f"{path} must use label_space {SCANNET20.name!r} with its 20 class names; "
            f"got {meta['label_space']!r} with {len(meta['class_names'])} names."
        )
    if meta["ignore_index"] != SCANNET20.ignore_index:
        raise DataFormatError(f"{path} ignore_index must be {SCANNET20.ignore_index}; got {meta['ignore_index']}.")
    if set(meta["intrinsics"]) != {"fx", "fy", "cx", "cy"}:
        raise DataFormatError(f"{path} intrinsics must have keys fx, fy, cx, cy; got {sorted(meta['intrinsics'])}.")
    return meta


def read_split_json(path: Path) -> dict[str, list[str]]:
    """``{"train": [...], "test": [...]}`` from ``split.json``."""
    meta = _load_json(path, "built-in split.json")
    if meta.get("format") != SPLIT_FORMAT or not all(isinstance(meta.get(k), list) for k in ("train", "test")):
        raise DataFormatError(
            f"{path} must be {{'format': {SPLIT_FORMAT!r}, 'train': [names], 'test': [names]}}; "
            f"got keys {sorted(meta)} with format {meta.get('format')!r}."
        )
    return {"train": list(meta["train"]), "test": list(meta["test"])}


def _map_labels(raw: np.ndarray, path: Path) -> np.ndarray:
    bad = (raw < 0) | (raw > SCANNET20.ignore_index)
    if bad.any():
        raise DataFormatError(
            f"{path} label ids must lie in [0, {SCANNET20.num_classes - 1}] or be {SCANNET20.ignore_index} "
            f"(ignore); got {sorted(np.unique(raw[bad]).tolist())[:10]}. Regenerate the labels."
        )
    return raw.astype(np.int64)


def load_builtin_scene(folder: Path, check_poses: bool = True) -> Scene:
    """One built-in scene folder as a Scene (K and near/far from its scene.json)."""
    folder = Path(folder)
    meta_path = folder / "scene.json"
    meta = read_scene_json(meta_path)
    intr = meta["intrinsics"]

    def intrinsics(height: int, width: int) -> torch.Tensor:
        if (height, width) != (meta["height"], meta["width"]):
            raise DataFormatError(
                f"{meta_path} says {meta['height']}x{meta['width']} but the rgb frames are {height}x{width}. "
                "Regenerate the scene."
            )
        return torch.tensor([[intr["fx"], 0.0, intr["cx"]], [0.0, intr["fy"], intr["cy"]], [0.0, 0.0, 1.0]])

    scene = read_sequence_folder(
        folder,
        name=folder.name,
        layout="builtin",
        intrinsics=intrinsics,
        near=float(meta["near"]),
        far=float(meta["far"]),
        label_space=SCANNET20,
        label_mapper=_map_labels,
        check_poses=check_poses,
    )
    if len(scene) != meta["num_frames"]:
        raise DataFormatError(
            f"{meta_path} num_frames must match the {len(scene)} rgb files; got {meta['num_frames']}."
        )
    return scene


def load_builtin(root: Path, split: str, check_poses: bool = True) -> list[Scene]:
    """The scenes of ``split`` (``"train"`` / ``"test"``) listed in ``<root>/split.json``."""
    splits = read_split_json(Path(root) / "split.json")
    if split not in splits:
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}.")
    overlap = set(splits["train"]) & set(splits["test"])
    if overlap:
        raise DataFormatError(
            f"{Path(root) / 'split.json'} train and test must be disjoint; got {sorted(overlap)} in both. "
            "Remove them from one list."
        )
    return [load_builtin_scene(Path(root) / name, check_poses) for name in splits[split]]

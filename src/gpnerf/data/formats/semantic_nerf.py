"""The per-sequence folder shared by Replica (Semantic-NeRF renders) and the built-in data.

``<folder>/rgb/rgb_<i>.png`` (8-bit RGB), ``depth/depth_<i>.png`` (uint16 mm, optional),
``semantic_class/semantic_class_<i>.png`` (optional), ``semantic_instance/semantic_instance_<i>.png``
(optional), ``traj_w_c.txt`` (line i = row-major 4x4 world_from_cam of frame i, OpenCV axes).
Frame ids are the integer suffixes, in numeric order; only the exact file pattern is read.
"""

from pathlib import Path
from typing import Callable

import numpy as np
import torch

from gpnerf.conventions import DEPTH_PNG_UNITS_PER_METRE
from gpnerf.data.errors import DataFormatError, require_dir, require_file
from gpnerf.data.io import (
    depth_from_png,
    frames_by_number,
    image_size,
    pose_problem,
    read_label_map,
    read_rgb,
    read_trajectory,
)
from gpnerf.data.labels import LabelSpace
from gpnerf.data.scene import FrameMaps, Scene

MODALITIES: dict[str, tuple[str, str]] = {
    "rgb": ("rgb_", ".png"),
    "depth": ("depth_", ".png"),
    "semantic_class": ("semantic_class_", ".png"),
    "semantic_instance": ("semantic_instance_", ".png"),
}
"""Sub-folder -> (file prefix, suffix) of each per-frame map."""

LabelMapper = Callable[[np.ndarray, Path], np.ndarray]
"""``(raw ids (H, W), file) -> (H, W)`` int64 class ids; raises naming the file on bad ids."""


def check_trajectory(poses: np.ndarray, path: Path) -> None:
    """Raise :class:`DataFormatError` naming ``path`` and the line of the first invalid pose."""
    for line, pose in enumerate(poses, start=1):
        problem = pose_problem(pose)
        if problem is not None:
            raise DataFormatError(f"{path} line {line}: {problem}. Fix or drop that frame's pose.")


def _check_size(array_hw: tuple[int, int], expected: tuple[int, int], path: Path) -> None:
    if tuple(array_hw) != tuple(expected):
        raise DataFormatError(
            f"{path} must be {expected[0]}x{expected[1]} (H x W, the size of the rgb frames); "
            f"got {array_hw[0]}x{array_hw[1]}. Re-export it at the rgb resolution."
        )


def read_sequence_folder(
    folder: Path,
    *,
    name: str,
    layout: str,
    intrinsics: Callable[[int, int], torch.Tensor],
    near: float,
    far: float,
    label_space: LabelSpace | None,
    label_mapper: LabelMapper | None,
    check_poses: bool = True,
) -> Scene:
    """Index one sequence folder (headers and poses only; pixels are decoded per frame on demand).

    Args:
        intrinsics: ``(height, width) -> (3, 3)`` K for the stored image size.
        label_space, label_mapper: how raw semantic ids become class ids (None: labels not read).
        check_poses: raise on non-finite / non-rigid poses (the validator turns this off and
            reports them itself).
    """
    require_dir(folder, f"{layout} sequence", "Point to the folder that holds rgb/ and traj_w_c.txt.")
    rgb_dir = require_dir(folder / "rgb", f"{layout} rgb folder", "Every sequence needs rgb/rgb_<i>.png.")
    traj_path = require_file(folder / "traj_w_c.txt", f"{layout} trajectory", "Write one 4x4 pose per line.")
    files = {"rgb": frames_by_number(rgb_dir, *MODALITIES["rgb"])}
    if not files["rgb"]:
        raise DataFormatError(f"{rgb_dir} must hold rgb_<i>.png frames; got none. The scene is empty.")
    ids = sorted(files["rgb"])
    if ids != list(range(len(ids))):
        missing = sorted(set(range(ids[-1] + 1)) - set(ids))[:5]
        raise DataFormatError(
            f"{rgb_dir} frame ids must be 0..{len(ids) - 1} without gaps; got {len(ids)} files, missing e.g. {missing}."
        )
    for sub in ("depth", "semantic_class", "semantic_instance"):
        if (folder / sub).is_dir():
            found = frames_by_number(folder / sub, *MODALITIES[sub])
            if sorted(found) != ids:
                raise DataFormatError(
                    f"{folder / sub} must hold one {MODALITIES[sub][0]}<i>.png per rgb frame ({len(ids)}); "
                    f"got {len(found)} (first mismatching id: {sorted(set(found) ^ set(ids))[0]}). "
                    "Restore the missing files or remove the folder."
                )
            files[sub] = found
    poses = read_trajectory(traj_path)
    if len(poses) != len(ids):
        raise DataFormatError(
            f"{traj_path} must hold one pose per frame ({len(ids)} lines); got {len(poses)}. "
            "Regenerate the trajectory or the frames."
        )
    if check_poses:
        check_trajectory(poses, traj_path)
    height, width = image_size(files["rgb"][ids[0]])
    use_labels = "semantic_class" in files and label_mapper is not None

    def read_maps(index: int) -> FrameMaps:
        frame_id = ids[index]
        image = read_rgb(files["rgb"][frame_id])
        _check_size(tuple(image.shape[-2:]), (height, width), files["rgb"][frame_id])
        depth = semantic = instance = None
        if "depth" in files:
            depth = depth_from_png(files["depth"][frame_id], DEPTH_PNG_UNITS_PER_METRE)
            _check_size(tuple(depth.shape), (height, width), files["depth"][frame_id])
        if use_labels:
            path = files["semantic_class"][frame_id]
            raw = read_label_map(path)
            _check_size(raw.shape, (height, width), path)
            semantic = torch.from_numpy(label_mapper(raw, path))
        if "semantic_instance" in files:
            path = files["semantic_instance"][frame_id]
            raw = read_label_map(path)
            _check_size(raw.shape, (height, width), path)
            instance = torch.from_numpy(raw)
        return FrameMaps(image, depth, semantic, instance)

    return Scene(
        name=name,
        layout=layout,
        frame_ids=ids,
        K=intrinsics(height, width),
        world_from_cam=torch.from_numpy(poses).float(),
        height=height,
        width=width,
        near=near,
        far=far,
        label_space=label_space if use_labels else None,
        has_depth="depth" in files,
        has_semantic=use_labels,
        has_instance="semantic_instance" in files,
        read_maps=read_maps,
    )

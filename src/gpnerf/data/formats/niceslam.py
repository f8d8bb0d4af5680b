"""NICE-SLAM's Replica layout: ``results/frame<6 digits>.jpg``, ``results/depth<6 digits>.png``
(uint16, metres = value / ``scale``), ``traj.txt`` (line i = 4x4 world_from_cam, OpenCV axes) and
``cam_params.json`` (``camera``: w, h, fx, fy, cx, cy, scale). No labels.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import torch

from gpnerf.data.errors import DataFormatError, require_dir, require_file
from gpnerf.data.formats.semantic_nerf import check_trajectory
from gpnerf.data.io import depth_from_png, frames_by_number, image_size, read_rgb, read_trajectory
from gpnerf.data.scene import FrameMaps, Scene

CAMERA_KEYS = ("w", "h", "fx", "fy", "cx", "cy", "scale")


@dataclass(frozen=True)
class NiceSlamConfig:
    """near, far: z-depth range in metres for ray sampling."""

    near: float = 0.1
    far: float = 6.0


def load_niceslam(folder: Path, config: NiceSlamConfig = NiceSlamConfig(), check_poses: bool = True) -> Scene:
    """A NICE-SLAM sequence folder as a Scene named after the folder."""
    folder = Path(folder)
    results = require_dir(folder / "results", "NICE-SLAM results folder", "It must hold frame*.jpg and depth*.png.")
    params_path = require_file(folder / "cam_params.json", "NICE-SLAM camera file", "Add cam_params.json.")
    traj_path = require_file(folder / "traj.txt", "NICE-SLAM trajectory", "Add traj.txt (one 4x4 per line).")
    try:
        camera = json.loads(params_path.read_text())["camera"]
        w, h, fx, fy, cx, cy, scale = (float(camera[k]) for k in CAMERA_KEYS)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise DataFormatError(
            f"{params_path} must hold camera.{{{', '.join(CAMERA_KEYS)}}} as numbers; got error {error!r}."
        ) from None
    images = frames_by_number(results, "frame", ".jpg")
    depths = frames_by_number(results, "depth", ".png")
    if not images:
        raise DataFormatError(f"{results} must hold frame<i>.jpg files; got none. The scene is empty.")
    ids = sorted(images)
    if depths and sorted(depths) != ids:
        raise DataFormatError(
            f"{results} must hold one depth<i>.png per frame<i>.jpg; "
            f"got {len(depths)} depth and {len(ids)} colour files."
        )
    poses = read_trajectory(traj_path)
    if len(poses) <= ids[-1]:
        raise DataFormatError(f"{traj_path} must hold a pose for frame {ids[-1]}; got {len(poses)} lines.")
    poses = poses[ids]
    if check_poses:
        check_trajectory(poses, traj_path)
    height, width = image_size(images[ids[0]])
    if (height, width) != (int(h), int(w)):
        raise DataFormatError(f"{params_path} says {int(h)}x{int(w)} but {images[ids[0]]} is {height}x{width}.")

    def read_maps(index: int) -> FrameMaps:
        frame_id = ids[index]
        image = read_rgb(images[frame_id])
        depth = None
        if depths:
            depth = depth_from_png(depths[frame_id], scale)
            if tuple(depth.shape) != tuple(image.shape[-2:]):
                raise DataFormatError(
                    f"{depths[frame_id]} must be {height}x{width} like the colour frames; got "
                    f"{depth.shape[0]}x{depth.shape[1]}."
                )
        return FrameMaps(image, depth, None, None)

    return Scene(
        name=folder.name,
        layout="niceslam",
        frame_ids=ids,
        K=torch.tensor([[fx, 0.0, cx], [0.0, fy, cy], [0.0, 0.0, 1.0]]),
        world_from_cam=torch.from_numpy(poses).float(),
        height=height,
        width=width,
        near=config.near,
        far=config.far,
        label_space=None,
        has_depth=bool(depths),
        has_semantic=False,
        has_instance=False,
        read_maps=read_maps,
    )

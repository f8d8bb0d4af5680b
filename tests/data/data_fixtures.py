"""Writers of tiny datasets in each exact on-disk layout (file names, dtypes, encodings) under tmp_path."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gpnerf.data.labels import SCANNET20

REPLICA_RAW_IDS = (0, 1, 3, 40, 98, 101)
SCANNET_RAW_IDS = (0, 1, 2, 3, 22, 1357)
MINIMAL_TSV_ROWS = ((1, "wall", 1), (2, "chair", 5), (3, "floor", 2), (22, "books", 23), (1357, "starbucks cup", 40))


def look_at_pose(center: np.ndarray, target: np.ndarray, up=(0.0, 0.0, 1.0)) -> np.ndarray:
    """``(4, 4)`` world_from_cam (OpenCV axes) of a camera at ``center`` looking at ``target``."""
    z = target - center
    z = z / np.linalg.norm(z)
    x = np.cross(z, np.asarray(up))
    x = x / np.linalg.norm(x)
    y = np.cross(z, x)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = x, y, z, center
    return pose


def circle_poses(num_frames: int, radius: float = 1.0, height: float = 1.5) -> np.ndarray:
    """``(frames, 4, 4)`` cameras on a circle around (0, 0, height), looking at the origin; frame i at angle 2 pi i / frames."""
    poses = []
    for i in range(num_frames):
        angle = 2 * np.pi * i / num_frames
        center = np.array([radius * np.cos(angle), radius * np.sin(angle), height])
        poses.append(look_at_pose(center, np.zeros(3)))
    return np.stack(poses)


def write_png(path: Path, array: np.ndarray) -> Path:
    """uint8 (H, W[, 3]) or true 16-bit uint16 (H, W) PNG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if array.dtype == np.uint16:
        Image.fromarray(array).save(path)  # PIL mode "I;16"
    else:
        Image.fromarray(array.astype(np.uint8)).save(path)
    return path


def write_trajectory(path: Path, poses: np.ndarray) -> None:
    path.write_text("\n".join(" ".join(f"{v:.9e}" for v in pose.reshape(-1)) for pose in poses) + "\n")


def rgb_of(frame_id: int, height: int, width: int) -> np.ndarray:
    """uint8 (H, W, 3): R = frame id, G a horizontal gradient, B = 7."""
    image = np.zeros((height, width, 3), np.uint8)
    image[..., 0] = frame_id % 256
    image[..., 1] = (np.arange(width) * 255 // max(width - 1, 1))[None, :]
    image[..., 2] = 7
    return image


def stripes(values, height: int, width: int, dtype) -> np.ndarray:
    """(H, W) map of vertical stripes cycling through ``values``."""
    columns = np.asarray(values)[(np.arange(width) * len(values)) // width]
    return np.broadcast_to(columns[None, :], (height, width)).astype(dtype).copy()


def write_sequence(folder: Path, num_frames: int, height: int, width: int, label_values, poses=None, decoy=True):
    """One Semantic-NeRF-layout sequence folder (also the built-in per-scene layout)."""
    poses = circle_poses(num_frames) if poses is None else poses
    for i in range(num_frames):
        write_png(folder / "rgb" / f"rgb_{i}.png", rgb_of(i, height, width))
        depth = np.full((height, width), 500 + 100 * i, np.uint16)
        depth[0, :3] = 0
        write_png(folder / "depth" / f"depth_{i}.png", depth)
        write_png(folder / "semantic_class" / f"semantic_class_{i}.png", stripes(label_values, height, width, np.uint8))
        write_png(folder / "semantic_instance" / f"semantic_instance_{i}.png", stripes((0, 1, 2), height, width, np.uint8))
    if decoy:
        write_png(folder / "semantic_class" / "vis_sem_class_0.png", np.full((height, width, 3), 200, np.uint8))
    write_trajectory(folder / "traj_w_c.txt", poses)
    return folder


@pytest.fixture
def replica_root(tmp_path):
    """``Replica/`` with the GSNeRF test scenes: office_4 (Sequence_1, Sequence_2) and room_2 (Sequence_1); 64x48, 12 frames."""
    root = tmp_path / "Replica"
    for scene, sequences in (("office_4", ("Sequence_1", "Sequence_2")), ("room_2", ("Sequence_1",))):
        for seq in sequences:
            write_sequence(root / scene / seq, 12, 48, 64, REPLICA_RAW_IDS)
    return root


def scene_json(num_frames: int, height: int, width: int) -> dict:
    return {
        "format": "gpnerf-synth", "generator_version": "test", "seed": 0, "height": height, "width": width,
        "hfov_deg": 90.0, "intrinsics": {"fx": width / 2, "fy": width / 2, "cx": (width - 1) / 2, "cy": (height - 1) / 2},
        "near": 0.1, "far": 5.0, "label_space": "scannet20", "class_names": list(SCANNET20.class_names),
        "ignore_index": 20, "num_frames": num_frames, "instances": {"1": 4, "2": 6}, "room_type": "office",
    }


def write_builtin_scene(folder: Path, num_frames: int = 30, height: int = 24, width: int = 32, labels=(0, 1, 4, 20)):
    write_sequence(folder, num_frames, height, width, labels, decoy=False)
    (folder / "scene.json").write_text(json.dumps(scene_json(num_frames, height, width)))
    return folder


@pytest.fixture
def builtin_root(tmp_path):
    """Built-in layout: split.json, train scene ``room_a`` and test scene ``room_b`` (32x24, 30 frames)."""
    root = tmp_path / "synth"
    write_builtin_scene(root / "room_a")
    write_builtin_scene(root / "room_b")
    (root / "split.json").write_text(json.dumps({"format": "gpnerf-synth-split", "train": ["room_a"], "test": ["room_b"]}))
    return root


def write_tsv(path: Path) -> Path:
    header = ["id", "raw_category", "category", "count", "nyu40id"] + [f"extra{i}" for i in range(12)]
    lines = ["\t".join(header)]
    for raw, name, nyu40 in MINIMAL_TSV_ROWS:
        lines.append("\t".join([str(raw), name, name, "1", str(nyu40)] + [""] * 12))
    path.write_text("\n".join(lines) + "\n")
    return path


K_COLOR = np.array([[1170.187988, 0, 647.75, 0], [0, 1170.187988, 483.75, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
K_DEPTH = np.array([[577.870605, 0, 319.5, 0], [0, 577.870605, 239.5, 0], [0, 0, 1, 0], [0, 0, 0, 1]])


def write_scannet_scene(folder: Path, num_frames: int, color_hw=(121, 162), depth_hw=(60, 80), invalid=(1,)):
    """S-Ray export layout; frames in ``invalid`` get an all -inf pose."""
    poses = circle_poses(num_frames)
    (folder / "intrinsic").mkdir(parents=True, exist_ok=True)
    np.savetxt(folder / "intrinsic" / "intrinsic_color.txt", K_COLOR, fmt="%f")
    np.savetxt(folder / "intrinsic" / "intrinsic_depth.txt", K_DEPTH, fmt="%f")
    for i in range(num_frames):
        (folder / "color").mkdir(exist_ok=True)
        Image.fromarray(rgb_of(i, *color_hw)).save(folder / "color" / f"{i}.jpg", quality=95)
        depth = np.full(depth_hw, 300 + 10 * i, np.uint16)
        depth[::20, ::20] = 0
        write_png(folder / "depth" / f"{i}.png", depth)
        write_png(folder / "label-filt" / f"{i}.png", stripes(SCANNET_RAW_IDS, *color_hw, np.uint16))
        (folder / "pose").mkdir(exist_ok=True)
        pose = np.full((4, 4), -np.inf) if i in invalid else poses[i]
        np.savetxt(folder / "pose" / f"{i}.txt", pose, fmt="%f")
    return folder


@pytest.fixture
def scannet_root(tmp_path):
    """``scannet/`` with scene0376_02 (12 frames, 162x121 colour, frame 1 invalid) and the minimal tsv."""
    root = tmp_path / "scannet"
    write_scannet_scene(root / "scene0376_02", 12)
    write_tsv(root / "scannetv2-labels.combined.tsv")
    return root

SHARED_TSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "scannet" / "scannetv2-labels.combined.tsv"
"""The real ScanNet label table (tests using it skip when absent)."""

REAL_SLAM = Path(__file__).resolve().parents[3] / "shared" / "data" / "replica_office0_slam"
"""The real Replica office_0 sample in NICE-SLAM layout (tests using it skip when absent)."""

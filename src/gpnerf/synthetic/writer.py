"""Write procedural scenes to disk in the Replica / Semantic-NeRF layout, atomically.

Per scene ``<out>/<scene>/``: ``rgb/rgb_<i>.png`` (uint8 RGB), ``depth/depth_<i>.png`` (uint16 mm
z-depth, 0 = no hit), ``semantic_class/semantic_class_<i>.png`` (uint8, 20 = unlabeled),
``semantic_instance/semantic_instance_<i>.png`` (uint16), ``traj_w_c.txt`` (16 floats per line,
row-major world_from_cam, OpenCV axes) and ``scene.json``. Dataset level: ``<out>/split.json``.
"""

import hashlib
import json
import math
import os
import shutil
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from gpnerf.conventions import DEPTH_PNG_UNITS_PER_METRE
from gpnerf.data.labels import SCANNET20
from gpnerf.geometry import Cameras
from gpnerf.synthetic.raycast import RenderedViews, render_views
from gpnerf.synthetic.room import Room, make_room
from gpnerf.synthetic.trajectory import make_trajectory

GENERATOR_VERSION = "1"
"""Bumped whenever the same arguments would produce different bytes."""

SCENE_FORMAT = "gpnerf-synth"
SPLIT_FORMAT = "gpnerf-synth-split"
NEAR = 0.1
"""z-depth near bound written to scene.json, metres."""


def default_num_test_scenes(num_scenes: int) -> int:
    """Test scenes when none is asked for: 20 % rounded up, at least 1 when ``num_scenes >= 2``,
    0 for a single scene."""
    return 0 if num_scenes < 2 else max(1, math.ceil(0.2 * num_scenes))


def scene_seed(base_seed: int, split: str, index: int) -> int:
    """Seed of scene ``index`` of ``split`` ("train"/"test"): a hash of all three, so train and
    test scenes never share a seed (and so never share a room)."""
    digest = hashlib.sha256(f"gpnerf-synth/{base_seed}/{split}/{index}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & 0x7FFFFFFFFFFFFFFF


def scene_names(num_scenes: int, num_test: int) -> list[tuple[str, str, int]]:
    """``(name, split, index)`` of every scene: train first, then test."""
    num_train = num_scenes - num_test
    return [(f"train_{i:03d}", "train", i) for i in range(num_train)] + [
        (f"test_{i:03d}", "test", i) for i in range(num_test)
    ]


def scene_metadata(room: Room, cameras: Cameras, hfov_deg: float) -> dict:
    """The ``scene.json`` dictionary (exactly the documented keys)."""
    K = cameras.K[0]
    X, Y, Z = room.size
    return {
        "format": SCENE_FORMAT,
        "generator_version": GENERATOR_VERSION,
        "seed": room.seed,
        "height": cameras.height,
        "width": cameras.width,
        "hfov_deg": float(hfov_deg),
        "intrinsics": {"fx": float(K[0, 0]), "fy": float(K[1, 1]), "cx": float(K[0, 2]), "cy": float(K[1, 2])},
        "near": NEAR,
        "far": round(math.sqrt(X * X + Y * Y + Z * Z) + 0.5, 3),
        "label_space": SCANNET20.name,
        "class_names": list(SCANNET20.class_names),
        "ignore_index": SCANNET20.ignore_index,
        "num_frames": len(cameras),
        "instances": {str(k): v for k, v in room.instances().items()},
        "room_type": room.room_type,
    }


def _save_png(array: np.ndarray, path: Path) -> None:
    Image.fromarray(array).save(path, format="PNG", optimize=False, compress_level=6)


def write_scene_files(directory: Path, views: RenderedViews, cameras: Cameras, metadata: dict) -> None:
    """Write one scene's frames, trajectory and metadata into ``directory`` (must exist)."""
    for sub in ("rgb", "depth", "semantic_class", "semantic_instance"):
        (directory / sub).mkdir()
    rgb = (views.rgb.cpu().clamp(0, 1) * 255.0 + 0.5).to(torch.uint8).numpy()
    depth_mm = (views.depth.cpu().double() * DEPTH_PNG_UNITS_PER_METRE).round().clamp(0, 65535).numpy().astype(np.uint16)
    semantic = views.semantic.cpu().numpy().astype(np.uint8)
    instance = views.instance.cpu().numpy().astype(np.uint16)
    for i in range(rgb.shape[0]):
        _save_png(rgb[i], directory / "rgb" / f"rgb_{i}.png")
        _save_png(depth_mm[i], directory / "depth" / f"depth_{i}.png")
        _save_png(semantic[i], directory / "semantic_class" / f"semantic_class_{i}.png")
        _save_png(instance[i], directory / "semantic_instance" / f"semantic_instance_{i}.png")
    poses = cameras.world_from_cam.cpu().double().reshape(len(cameras), 16).numpy()
    (directory / "traj_w_c.txt").write_text("".join(" ".join(f"{v:.9g}" for v in row) + "\n" for row in poses))
    (directory / "scene.json").write_text(json.dumps(metadata, indent=2) + "\n")


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)


def generate_dataset(
    out: Path,
    num_scenes: int,
    num_views: int,
    seed: int,
    height: int,
    width: int,
    device: str = "cpu",
    hfov_deg: float = 90.0,
    num_test_scenes: int | None = None,
    batch_rays: int | None = None,
    log=None,
) -> Path:
    """Generate ``num_scenes`` rooms with ``num_views`` frames each under ``out``.

    Each scene is rendered into a hidden temporary folder and renamed into place, so an interrupted
    run never leaves a scene folder that looks complete; a scene whose ``scene.json`` already
    matches is kept (an interrupted run resumes). ``split.json`` is written last.

    Args:
        out: dataset folder (created).
        num_scenes, num_views: rooms and frames per room.
        seed: base seed; scene seeds come from :func:`scene_seed`.
        height, width: image size; hfov_deg: horizontal field of view.
        device: rendering device.
        num_test_scenes: held-out scenes (default :func:`default_num_test_scenes`).
        batch_rays: rays per rendering step (default per device).
        log: optional callable taking one status string per scene.

    Returns:
        ``out``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".tmp-*"):
        shutil.rmtree(stale)
    num_test = default_num_test_scenes(num_scenes) if num_test_scenes is None else num_test_scenes
    names = scene_names(num_scenes, num_test)
    for name, split, index in names:
        room = make_room(scene_seed(seed, split, index))
        cameras = make_trajectory(room, num_views, height, width, hfov_deg, seed=room.seed)
        metadata = scene_metadata(room, cameras, hfov_deg)
        final = out / name
        meta_path = final / "scene.json"
        if meta_path.is_file() and json.loads(meta_path.read_text()) == metadata:
            if log is not None:
                log(f"{name}: up to date ({room.room_type})")
            continue
        tmp = out / f".tmp-{name}"
        tmp.mkdir()
        views = render_views(room, cameras, device=device, batch_rays=batch_rays)
        write_scene_files(tmp, views, cameras, metadata)
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        if log is not None:
            log(f"{name}: {room.room_type}, {len(room.objects)} objects, {num_views} views")
    split = {
        "format": SPLIT_FORMAT,
        "train": [n for n, s, _ in names if s == "train"],
        "test": [n for n, s, _ in names if s == "test"],
    }
    _write_json_atomic(out / "split.json", split)
    return out

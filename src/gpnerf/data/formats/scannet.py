"""ScanNet in S-Ray's export layout (``.sens`` export plus ``label-filt``), resized as S-Ray does.

``<scene>/color/<i>.jpg`` (1296x968), ``depth/<i>.png`` (uint16 mm, 640x480), ``label-filt/<i>.png``
(uint16 raw ids), ``pose/<i>.txt`` (4x4 world_from_cam, OpenCV; invalid frames hold -inf),
``intrinsic/intrinsic_color.txt``; ``scannetv2-labels.combined.tsv`` beside the scene folders.
Facts: data-and-evaluation.md §2.
"""

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from gpnerf.data.errors import DataFormatError, DataMissingError, require_dir, require_file
from gpnerf.data.io import image_size, pose_problem, read_matrix_4x4, read_rgb, read_uint16
from gpnerf.data.labels import SCANNET20, nyu40_class_lookup, read_scannet_label_table
from gpnerf.data.scene import FrameMaps, Scene
from gpnerf.geometry import scale_intrinsics

LABEL_TABLE_NAME = "scannetv2-labels.combined.tsv"


@dataclass(frozen=True)
class ScanNetConfig:
    """How ScanNet is read.

    Attributes:
        width: output width; height = floor(width / colour_w * colour_h * sray_rows / true_rows).
        sray_rows, true_rows: S-Ray computes the height from 972 rows where ScanNet colour has 968
            (h = int(320 / 1296 * 972) = 240); other colour heights are stretched by the same factor.
        intrinsics_scaling: ``"sray"`` multiplies K's rows 0-1 by the width ratio (as published);
            ``"exact"`` uses gpnerf.geometry.scale_intrinsics with the true x and y ratios.
        frame_order: ``"numeric"`` (S-Ray) or ``"lexicographic"`` (GP-NeRF's code) file order.
        near, far: z-depth range in metres.
        label_table: path of scannetv2-labels.combined.tsv; default: beside the scene folders.
    """

    width: int = 320
    sray_rows: int = 972
    true_rows: int = 968
    intrinsics_scaling: Literal["sray", "exact"] = "sray"
    frame_order: Literal["numeric", "lexicographic"] = "numeric"
    near: float = 0.1
    far: float = 10.0
    label_table: Path | None = None


def gaussian_blur(image: torch.Tensor, sigma: float, kernel: int) -> torch.Tensor:
    """``(C, H, W)`` image blurred with a ``kernel x kernel`` Gaussian (reflect-101 borders, like OpenCV)."""
    offsets = torch.arange(kernel, dtype=torch.float32) - (kernel - 1) / 2
    weights = torch.exp(-(offsets**2) / (2 * sigma**2))
    weights = weights / weights.sum()
    channels = image.shape[0]
    padded = F.pad(image[None], (kernel // 2,) * 4, mode="reflect")
    horizontal = weights.view(1, 1, 1, kernel).expand(channels, 1, 1, kernel)
    vertical = weights.view(1, 1, kernel, 1).expand(channels, 1, kernel, 1)
    out = F.conv2d(F.conv2d(padded, horizontal, groups=channels), vertical, groups=channels)
    return out[0]


def sray_blur_kernel(sigma: float) -> int:
    """S-Ray's odd Gaussian kernel side for ``sigma``: ceil(((sigma - 0.8) / 0.3 + 1) * 2 + 1), made odd
    (7 for the 320 / 1296 ratio, sigma = 1.35)."""
    kernel = math.ceil(((sigma - 0.8) / 0.3 + 1) * 2 + 1)
    return kernel + 1 if kernel % 2 == 0 else kernel


def quantize_8bit(image: torch.Tensor) -> torch.Tensor:
    """Round [0, 1] values to the 256 levels of a uint8 image."""
    return (image.clamp(0.0, 1.0) * 255.0).round() / 255.0


def resize_color(image: torch.Tensor, height: int, width: int, ratio: float) -> torch.Tensor:
    """S-Ray's colour downsizing of ``(3, H, W)`` [0, 1] to ``(3, height, width)``: Gaussian blur with
    sigma = (1 / ratio) / 3 and :func:`sray_blur_kernel` (reflect-101 borders), then bilinear resize
    with half-pixel sampling (cv2.INTER_LINEAR, no antialiasing), each step rounded to 8 bits as
    OpenCV does on uint8 images. No blur when enlarging (``ratio >= 1``); no change at the same size."""
    if (height, width) == tuple(image.shape[-2:]):
        return image
    if ratio < 1.0:
        sigma = (1.0 / ratio) / 3.0
        image = quantize_8bit(gaussian_blur(image, sigma, sray_blur_kernel(sigma)))
    resized = F.interpolate(image[None], size=(height, width), mode="bilinear", align_corners=False)
    return quantize_8bit(resized[0])


def resize_nearest(array: np.ndarray, height: int, width: int) -> np.ndarray:
    """Nearest-neighbour resize of ``(H, W)`` (source index floor(dst * in / out), like cv2 INTER_NEAREST)."""
    rows = np.minimum((np.arange(height) * (array.shape[0] / height)).astype(np.int64), array.shape[0] - 1)
    cols = np.minimum((np.arange(width) * (array.shape[1] / width)).astype(np.int64), array.shape[1] - 1)
    return array[rows[:, None], cols[None, :]]


def scannet_intrinsics(
    K_color: torch.Tensor, color_size: tuple[int, int], out_size: tuple[int, int], scaling: str
) -> torch.Tensor:
    """``(3, 3)`` K for the resized image: S-Ray's rows 0-1 x (out_w / color_w), or the exact scaling."""
    (color_h, color_w), (out_h, out_w) = color_size, out_size
    if scaling == "sray":
        K = K_color.clone()
        K[:2] = K[:2] * (out_w / color_w)
        return K
    if scaling == "exact":
        return scale_intrinsics(K_color, out_w / color_w, out_h / color_h)
    raise ValueError(f"intrinsics_scaling must be 'sray' or 'exact'; got {scaling!r}.")


def _frame_ids(pose_dir: Path, order: str) -> list[int]:
    ids = []
    for path in pose_dir.glob("*.txt"):
        if path.stem.isdigit():
            ids.append(int(path.stem))
    if order == "numeric":
        return sorted(ids)
    if order == "lexicographic":
        return sorted(ids, key=str)
    raise ValueError(f"frame_order must be 'numeric' or 'lexicographic'; got {order!r}.")


def load_scannet_scene(
    folder: Path, config: ScanNetConfig = ScanNetConfig(), check_poses: bool = True
) -> Scene:
    """One exported ScanNet scene. Frames with a non-finite pose are skipped with a warning."""
    folder = Path(folder)
    require_dir(folder, "ScanNet scene", "Point to an exported scene folder (color/, depth/, pose/, intrinsic/).")
    color_dir = require_dir(folder / "color", "ScanNet colour folder", "Export the .sens file first.")
    pose_dir = require_dir(folder / "pose", "ScanNet pose folder", "Export the .sens file first.")
    K_path = require_file(
        folder / "intrinsic" / "intrinsic_color.txt", "ScanNet colour intrinsics", "Export the .sens file."
    )
    K_color = torch.from_numpy(read_matrix_4x4(K_path)[:3, :3]).float()
    depth_dir = folder / "depth" if (folder / "depth").is_dir() else None
    label_dir = folder / "label-filt" if (folder / "label-filt").is_dir() else None
    ids = _frame_ids(pose_dir, config.frame_order)
    if not ids:
        raise DataFormatError(f"{pose_dir} must hold <i>.txt poses; got none. The scene is empty.")
    for sub_dir, suffix in ((color_dir, ".jpg"), (depth_dir, ".png"), (label_dir, ".png")):
        if sub_dir is None:
            continue
        missing = [i for i in ids if not (sub_dir / f"{i}{suffix}").is_file()]
        if missing:
            raise DataFormatError(
                f"{sub_dir} must hold <i>{suffix} for every pose file ({len(ids)}); got {len(missing)} missing, "
                f"e.g. {sub_dir / f'{missing[0]}{suffix}'}. Re-export the scene."
            )
    kept, poses = [], []
    for i in ids:
        pose_path = pose_dir / f"{i}.txt"
        pose = read_matrix_4x4(pose_path)
        if not np.isfinite(pose).all():
            warnings.warn(f"{pose_path}: non-finite pose; frame {i} skipped (as S-Ray does).", stacklevel=2)
            continue
        problem = pose_problem(pose)
        if check_poses and problem is not None:
            raise DataFormatError(f"{pose_path}: {problem}. Fix or remove this frame.")
        kept.append(i)
        poses.append(pose)
    if not kept:
        raise DataFormatError(f"{pose_dir} must hold at least one finite pose; got none. The scene is empty.")
    color_size = image_size(color_dir / f"{kept[0]}.jpg")
    ratio = config.width / color_size[1]
    out_height = (config.width * color_size[0] * config.sray_rows) // (color_size[1] * config.true_rows)
    out_size = (out_height, config.width)
    depth_size = image_size(depth_dir / f"{kept[0]}.png") if depth_dir else None
    if depth_size and not math.isclose(depth_size[1] / depth_size[0], color_size[1] / color_size[0], rel_tol=0.02):
        raise DataFormatError(
            f"{depth_dir / f'{kept[0]}.png'} must have the colour frames' aspect ratio "
            f"({color_size[1]}x{color_size[0]}); "
            f"got {depth_size[1]}x{depth_size[0]}."
        )
    label_table = None
    if label_dir is not None:
        table_path = Path(config.label_table) if config.label_table else folder.parent / LABEL_TABLE_NAME
        if not table_path.is_file():
            raise DataMissingError(
                f"ScanNet label table must exist at {table_path} to read {label_dir}; got nothing there. "
                f"Copy {LABEL_TABLE_NAME} there or set label_table."
            )
        label_table = read_scannet_label_table(table_path)
    class_of_nyu40 = nyu40_class_lookup()

    def check_size(path: Path, got: tuple[int, ...], expected: tuple[int, int]) -> None:
        if tuple(got) != tuple(expected):
            raise DataFormatError(
                f"{path} must be {expected[0]}x{expected[1]} (H x W) like frame {kept[0]}; got {got[0]}x{got[1]}."
            )

    def read_maps(index: int) -> FrameMaps:
        frame_id = kept[index]
        color_path = color_dir / f"{frame_id}.jpg"
        color = read_rgb(color_path)
        check_size(color_path, tuple(color.shape[-2:]), color_size)
        image = resize_color(color, *out_size, ratio)
        depth = semantic = None
        if depth_dir is not None:
            depth_path = depth_dir / f"{frame_id}.png"
            raw_depth = read_uint16(depth_path)
            check_size(depth_path, raw_depth.shape, depth_size)
            depth = torch.from_numpy(resize_nearest(raw_depth, *out_size).astype(np.float32) / np.float32(1000.0))
        if label_table is not None:
            label_path = label_dir / f"{frame_id}.png"
            raw = read_uint16(label_path)
            check_size(label_path, raw.shape, color_size)
            raw = resize_nearest(raw, *out_size).astype(np.int64)
            if raw.max() >= len(label_table):
                raise DataFormatError(
                    f"{label_path} raw label ids must be < {len(label_table)} (the label table's size); got "
                    f"max {raw.max()}. Use the scannetv2-labels.combined.tsv that matches this export."
                )
            semantic = torch.from_numpy(class_of_nyu40[label_table[raw]])
        return FrameMaps(image, depth, semantic, None)

    return Scene(
        name=folder.name,
        layout="scannet",
        frame_ids=kept,
        K=scannet_intrinsics(K_color, color_size, out_size, config.intrinsics_scaling),
        world_from_cam=torch.from_numpy(np.stack(poses)).float(),
        height=out_size[0],
        width=out_size[1],
        near=config.near,
        far=config.far,
        label_space=SCANNET20 if label_table is not None else None,
        has_depth=depth_dir is not None,
        has_semantic=label_table is not None,
        has_instance=False,
        read_maps=read_maps,
    )


def load_scannet(
    root: Path, scene_names: tuple[str, ...], config: ScanNetConfig = ScanNetConfig()
) -> list[Scene]:
    """The listed scenes under ``root`` (e.g. ``SCANNET_TEST_SCENES`` from gpnerf.data.formats.scannet_scenes)."""
    scenes = []
    for name in scene_names:
        if not (Path(root) / name).is_dir():
            raise DataMissingError(
                f"ScanNet scene folder must exist at {Path(root) / name}; got nothing there. "
                "Export it or drop it from the list."
            )
        scenes.append(load_scannet_scene(Path(root) / name, config))
    return scenes

"""Contact sheet of a generated dataset: RGB, depth, semantic and instance maps plus a legend."""

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from gpnerf.data.labels import SCANNET20

_DEPTH_STOPS = np.array([[0.05, 0.03, 0.3], [0.2, 0.5, 0.9], [0.3, 0.85, 0.5], [0.95, 0.85, 0.2], [0.9, 0.2, 0.1]])


def depth_colors(depth_mm: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` uint8 colour map of a uint16 mm depth image (black = no hit)."""
    valid = depth_mm > 0
    d = depth_mm.astype(np.float64)
    lo, hi = (d[valid].min(), d[valid].max()) if valid.any() else (0.0, 1.0)
    x = np.clip((d - lo) / max(hi - lo, 1.0), 0, 1) * (len(_DEPTH_STOPS) - 1)
    idx = np.minimum(x.astype(int), len(_DEPTH_STOPS) - 2)
    frac = (x - idx)[..., None]
    rgb = _DEPTH_STOPS[idx] * (1 - frac) + _DEPTH_STOPS[idx + 1] * frac
    rgb[~valid] = 0
    return (rgb * 255).astype(np.uint8)


def semantic_colors(classes: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` uint8 ScanNet-20 palette colours (ignore id black)."""
    palette = np.zeros((256, 3), np.uint8)
    palette[: SCANNET20.num_classes] = SCANNET20.colors
    return palette[classes]


def instance_colors(instance: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` uint8 hashed colours per instance id (0 black)."""
    ids = instance.astype(np.uint64)
    h = (ids * np.uint64(2654435761)) & np.uint64(0xFFFFFF)
    rgb = np.stack([(h >> np.uint64(s)) & np.uint64(255) for s in (0, 8, 16)], -1).astype(np.uint8)
    rgb[instance == 0] = 0
    return rgb


def contact_sheet(dataset: Path, max_scenes: int = 3, max_views: int = 3) -> Image.Image:
    """Rows of (RGB | depth | semantic | instance) for a few views of a few scenes, then a legend."""
    split = json.loads((dataset / "split.json").read_text())
    scenes = (split["train"] + split["test"])[:max_scenes]
    rows, labels = [], []
    for scene in scenes:
        meta = json.loads((dataset / scene / "scene.json").read_text())
        num = meta["num_frames"]
        for i in sorted({round(k * (num - 1) / max(max_views - 1, 1)) for k in range(max_views)}):
            rgb = np.array(Image.open(dataset / scene / "rgb" / f"rgb_{i}.png"))
            depth = np.array(Image.open(dataset / scene / "depth" / f"depth_{i}.png"))
            sem = np.array(Image.open(dataset / scene / "semantic_class" / f"semantic_class_{i}.png"))
            inst = np.array(Image.open(dataset / scene / "semantic_instance" / f"semantic_instance_{i}.png"))
            rows.append(np.concatenate([rgb, depth_colors(depth), semantic_colors(sem), instance_colors(inst)], 1))
            labels.append(f"{scene} ({meta['room_type']}) frame {i}")
    grid = np.concatenate(rows, 0)
    row_h = rows[0].shape[0]
    swatch, legend_w = 14, 190
    sheet = Image.new("RGB", (grid.shape[1] + legend_w, max(grid.shape[0], 22 * 18)), (255, 255, 255))
    sheet.paste(Image.fromarray(grid), (0, 0))
    draw = ImageDraw.Draw(sheet)
    for r, text in enumerate(labels):
        draw.text((4, r * row_h + 2), text, fill=(255, 255, 255), stroke_width=2, stroke_fill=(0, 0, 0))
    x0 = grid.shape[1] + 8
    draw.text((x0, 4), "RGB | depth | class | instance", fill=(0, 0, 0))
    for k, (name, color) in enumerate(zip(SCANNET20.class_names, SCANNET20.colors)):
        y = 22 + k * 18
        draw.rectangle([x0, y, x0 + swatch, y + swatch], fill=tuple(color), outline=(0, 0, 0))
        draw.text((x0 + swatch + 6, y + 1), f"{k} {name}", fill=(0, 0, 0))
    y = 22 + SCANNET20.num_classes * 18
    draw.rectangle([x0, y, x0 + swatch, y + swatch], fill=(0, 0, 0))
    draw.text((x0 + swatch + 6, y + 1), f"{SCANNET20.ignore_index} unlabeled", fill=(0, 0, 0))
    return sheet


def write_preview(dataset: Path, path: Path | None = None) -> Path:
    """Save :func:`contact_sheet` to ``path`` (default ``<dataset>/preview.png``)."""
    path = dataset / "preview.png" if path is None else path
    contact_sheet(dataset).save(path, format="PNG", optimize=True)
    return path

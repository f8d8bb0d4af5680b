"""Pictures of renders: label and depth colour maps, PCA of semantic features, legends, grids, video.

All functions take tensors in gpnerf's conventions and return ``(H, W, 3)`` uint8 tensors, ready
for PNG or video writing.
"""

from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from gpnerf.data.labels import LabelSpace


def to_uint8(image: torch.Tensor) -> torch.Tensor:
    """``(H, W, 3)`` float in [0, 1] (clamped) -> uint8."""
    return (image.detach().float().clamp(0, 1) * 255 + 0.5).to(torch.uint8).cpu()


def colorize_labels(labels: torch.Tensor, label_space: LabelSpace) -> torch.Tensor:
    """``(H, W)`` int class ids -> ``(H, W, 3)`` uint8; the ignore id and out-of-range ids are black."""
    palette = torch.tensor(list(label_space.colors) + [(0, 0, 0)], dtype=torch.uint8)
    ids = labels.detach().long().cpu().clamp(0, label_space.num_classes)
    return palette[ids]


def colorize_instances(instances: torch.Tensor) -> torch.Tensor:
    """``(H, W)`` int instance ids -> ``(H, W, 3)`` uint8 with a fixed pseudo-random colour per id (0 black)."""
    ids = instances.detach().long().cpu()
    generator = torch.Generator().manual_seed(0)
    palette = torch.randint(40, 256, (int(ids.max()) + 1, 3), generator=generator, dtype=torch.uint8)
    palette[0] = 0
    return palette[ids]


def colorize_depth(depth: torch.Tensor, near: float | None = None, far: float | None = None) -> torch.Tensor:
    """``(H, W)`` z-depth -> ``(H, W, 3)`` uint8 (turbo-like ramp, near = blue, far = red; 0 = black)."""
    depth = depth.detach().float().cpu()
    valid = depth > 0
    lo = near if near is not None else (float(depth[valid].min()) if valid.any() else 0.0)
    hi = far if far is not None else (float(depth[valid].max()) if valid.any() else 1.0)
    x = ((depth - lo) / max(hi - lo, 1e-6)).clamp(0, 1)
    ramp = torch.stack(
        [
            (1.5 - (4 * x - 3).abs()).clamp(0, 1),
            (1.5 - (4 * x - 2).abs()).clamp(0, 1),
            (1.5 - (4 * x - 1).abs()).clamp(0, 1),
        ],
        dim=-1,
    )
    return to_uint8(ramp * valid[..., None])


def pca_colors(features: torch.Tensor) -> torch.Tensor:
    """``(d, H, W)`` features -> ``(H, W, 3)`` uint8: the first 3 principal components, each
    min-max scaled (paper Fig. 1/5 visualisation of rendered semantic features)."""
    d, height, width = features.shape
    x = features.detach().float().cpu().reshape(d, -1).t()
    x = x - x.mean(0, keepdim=True)
    _, _, v = torch.linalg.svd(x, full_matrices=False)
    proj = x @ v[: min(3, v.shape[0])].t()
    if proj.shape[1] < 3:
        proj = torch.cat([proj, proj.new_zeros(proj.shape[0], 3 - proj.shape[1])], dim=1)
    lo, hi = proj.min(0).values, proj.max(0).values
    proj = (proj - lo) / (hi - lo).clamp_min(1e-6)
    return to_uint8(proj.reshape(height, width, 3))


def legend(label_space: LabelSpace, class_ids: list[int], row_height: int = 14) -> torch.Tensor:
    """``(rows * row_height, width, 3)`` uint8 colour swatches with class names for ``class_ids``."""
    font = ImageFont.load_default()
    width = 8 + row_height + max((int(font.getlength(label_space.class_names[c])) for c in class_ids), default=40)
    canvas = Image.new("RGB", (width, max(1, len(class_ids)) * row_height), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    for row, c in enumerate(class_ids):
        y = row * row_height
        draw.rectangle([2, y + 2, row_height - 2, y + row_height - 2], fill=tuple(label_space.colors[c]), outline=(0, 0, 0))
        draw.text((row_height + 4, y + 1), label_space.class_names[c], fill=(0, 0, 0), font=font)
    return torch.from_numpy(np.asarray(canvas).copy())


def grid(rows: list[list[torch.Tensor]], titles: list[str] | None = None, pad: int = 2) -> torch.Tensor:
    """Tile ``(H, W, 3)`` uint8 panels row by row (panels of a row share their height; widths may differ).

    ``titles`` (one per column of the first row) are drawn above the grid."""
    height = max(p.shape[0] for row in rows for p in row)
    row_images = []
    for row in rows:
        panels = []
        for p in row:
            canvas = torch.full((height, p.shape[1], 3), 255, dtype=torch.uint8)
            canvas[: p.shape[0]] = p
            panels.append(canvas)
            panels.append(torch.full((height, pad, 3), 255, dtype=torch.uint8))
        row_images.append(torch.cat(panels[:-1], dim=1))
    width = max(r.shape[1] for r in row_images)
    padded = [torch.cat([r, torch.full((r.shape[0], width - r.shape[1], 3), 255, dtype=torch.uint8)], dim=1) for r in row_images]
    body = torch.cat([x for r in padded for x in (r, torch.full((pad, width, 3), 255, dtype=torch.uint8))][:-1], dim=0)
    if not titles:
        return body
    header = Image.new("RGB", (width, 14), (255, 255, 255))
    draw = ImageDraw.Draw(header)
    x = 0
    for title, panel in zip(titles, rows[0]):
        draw.text((x + 2, 1), title, fill=(0, 0, 0), font=ImageFont.load_default())
        x += panel.shape[1] + pad
    return torch.cat([torch.from_numpy(np.asarray(header).copy()), body], dim=0)


def save_png(image: torch.Tensor, path: Path) -> Path:
    """Write an ``(H, W, 3)`` uint8 tensor as PNG (parent folders created; written to a temp name, then renamed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    Image.fromarray(image.numpy()).save(tmp, format="PNG")
    tmp.replace(path)
    return path


def save_video(frames: list[torch.Tensor], path: Path, fps: int = 10) -> Path:
    """Write ``(H, W, 3)`` uint8 frames as an H.264 MP4 (needs imageio-ffmpeg: the `video` extra)."""
    import imageio.v2 as imageio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Frames may differ in size (legends list different classes): pad all to the largest, rounded up
    # to even sizes for libx264's yuv420p.
    height = max(f.shape[0] for f in frames)
    width = max(f.shape[1] for f in frames)
    height, width = height + height % 2, width + width % 2
    even = []
    for f in frames:
        canvas = torch.full((height, width, 3), 255, dtype=torch.uint8)
        canvas[: f.shape[0], : f.shape[1]] = f
        even.append(canvas.numpy())
    tmp = path.with_name(path.stem + ".tmp" + path.suffix)
    with imageio.get_writer(tmp, fps=fps, codec="libx264", macro_block_size=1, quality=8) as writer:
        for frame in even:
            writer.append_data(frame)
    tmp.replace(path)
    return path

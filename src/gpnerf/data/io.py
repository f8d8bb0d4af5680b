"""Decoding single files into gpnerf conventions, with one clear error per bad file.

PIL's ``LOAD_TRUNCATED_IMAGES`` is never set: a truncated file is an error, not a grey image.
"""

import re
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from gpnerf.data.errors import DataFormatError, DataMissingError

_UINT16_MODES = ("I;16", "I;16B", "I;16L", "I")
"""PIL modes of a 16-bit single-channel PNG (older Pillow versions report "I")."""
_LABEL_MODES = ("L",) + _UINT16_MODES


def _decode(path: Path) -> Image.Image:
    """Open and fully decode ``path``; raise :class:`DataFormatError` if it is not a readable image."""
    if not path.is_file():
        raise DataMissingError(f"Image file must exist at {path}; got nothing there. Restore the file.")
    try:
        image = Image.open(path)
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise DataFormatError(
            f"{path} must be a complete, readable image; got {type(error).__name__}: {error}. "
            "Re-export or re-download this file."
        ) from None
    return image


def image_size(path: Path) -> tuple[int, int]:
    """``(height, width)`` from the image header, without decoding the pixels."""
    try:
        with Image.open(path) as image:
            width, height = image.size
    except FileNotFoundError:
        raise DataMissingError(f"Image file must exist at {path}; got nothing there. Restore the file.") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise DataFormatError(
            f"{path} must be a readable image; got {type(error).__name__}: {error}. Re-export this file."
        ) from None
    return height, width


def read_rgb(path: Path) -> torch.Tensor:
    """``(3, H, W)`` float32 in [0, 1] from an 8-bit RGB (or RGBA, alpha dropped) PNG/JPEG."""
    image = _decode(path)
    if image.mode not in ("RGB", "RGBA"):
        raise DataFormatError(
            f"{path} must be an 8-bit RGB image; got PIL mode {image.mode!r}. Re-export it as 8-bit RGB."
        )
    array = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return torch.from_numpy(array.copy()).permute(2, 0, 1).float() / 255.0


def read_uint16(path: Path) -> np.ndarray:
    """``(H, W)`` uint16 array from a single-channel 16-bit PNG (depth, ScanNet labels)."""
    image = _decode(path)
    if image.mode not in _UINT16_MODES:
        raise DataFormatError(
            f"{path} must be a single-channel 16-bit PNG; got PIL mode {image.mode!r}. "
            "Write it as uint16 (PIL mode 'I;16')."
        )
    return np.asarray(image).astype(np.uint16)


def read_label_map(path: Path, allowed_modes: tuple[str, ...] = _LABEL_MODES) -> np.ndarray:
    """``(H, W)`` int64 array from a single-channel 8- or 16-bit PNG of integer ids (never a colour
    or palette visualisation)."""
    image = _decode(path)
    if image.mode not in allowed_modes:
        raise DataFormatError(
            f"{path} must be a single-channel integer PNG (PIL modes {', '.join(allowed_modes)}); "
            f"got PIL mode {image.mode!r}. Write raw ids, not a colour visualisation."
        )
    return np.asarray(image).astype(np.int64)


def depth_from_png(path: Path, units_per_metre: float) -> torch.Tensor:
    """``(H, W)`` float32 z-depth in metres from a uint16 PNG; 0 stays 0 (no measurement)."""
    return torch.from_numpy(read_uint16(path).astype(np.float32) / np.float32(units_per_metre))


def frames_by_number(folder: Path, prefix: str, suffix: str) -> dict[int, Path]:
    """Files named exactly ``<prefix><integer><suffix>`` in ``folder``, keyed by the integer.

    Other files (e.g. ``vis_sem_class_0.png`` beside ``semantic_class_0.png``) are ignored.
    """
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+){re.escape(suffix)}$")
    found: dict[int, Path] = {}
    for path in folder.iterdir():
        match = pattern.match(path.name)
        if match:
            found[int(match.group(1))] = path
    return found


def read_matrix_rows(path: Path, width: int) -> np.ndarray:
    """``(rows, width)`` float64 from a whitespace-separated text file (non-finite values kept)."""
    if not path.is_file():
        raise DataMissingError(f"Text file must exist at {path}; got nothing there. Restore the file.")
    rows = []
    for line_number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values = [float(token) for token in line.split()]
        except ValueError:
            raise DataFormatError(
                f"{path} line {line_number} must hold {width} numbers; got {line.strip()[:80]!r}."
            ) from None
        if len(values) != width:
            raise DataFormatError(f"{path} line {line_number} must hold {width} numbers; got {len(values)}.")
        rows.append(values)
    return np.asarray(rows, dtype=np.float64).reshape(-1, width)


def read_trajectory(path: Path) -> np.ndarray:
    """``(frames, 4, 4)`` float64 world_from_cam poses, one row-major 4x4 matrix per line."""
    return read_matrix_rows(path, 16).reshape(-1, 4, 4)


def read_matrix_4x4(path: Path) -> np.ndarray:
    """``(4, 4)`` float64 matrix from a file of 4 lines x 4 numbers."""
    rows = read_matrix_rows(path, 4)
    if rows.shape != (4, 4):
        raise DataFormatError(f"{path} must hold a 4x4 matrix (4 lines of 4 numbers); got {rows.shape[0]} lines.")
    return rows


def pose_problem(pose: np.ndarray, tolerance: float = 1e-3) -> str | None:
    """Why a ``(4, 4)`` world_from_cam pose is invalid (non-finite, non-orthonormal R, bad last row), or None."""
    if not np.isfinite(pose).all():
        return "pose must be finite; got NaN/inf entries"
    rotation = pose[:3, :3]
    error = np.abs(rotation.T @ rotation - np.eye(3)).max()
    if error > tolerance:
        return f"pose rotation must be orthonormal (|R^T R - I| <= {tolerance}); got {error:.3g}"
    if np.linalg.det(rotation) < 0:
        return "pose rotation must have determinant +1; got a reflection"
    if np.abs(pose[3] - np.array([0.0, 0.0, 0.0, 1.0])).max() > tolerance:
        return f"pose last row must be 0 0 0 1; got {pose[3].tolist()}"
    return None

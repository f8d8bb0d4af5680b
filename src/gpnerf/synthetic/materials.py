"""Procedural solid textures (wood, tiles, carpet, plaster, fabric, ...) evaluated at 3D points.

Textures are functions of the world-space hit point, so they are consistent across views. Every
pattern mixes two colours of a :class:`Material` and is deterministic on CPU and CUDA (value noise
over a fixed lattice table drawn once from a seeded CPU generator).
"""

from dataclasses import dataclass

import torch

PATTERNS: tuple[str, ...] = ("plain", "plaster", "wood", "tiles", "carpet", "fabric", "art", "window")
"""Texture pattern names; a pattern's id is its position."""


@dataclass(frozen=True)
class Material:
    """Appearance of one surface.

    Attributes:
        pattern: one of :data:`PATTERNS`.
        color_a, color_b: the two RGB colours the pattern mixes, in [0, 1] (sRGB-like).
        scale: pattern frequency, cycles per metre (tile size = 1 / scale for ``tiles``).
        specular: Blinn-Phong specular strength (0 = matte).
        shininess: Blinn-Phong exponent.
        offset: pattern offset in metres, so two instances of one material differ.
    """

    pattern: str
    color_a: tuple[float, float, float]
    color_b: tuple[float, float, float]
    scale: float = 4.0
    specular: float = 0.05
    shininess: float = 16.0
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        if self.pattern not in PATTERNS:
            raise ValueError(f"Material.pattern must be one of {PATTERNS}; got {self.pattern!r}.")


_TABLE_BITS = 6
"""The noise lattice repeats every ``2**_TABLE_BITS`` cells."""

_TABLES: dict[torch.device, torch.Tensor] = {}


def _table(device: torch.device) -> torch.Tensor:
    """``(2**(3 * _TABLE_BITS),)`` fixed pseudo-random values in [0, 1) (same on every device)."""
    if device not in _TABLES:
        generator = torch.Generator().manual_seed(0x6E0153)
        _TABLES[device] = torch.rand(1 << (3 * _TABLE_BITS), generator=generator).to(device)
    return _TABLES[device]


def _lattice_value(table: torch.Tensor, ix: torch.Tensor, iy: torch.Tensor, iz: torch.Tensor) -> torch.Tensor:
    """Pseudo-random value in [0, 1) per integer lattice point (int32 inputs, any sign)."""
    mask = (1 << _TABLE_BITS) - 1
    index = (((ix & mask) << _TABLE_BITS | (iy & mask)) << _TABLE_BITS) | (iz & mask)
    return table[index]


def value_noise(xyz: torch.Tensor) -> torch.Tensor:
    """Trilinear value noise in [0, 1] with smoothstep fade.

    Args:
        xyz: ``(points, 3)`` coordinates in lattice units (one lattice cell = 1).

    Returns:
        ``(points,)`` noise values.
    """
    table = _table(xyz.device)
    cell = torch.floor(xyz)
    frac = xyz - cell
    fade = frac * frac * (3.0 - 2.0 * frac)
    ic = cell.int()
    ix, iy, iz = ic.unbind(-1)
    fx, fy, fz = fade.unbind(-1)
    corners = [[[_lattice_value(table, ix + dx, iy + dy, iz + dz) for dz in (0, 1)] for dy in (0, 1)] for dx in (0, 1)]
    lerp = torch.lerp
    x00 = lerp(corners[0][0][0], corners[1][0][0], fx)
    x10 = lerp(corners[0][1][0], corners[1][1][0], fx)
    x01 = lerp(corners[0][0][1], corners[1][0][1], fx)
    x11 = lerp(corners[0][1][1], corners[1][1][1], fx)
    return lerp(lerp(x00, x10, fy), lerp(x01, x11, fy), fz)


def fbm(xyz: torch.Tensor, num_octaves: int = 3) -> torch.Tensor:
    """``(points,)`` fractal sum of :func:`value_noise` octaves, normalised to [0, 1]."""
    total = torch.zeros_like(xyz[:, 0])
    amplitude, norm = 1.0, 0.0
    for octave in range(num_octaves):
        total = total + amplitude * value_noise(xyz * (2.0**octave) + 17.0 * octave)
        norm += amplitude
        amplitude *= 0.5
    return total / norm


def _plane_coords(xyz: torch.Tensor, normal: torch.Tensor) -> torch.Tensor:
    """``(points, 2)`` in-plane coordinates: drop the axis the normal points along most."""
    axis = normal.abs().argmax(dim=-1)
    x, y, z = xyz.unbind(-1)
    first = torch.where(axis == 0, y, x)
    second = torch.where(axis == 2, y, z)
    return torch.stack([first, second], dim=-1)


def _mix(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return a + (b - a) * t[:, None]


def albedo(
    pattern_id: torch.Tensor,
    xyz_world: torch.Tensor,
    normal: torch.Tensor,
    color_a: torch.Tensor,
    color_b: torch.Tensor,
    scale: torch.Tensor,
    offset: torch.Tensor,
) -> torch.Tensor:
    """Surface colour of each point from its material.

    Args:
        pattern_id: ``(points,)`` int64 index into :data:`PATTERNS`.
        xyz_world: ``(points, 3)`` hit points, metres.
        normal: ``(points, 3)`` unit surface normals.
        color_a, color_b: ``(points, 3)`` the material colours.
        scale: ``(points,)`` cycles per metre; offset: ``(points, 3)`` metres.

    Returns:
        ``(points, 3)`` albedo in [0, 1].
    """
    out = torch.empty_like(color_a)
    for pid, name in enumerate(PATTERNS):
        idx = (pattern_id == pid).nonzero().squeeze(-1)
        if idx.numel() == 0:
            continue
        p = (xyz_world[idx] + offset[idx]) * scale[idx, None]
        a, b, n = color_a[idx], color_b[idx], normal[idx]
        out[idx] = _PATTERN_FUNCTIONS[name](p, n, a, b).clamp(0.0, 1.0)
    return out


def _plain(p, n, a, b):
    return a * (0.97 + 0.06 * value_noise(p * 8.0))[:, None]


def _plaster(p, n, a, b):
    return _mix(a, b, fbm(p, 2))


def _wood(p, n, a, b):
    warp = 0.6 * fbm(p * torch.tensor([0.5, 2.0, 2.0], device=p.device), 2)
    rings = torch.sqrt(p[:, 1] ** 2 + p[:, 2] ** 2) * 2.0 + warp * 3.0
    grain = torch.frac(rings)
    t = torch.where(grain < 0.5, grain * 2.0, 2.0 - grain * 2.0)
    streak = value_noise(p * torch.tensor([0.3, 12.0, 12.0], device=p.device))
    return _mix(a, b, (0.75 * t + 0.25 * streak) ** 1.5)


def _tiles(p, n, a, b):
    uv = _plane_coords(p, n)
    cell = torch.floor(uv)
    frac = uv - cell
    grout = (frac < 0.05).any(dim=-1)
    ic = cell.int()
    jitter = _lattice_value(_table(p.device), ic[:, 0], ic[:, 1], torch.zeros_like(ic[:, 0]))
    checker = ((ic[:, 0] + ic[:, 1]) % 2).float()
    tile = _mix(a, b, 0.8 * checker * 0.5 + 0.2 * jitter) * (0.92 + 0.08 * value_noise(p * 6.0))[:, None]
    grout_color = torch.full_like(a, 0.78)
    return torch.where(grout[:, None], grout_color, tile)


def _carpet(p, n, a, b):
    fine = value_noise(p * 40.0)
    coarse = fbm(p * 0.5, 2)
    return _mix(a, b, 0.55 * fine + 0.45 * coarse)


def _fabric(p, n, a, b):
    uv = _plane_coords(p, n) * 60.0
    weave = 0.5 + 0.5 * torch.sin(uv[:, 0]) * torch.sin(uv[:, 1])
    folds = 0.5 + 0.5 * torch.sin(uv[:, 0] / 12.0 + 3.0 * fbm(p, 2))
    return _mix(a, b, 0.3 * weave + 0.7 * folds)


def _art(p, n, a, b):
    swirl = torch.sin(6.0 * fbm(p * 1.5, 2) + p[:, 0] + p[:, 2])
    blobs = (value_noise(p * 2.0) > 0.55).float()
    base = _mix(a, b, 0.5 + 0.5 * swirl)
    return _mix(base, 1.0 - a, 0.35 * blobs)


def _window(p, n, a, b):
    uv = _plane_coords(p, n)
    frac = torch.frac(uv)
    frame = (frac < 0.06).any(dim=-1)
    sky = _mix(a, b, torch.sigmoid(4.0 * (uv[:, 1] - torch.floor(uv[:, 1]) - 0.5)))
    return torch.where(frame[:, None], torch.full_like(a, 0.92), sky)


_PATTERN_FUNCTIONS = {
    "plain": _plain,
    "plaster": _plaster,
    "wood": _wood,
    "tiles": _tiles,
    "carpet": _carpet,
    "fabric": _fabric,
    "art": _art,
    "window": _window,
}

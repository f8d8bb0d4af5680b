"""Procedural indoor rooms: layout, structure (walls, partitions, L-shapes) and furniture.

World frame: metres, +z up (:data:`gpnerf.conventions.WORLD_UP`). A room's interior is the box
``[0, X] x [0, Y] x [0, Z]`` (``Room.size``); its six inner faces are the shell (walls, floor,
ceiling). Everything else is a :class:`SceneObject` made of :class:`Part` primitives: yaw-rotated
boxes, vertical cylinders and spheres. Structural blocks (the corner of an L-shaped room, a
partition) are objects of class ``wall``.

Instance ids: floor 1, ceiling 2, the four shell walls 3..6, then structural blocks and objects
from 7 upwards; 0 means "no instance". Class ids are those of :data:`gpnerf.data.labels.SCANNET20`
(ignore id 20 for the ceiling).

Objects never interpenetrate: every object is placed only where its oriented bounding prism
(footprint rectangle + height interval) overlaps no earlier object, structural block or reserved
zone (door swing, the camera walkway); stacked objects touch their support's top face.
"""

import colorsys
import math
from dataclasses import dataclass, field, replace

import numpy as np

from gpnerf.data.labels import SCANNET20
from gpnerf.synthetic.materials import Material

ROOM_TYPES: tuple[str, ...] = ("bedroom", "office", "living_room", "kitchen", "bathroom")
"""Room types; each has its own furniture program."""

PART_KINDS: tuple[str, ...] = ("box", "cylinder", "sphere")
"""Primitive kinds; a kind's id is its position."""

SHELL_FACES: tuple[str, ...] = ("wall_x0", "wall_x1", "wall_y0", "wall_y1", "floor", "ceiling")
"""The six inner faces of the room box, in the order used by :attr:`Room.shell_materials`."""

SHELL_INSTANCE_IDS: tuple[int, ...] = (3, 4, 5, 6, 1, 2)
"""Instance id of each shell face (floor 1, ceiling 2, walls 3..6)."""

FIRST_OBJECT_INSTANCE_ID = 7
"""Instance id of the first structural block or object."""

_CLASS = {name: i for i, name in enumerate(SCANNET20.class_names)}
UNLABELED = SCANNET20.ignore_index
"""Class id of unlabeled surfaces (the ceiling)."""

SHELL_CLASS_IDS: tuple[int, ...] = (0, 0, 0, 0, _CLASS["floor"], UNLABELED)
"""Class id of each shell face."""


@dataclass(frozen=True)
class Part:
    """One primitive of an object, in world coordinates (metres).

    Attributes:
        kind: ``"box"``, ``"cylinder"`` (vertical axis) or ``"sphere"``.
        center: box / cylinder / sphere centre.
        half_size: box half extents along its local axes; cylinder ``(r, r, half_height)``;
            sphere ``(r, r, r)``.
        yaw: rotation about +z in radians (boxes; 0 for the others).
        material: its appearance.
    """

    kind: str
    center: tuple[float, float, float]
    half_size: tuple[float, float, float]
    yaw: float
    material: Material


@dataclass(frozen=True)
class Prism:
    """A vertical prism: a rectangle of half extents ``(hx, hy)`` centred at ``(cx, cy)`` and
    rotated by ``yaw`` about +z, extruded over ``z0 <= z <= z1`` (metres)."""

    cx: float
    cy: float
    hx: float
    hy: float
    yaw: float
    z0: float
    z1: float

    def corners_xy(self) -> np.ndarray:
        """``(4, 2)`` footprint corners."""
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        local = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=np.float64) * [self.hx, self.hy]
        return local @ np.array([[c, s], [-s, c]]) + [self.cx, self.cy]

    def expanded(self, margin: float) -> "Prism":
        """The same prism grown by ``margin`` metres in x and y (not z)."""
        return replace(self, hx=self.hx + margin, hy=self.hy + margin)


def prisms_overlap(a: Prism, b: Prism, tol: float = 1e-6) -> bool:
    """True if the two prisms share a volume thicker than ``tol`` (touching faces do not count).

    Height intervals must overlap, and the footprints must overlap on all four separating axes
    of the two rectangles (2D separating axis theorem).
    """
    if min(a.z1, b.z1) - max(a.z0, b.z0) <= tol:
        return False
    ca, cb = a.corners_xy(), b.corners_xy()
    for yaw in (a.yaw, b.yaw):
        for axis in (np.array([math.cos(yaw), math.sin(yaw)]), np.array([-math.sin(yaw), math.cos(yaw)])):
            pa, pb = ca @ axis, cb @ axis
            if min(pa.max(), pb.max()) - max(pa.min(), pb.min()) <= tol:
                return False
    return True


@dataclass(frozen=True)
class SceneObject:
    """A labelled object: one instance id, one class id and its parts.

    Attributes:
        name: what it is, e.g. ``"chair"``, ``"lamp"``, ``"partition"``.
        class_id: ScanNet-20 class id (``SCANNET20``).
        instance_id: unique within the room, >= :data:`FIRST_OBJECT_INSTANCE_ID`.
        parts: its primitives in world coordinates.
        bounds: the oriented prism that holds every part (used for placement).
    """

    name: str
    class_id: int
    instance_id: int
    parts: tuple[Part, ...]
    bounds: Prism


@dataclass(frozen=True)
class Room:
    """A procedural room.

    Attributes:
        seed: the seed it was made from.
        room_type: one of :data:`ROOM_TYPES`.
        size: interior extent ``(X, Y, Z)`` in metres; the interior is ``[0, X] x [0, Y] x [0, Z]``.
        shell_materials: materials of the six faces in :data:`SHELL_FACES` order.
        objects: structural blocks and furniture.
        light_position: the point light, world metres.
        light_intensity: its strength (unitless; irradiance scale at 1 m).
        ambient: ambient light level.
        walkway: ``(x, y)`` centre of a floor zone kept free of furniture (camera start).
    """

    seed: int
    room_type: str
    size: tuple[float, float, float]
    shell_materials: tuple[Material, ...]
    objects: tuple[SceneObject, ...]
    light_position: tuple[float, float, float]
    light_intensity: float
    ambient: float
    walkway: tuple[float, float]

    def instances(self) -> dict[int, int]:
        """Instance id -> class id (ignore id 20 for the ceiling), shell faces included."""
        out = {inst: cls for inst, cls in zip(SHELL_INSTANCE_IDS, SHELL_CLASS_IDS)}
        out.update({obj.instance_id: obj.class_id for obj in self.objects})
        return dict(sorted(out.items()))

    def class_ids(self) -> set[int]:
        """Classes present in the layout (shell included, ignore id excluded)."""
        return {c for c in self.instances().values() if c != UNLABELED}


# ---------------------------------------------------------------------------------------------
# materials


def _hsv(rng: np.random.Generator, hue, sat, val) -> tuple[float, float, float]:
    r, g, b = colorsys.hsv_to_rgb(rng.uniform(*hue) % 1.0, rng.uniform(*sat), rng.uniform(*val))
    return (float(r), float(g), float(b))


def _shade(color, factor: float) -> tuple[float, float, float]:
    return tuple(float(min(1.0, c * factor)) for c in color)


def _offset(rng) -> tuple[float, float, float]:
    return tuple(float(v) for v in rng.uniform(0.0, 50.0, size=3))


def _wood(rng, dark: bool | None = None) -> Material:
    dark = bool(rng.random() < 0.4) if dark is None else dark
    base = _hsv(rng, (0.05, 0.10), (0.45, 0.7), (0.25, 0.45) if dark else (0.55, 0.85))
    return Material("wood", base, _shade(base, 0.72), float(rng.uniform(2.0, 5.0)), 0.12, 24.0, _offset(rng))


def _fabric(rng) -> Material:
    base = _hsv(rng, (0.0, 1.0), (0.15, 0.65), (0.3, 0.85))
    return Material("fabric", base, _shade(base, 0.8), float(rng.uniform(0.8, 1.5)), 0.02, 8.0, _offset(rng))


def _painted(rng, specular: float = 0.15) -> Material:
    base = _hsv(rng, (0.0, 1.0), (0.0, 0.35), (0.55, 0.95))
    return Material("plain", base, base, 4.0, specular, 32.0, _offset(rng))


def _ceramic(rng) -> Material:
    base = _hsv(rng, (0.5, 0.65), (0.0, 0.06), (0.88, 0.97))
    return Material("plain", base, base, 4.0, 0.55, 64.0, _offset(rng))


def _metal(rng) -> Material:
    base = _hsv(rng, (0.0, 1.0), (0.0, 0.08), (0.55, 0.85))
    return Material("plain", base, base, 4.0, 0.6, 48.0, _offset(rng))


def _plaster(rng) -> Material:
    base = _hsv(rng, (0.0, 1.0), (0.02, 0.22), (0.72, 0.95))
    return Material("plaster", base, _shade(base, 0.93), float(rng.uniform(1.5, 4.0)), 0.03, 8.0, _offset(rng))


def _tiles(rng) -> Material:
    base = _hsv(rng, (0.0, 1.0), (0.0, 0.3), (0.5, 0.95))
    other = _hsv(rng, (0.0, 1.0), (0.0, 0.3), (0.3, 0.95))
    return Material("tiles", base, other, float(1.0 / rng.uniform(0.2, 0.5)), 0.3, 48.0, _offset(rng))


def _carpet(rng) -> Material:
    base = _hsv(rng, (0.0, 1.0), (0.1, 0.5), (0.3, 0.75))
    return Material("carpet", base, _shade(base, 0.7), float(rng.uniform(0.5, 1.5)), 0.0, 4.0, _offset(rng))


def _art(rng) -> Material:
    a = _hsv(rng, (0.0, 1.0), (0.5, 0.9), (0.5, 0.95))
    b = _hsv(rng, (0.0, 1.0), (0.5, 0.9), (0.2, 0.8))
    return Material("art", a, b, float(rng.uniform(2.0, 6.0)), 0.1, 32.0, _offset(rng))


def _window_material(rng) -> Material:
    sky = _hsv(rng, (0.55, 0.62), (0.15, 0.4), (0.85, 1.0))
    horizon = _hsv(rng, (0.2, 0.4), (0.2, 0.5), (0.5, 0.8))
    return Material("window", sky, horizon, float(1.0 / rng.uniform(0.4, 0.7)), 0.6, 96.0, _offset(rng))


# ---------------------------------------------------------------------------------------------
# object builders: parts in a local frame (front = +y), re-centred by _Layout.add_object


def _box(cx, cy, z0, hx, hy, height, mat) -> Part:
    return Part("box", (cx, cy, z0 + height / 2), (hx, hy, height / 2), 0.0, mat)


def _cyl(cx, cy, z0, r, height, mat) -> Part:
    return Part("cylinder", (cx, cy, z0 + height / 2), (r, r, height / 2), 0.0, mat)


def _sphere(cx, cy, cz, r, mat) -> Part:
    return Part("sphere", (cx, cy, cz), (r, r, r), 0.0, mat)


def _chair(rng) -> list[Part]:
    w, d = rng.uniform(0.42, 0.52), rng.uniform(0.42, 0.5)
    seat_h, back_h, t, leg = rng.uniform(0.43, 0.48), rng.uniform(0.35, 0.5), 0.05, 0.035
    frame = _wood(rng) if rng.random() < 0.6 else _metal(rng)
    seat = _fabric(rng) if rng.random() < 0.5 else frame
    parts = [_box(0, 0, seat_h - t, w / 2, d / 2, t, seat)]
    for sx in (-1, 1):
        for sy in (-1, 1):
            parts.append(_box(sx * (w - leg) / 2, sy * (d - leg) / 2, 0, leg / 2, leg / 2, seat_h - t, frame))
    parts.append(_box(0, -d / 2 + 0.025, seat_h, w / 2, 0.025, back_h, seat))
    return parts


def _table(rng, coffee: bool = False) -> list[Part]:
    mat = _wood(rng) if rng.random() < 0.8 else _painted(rng)
    h = rng.uniform(0.38, 0.48) if coffee else rng.uniform(0.72, 0.77)
    t = 0.04
    if rng.random() < 0.3:
        r = rng.uniform(0.35, 0.45) if coffee else rng.uniform(0.45, 0.6)
        return [
            _cyl(0, 0, h - t, r, t, mat),
            _cyl(0, 0, 0.03, 0.05, h - t - 0.03, mat),
            _cyl(0, 0, 0, min(0.3, r * 0.6), 0.03, mat),
        ]
    w = rng.uniform(0.8, 1.2) if coffee else rng.uniform(0.9, 1.6)
    d = rng.uniform(0.5, 0.7) if coffee else rng.uniform(0.7, 1.0)
    leg = 0.06
    parts = [_box(0, 0, h - t, w / 2, d / 2, t, mat)]
    for sx in (-1, 1):
        for sy in (-1, 1):
            parts.append(_box(sx * (w / 2 - leg), sy * (d / 2 - leg), 0, leg / 2, leg / 2, h - t, mat))
    return parts


def _desk(rng) -> list[Part]:
    mat = _wood(rng) if rng.random() < 0.7 else _painted(rng)
    w, d, h, t = rng.uniform(1.0, 1.6), rng.uniform(0.6, 0.75), rng.uniform(0.72, 0.76), 0.03
    parts = [_box(0, 0, h - t, w / 2, d / 2, t, mat)]
    for sx in (-1, 1):
        parts.append(_box(sx * (w / 2 - 0.015), 0, 0, 0.015, d / 2 - 0.01, h - t, mat))
    parts.append(_box(0, -d / 2 + 0.02, h - t - 0.35, w / 2 - 0.03, 0.01, 0.35, mat))
    if rng.random() < 0.6:
        side = 1 if rng.random() < 0.5 else -1
        parts.append(_box(side * (w / 2 - 0.23), 0.02, 0.05, 0.2, d / 2 - 0.04, h - t - 0.1, _painted(rng)))
    return parts


def _bed(rng) -> list[Part]:
    w = rng.uniform(0.9, 1.0) if rng.random() < 0.35 else rng.uniform(1.4, 1.8)
    length, frame_h, mattress_h = rng.uniform(1.95, 2.1), rng.uniform(0.25, 0.35), 0.22
    wood, sheet, blanket = _wood(rng), _fabric(rng), _fabric(rng)
    head_h = rng.uniform(0.85, 1.15)
    top = frame_h + mattress_h
    parts = [
        _box(0, 0.03, 0, w / 2, length / 2 - 0.03, frame_h, wood),
        _box(0, 0.03, frame_h, w / 2 - 0.02, length / 2 - 0.05, mattress_h, sheet),
        _box(0, -length / 2 + 0.03, 0, w / 2 + 0.02, 0.03, head_h, wood),
        _box(0, 0.2, top, w / 2 - 0.01, length / 2 - 0.22, 0.03, blanket),
    ]
    num_pillows = 1 if w < 1.2 else 2
    pw = (w - 0.1) / num_pillows
    for i in range(num_pillows):
        cx = -w / 2 + 0.05 + pw * (i + 0.5)
        parts.append(_box(cx, -length / 2 + 0.25, top, pw / 2 - 0.03, 0.17, 0.1, sheet))
    return parts


def _sofa(rng) -> list[Part]:
    w, d, arm = rng.uniform(1.5, 2.2), rng.uniform(0.8, 0.95), rng.uniform(0.12, 0.2)
    cover, base_h, back_h, arm_h = _fabric(rng), 0.4, rng.uniform(0.75, 0.9), rng.uniform(0.55, 0.65)
    cushion = replace(cover, offset=_offset(rng))
    parts = [
        _box(0, 0.1, 0, w / 2 - arm, d / 2 - 0.1, base_h, cover),
        _box(0, -d / 2 + 0.1, 0, w / 2 - arm, 0.1, back_h, cover),
    ]
    for sx in (-1, 1):
        parts.append(_box(sx * (w / 2 - arm / 2), 0, 0, arm / 2, d / 2, arm_h, cover))
    num_seats = 2 if w < 1.8 else 3
    sw = (w - 2 * arm) / num_seats
    for i in range(num_seats):
        cx = -w / 2 + arm + sw * (i + 0.5)
        parts.append(_box(cx, 0.12, base_h, sw / 2 - 0.01, d / 2 - 0.14, 0.1, cushion))
    return parts


def _bookshelf(rng) -> list[Part]:
    w, d, h, t = rng.uniform(0.6, 1.2), rng.uniform(0.28, 0.38), rng.uniform(1.2, 2.0), 0.02
    mat = _wood(rng) if rng.random() < 0.7 else _painted(rng)
    parts = [
        _box(-w / 2 + t / 2, 0, 0, t / 2, d / 2, h, mat),
        _box(w / 2 - t / 2, 0, 0, t / 2, d / 2, h, mat),
        _box(0, -d / 2 + 0.005, 0, w / 2 - t, 0.005, h, mat),
        _box(0, 0, h - t, w / 2 - t, d / 2, t, mat),
    ]
    num_shelves = max(2, int(h / 0.35))
    gap = (h - t) / num_shelves
    for i in range(num_shelves):
        z = i * gap
        parts.append(_box(0, 0.005, z, w / 2 - t, d / 2 - 0.005, t, mat))
        x = -w / 2 + t + 0.01
        while rng.random() < 0.85:
            bw = rng.uniform(0.06, 0.2)
            if x + bw > w / 2 - t - 0.01:
                break
            bh = rng.uniform(0.5, 0.85) * (gap - t)
            parts.append(_box(x + bw / 2, 0.01, z + t, bw / 2 - 0.003, d / 2 - 0.03, bh, _painted(rng, 0.05)))
            x += bw + rng.uniform(0.0, 0.08)
    return parts


def _cabinet(rng, tall: bool = False) -> list[Part]:
    w = rng.uniform(0.8, 1.4) if tall else rng.uniform(0.5, 1.2)
    d = rng.uniform(0.5, 0.62) if tall else rng.uniform(0.4, 0.6)
    h = rng.uniform(1.8, 2.1) if tall else rng.uniform(0.6, 1.0)
    body = _wood(rng) if rng.random() < 0.6 else _painted(rng)
    front = replace(body, offset=_offset(rng)) if rng.random() < 0.5 else _painted(rng)
    handle = _metal(rng)
    parts = [_box(0, -0.01, 0, w / 2, d / 2 - 0.01, h, body)]
    num_doors = 1 if w < 0.7 else 2
    dw = w / num_doors
    for i in range(num_doors):
        cx = -w / 2 + dw * (i + 0.5)
        parts.append(_box(cx, d / 2 - 0.01, 0.04, dw / 2 - 0.005, 0.01, h - 0.08, front))
        hx = cx + (dw / 2 - 0.06) * (1 if i == 0 and num_doors == 2 else -1)
        parts.append(_box(hx, d / 2 + 0.01, h * 0.5 - 0.06, 0.01, 0.01, 0.12, handle))
    return parts


def _counter(rng) -> list[Part]:
    w, d, h = rng.uniform(1.2, 2.6), rng.uniform(0.58, 0.65), rng.uniform(0.88, 0.92)
    body, top = _painted(rng), (_tiles(rng) if rng.random() < 0.3 else _painted(rng, 0.4))
    parts = [
        _box(0, -0.02, 0.1, w / 2 - 0.01, d / 2 - 0.04, h - 0.14, body),
        _box(0, -0.04, 0, w / 2 - 0.03, d / 2 - 0.06, 0.1, _painted(rng)),
        _box(0, 0, h - 0.04, w / 2, d / 2, 0.04, top),
    ]
    num_doors = max(1, int(w / 0.5))
    dw = (w - 0.02) / num_doors
    for i in range(num_doors):
        cx = -w / 2 + 0.01 + dw * (i + 0.5)
        parts.append(_box(cx, d / 2 - 0.05, 0.12, dw / 2 - 0.005, 0.01, h - 0.2, body))
    return parts


def _kitchen_sink(rng) -> list[Part]:
    steel = _metal(rng)
    w, d = rng.uniform(0.45, 0.6), rng.uniform(0.35, 0.42)
    return [
        _box(0, 0.04, 0, w / 2, d / 2 - 0.04, 0.08, steel),
        _cyl(0, -d / 2 + 0.03, 0, 0.02, rng.uniform(0.22, 0.3), steel),
    ]


def _pedestal_sink(rng) -> list[Part]:
    ceramic = _ceramic(rng)
    w, d, h = rng.uniform(0.45, 0.6), rng.uniform(0.38, 0.45), rng.uniform(0.78, 0.86)
    return [
        _cyl(0, 0, 0, 0.1, h - 0.14, ceramic),
        _box(0, 0, h - 0.14, w / 2, d / 2, 0.14, ceramic),
        _cyl(0, -d / 2 + 0.04, h, 0.018, 0.18, _metal(rng)),
    ]


def _refrigerator(rng) -> list[Part]:
    w, d, h = rng.uniform(0.6, 0.9), rng.uniform(0.65, 0.75), rng.uniform(1.6, 1.9)
    body = _metal(rng) if rng.random() < 0.5 else _ceramic(rng)
    split = h * rng.uniform(0.3, 0.4)
    parts = [_box(0, -0.02, 0, w / 2, d / 2 - 0.02, h, body)]
    for z0, z1 in ((0.02, h - split - 0.01), (h - split + 0.01, h - 0.02)):
        parts.append(_box(0, d / 2 - 0.015, z0, w / 2 - 0.01, 0.015, z1 - z0, body))
        parts.append(_box(w / 2 - 0.06, d / 2 + 0.01, z0 + 0.1, 0.012, 0.01, min(0.5, z1 - z0 - 0.2), _metal(rng)))
    return parts


def _toilet(rng) -> list[Part]:
    ceramic = _ceramic(rng)
    r = rng.uniform(0.18, 0.21)
    return [
        _box(0, -0.3, 0.38, 0.2, 0.09, 0.38, ceramic),
        _box(0, -0.1, 0, 0.13, 0.2, 0.3, ceramic),
        _cyl(0, 0.02, 0.3, r, 0.1, ceramic),
        _cyl(0, 0.02, 0.4, r, 0.02, _painted(rng)),
    ]


def _bathtub(rng) -> list[Part]:
    w, d, h, t = rng.uniform(1.5, 1.75), rng.uniform(0.7, 0.8), rng.uniform(0.5, 0.58), 0.08
    ceramic = _ceramic(rng)
    return [
        _box(0, 0, 0, w / 2, d / 2, 0.1, ceramic),
        _box(-w / 2 + t / 2, 0, 0.1, t / 2, d / 2, h - 0.1, ceramic),
        _box(w / 2 - t / 2, 0, 0.1, t / 2, d / 2, h - 0.1, ceramic),
        _box(0, -d / 2 + t / 2, 0.1, w / 2 - t, t / 2, h - 0.1, ceramic),
        _box(0, d / 2 - t / 2, 0.1, w / 2 - t, t / 2, h - 0.1, ceramic),
    ]


def _shower_curtain(rng, width: float, z0: float) -> list[Part]:
    cloth = Material("fabric", _hsv(rng, (0, 1), (0.0, 0.4), (0.7, 0.95)), (0.9, 0.9, 0.9), 1.0, 0.05, 8.0, _offset(rng))
    cw = width * rng.uniform(0.5, 0.75)
    return [
        _box(-width / 2 + cw / 2, 0, z0, cw / 2, 0.01, 1.9 - z0, cloth),
        _box(0, 0, 1.9, width / 2, 0.012, 0.025, _metal(rng)),
    ]


def _nightstand(rng) -> list[Part]:
    w, d, h = rng.uniform(0.4, 0.5), rng.uniform(0.35, 0.45), rng.uniform(0.45, 0.6)
    body = _wood(rng)
    return [
        _box(0, -0.01, 0, w / 2, d / 2 - 0.01, h, body),
        _box(0, d / 2 - 0.01, h - 0.2, w / 2 - 0.02, 0.01, 0.15, _painted(rng)),
        _box(0, d / 2 + 0.01, h - 0.13, 0.05, 0.01, 0.015, _metal(rng)),
    ]


def _lamp(rng, floor: bool = False) -> list[Part]:
    base, shade = _metal(rng), Material("plain", _hsv(rng, (0.05, 0.15), (0.1, 0.4), (0.85, 1.0)), (1, 1, 1), 4.0, 0.1, 16.0)
    pole = rng.uniform(1.2, 1.5) if floor else rng.uniform(0.2, 0.35)
    rb, r = (0.15, rng.uniform(0.15, 0.2)) if floor else (0.07, rng.uniform(0.09, 0.13))
    return [
        _cyl(0, 0, 0, rb, 0.03, base),
        _cyl(0, 0, 0.03, 0.012, pole, base),
        _sphere(0, 0, 0.03 + pole + r * 0.9, r, shade),
    ]


def _plant(rng) -> list[Part]:
    pot_r, pot_h, leaf_r = rng.uniform(0.12, 0.2), rng.uniform(0.25, 0.4), rng.uniform(0.22, 0.35)
    pot = _painted(rng, 0.2)
    leaves = Material("carpet", _hsv(rng, (0.22, 0.38), (0.5, 0.8), (0.3, 0.6)), _hsv(rng, (0.2, 0.35), (0.5, 0.9), (0.15, 0.35)), 3.0, 0.05, 8.0, _offset(rng))
    return [_cyl(0, 0, 0, pot_r, pot_h, pot), _sphere(0, 0, pot_h + leaf_r * 0.85, leaf_r, leaves)]


def _bin(rng) -> list[Part]:
    return [_cyl(0, 0, 0, rng.uniform(0.12, 0.18), rng.uniform(0.3, 0.45), _painted(rng, 0.3))]


def _ottoman(rng) -> list[Part]:
    s = rng.uniform(0.4, 0.55)
    return [_box(0, 0, 0, s / 2, s / 2, rng.uniform(0.38, 0.45), _fabric(rng))]


def _tv(rng) -> list[Part]:
    w, h = rng.uniform(0.8, 1.2), rng.uniform(0.5, 0.7)
    black = Material("plain", (0.04, 0.04, 0.05), (0.04, 0.04, 0.05), 4.0, 0.7, 96.0)
    return [_box(0, 0, 0, 0.12, 0.08, 0.06, black), _box(0, 0, 0.06, w / 2, 0.03, h, black)]


def _microwave(rng) -> list[Part]:
    body = _metal(rng)
    return [
        _box(0, 0, 0, 0.25, 0.18, 0.28, body),
        _box(-0.04, 0.18, 0.04, 0.17, 0.005, 0.2, Material("plain", (0.1, 0.1, 0.12), (0.1, 0.1, 0.12), 4.0, 0.6, 64.0)),
    ]


# ---------------------------------------------------------------------------------------------
# layout


@dataclass
class _Wall:
    """A straight stretch of wall: start point, unit direction, inward unit normal, length."""

    start: np.ndarray
    direction: np.ndarray
    normal: np.ndarray
    length: float


@dataclass
class _Layout:
    rng: np.random.Generator
    size: tuple[float, float, float]
    walls: list[_Wall] = field(default_factory=list)
    obstacles: list[Prism] = field(default_factory=list)
    objects: list[SceneObject] = field(default_factory=list)
    next_instance: int = FIRST_OBJECT_INSTANCE_ID

    def fits(self, prism: Prism, margin: float) -> bool:
        """Inside the room and clear (by ``margin`` in x/y) of every obstacle."""
        corners = prism.corners_xy()
        X, Y, Z = self.size
        if corners.min() < -1e-6 or corners[:, 0].max() > X + 1e-6 or corners[:, 1].max() > Y + 1e-6:
            return False
        if prism.z0 < -1e-9 or prism.z1 > Z + 1e-6:
            return False
        grown = prism.expanded(margin)
        return not any(prisms_overlap(grown, other) for other in self.obstacles)

    def add_object(
        self, name: str, cls: str, parts_local: list[Part], x: float, y: float, z0: float, yaw: float,
        margin: float = 0.03, dry_run: bool = False,
    ) -> SceneObject | None:
        """Place ``parts_local`` (front +y) re-centred on ``(x, y)`` at height ``z0`` with ``yaw``;
        return the object, or None (nothing added) if it does not fit."""
        lo, hi = _local_bounds(parts_local)
        shift = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
        c, s = math.cos(yaw), math.sin(yaw)
        bounds = Prism(x, y, (hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2, yaw, z0, z0 + hi[2] - lo[2])
        if not self.fits(bounds, margin):
            return None
        if dry_run:
            return SceneObject(name, _CLASS[cls], -1, (), bounds)
        parts = []
        for part in parts_local:
            px, py, pz = np.array(part.center) - shift
            center = (x + c * px - s * py, y + s * px + c * py, z0 + pz)
            parts.append(replace(part, center=tuple(float(v) for v in center), yaw=float(part.yaw + yaw) if part.kind == "box" else 0.0))
        obj = SceneObject(name, _CLASS[cls], self.next_instance, tuple(parts), bounds)
        self.next_instance += 1
        self.objects.append(obj)
        self.obstacles.append(bounds)
        return obj

    def against_wall(self, name, cls, parts_local, tries: int = 30, gap: float = 0.01) -> SceneObject | None:
        """Place an object with its back to a random wall stretch, facing into the room."""
        lo, hi = _local_bounds(parts_local)
        hw, hd = (hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2
        for _ in range(tries):
            wall = self.walls[int(self.rng.integers(len(self.walls)))]
            if wall.length < 2 * hw + 0.02:
                continue
            s = self.rng.uniform(hw + 0.01, wall.length - hw - 0.01)
            p = wall.start + wall.direction * s + wall.normal * (hd + gap)
            yaw = math.atan2(wall.normal[1], wall.normal[0]) - math.pi / 2
            obj = self.add_object(name, cls, parts_local, float(p[0]), float(p[1]), 0.0, yaw)
            if obj is not None:
                return obj
        return None

    def free_standing(self, name, cls, parts_local, tries: int = 30, axis_aligned: bool = False) -> SceneObject | None:
        """Place an object anywhere on the floor with a random (or jittered axis-aligned) yaw."""
        X, Y, _ = self.size
        for _ in range(tries):
            x, y = self.rng.uniform(0.3, X - 0.3), self.rng.uniform(0.3, Y - 0.3)
            if axis_aligned:
                yaw = float(self.rng.integers(4)) * math.pi / 2 + self.rng.uniform(-0.15, 0.15)
            else:
                yaw = self.rng.uniform(-math.pi, math.pi)
            obj = self.add_object(name, cls, parts_local, x, y, 0.0, yaw)
            if obj is not None:
                return obj
        return None

    def on_top(self, support: SceneObject, name, cls, parts_local, tries: int = 20) -> SceneObject | None:
        """Stand an object on ``support``'s top face, inside its footprint."""
        lo, hi = _local_bounds(parts_local)
        hw, hd = (hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2
        b = support.bounds
        if hw > b.hx - 0.02 or hd > b.hy - 0.02:
            return None
        c, s = math.cos(b.yaw), math.sin(b.yaw)
        for _ in range(tries):
            u, v = self.rng.uniform(-(b.hx - hw - 0.02), b.hx - hw - 0.02), self.rng.uniform(-(b.hy - hd - 0.02), b.hy - hd - 0.02)
            obj = self.add_object(name, cls, parts_local, b.cx + c * u - s * v, b.cy + s * u + c * v, b.z1, b.yaw, margin=0.01)
            if obj is not None:
                return obj
        return None

    def facing(self, target: SceneObject, name, cls, parts_local, distance: float) -> SceneObject | None:
        """Place an object on one side of ``target`` at ``distance`` from its centre, facing it."""
        b = target.bounds
        sides = [(0.0, 1.0), (0.0, -1.0), (1.0, 0.0), (-1.0, 0.0)]
        order = self.rng.permutation(len(sides))
        for k in order:
            ux, uy = sides[k]
            reach = distance + (b.hy if uy else b.hx)
            c, s = math.cos(b.yaw), math.sin(b.yaw)
            dx, dy = c * ux * reach - s * uy * reach, s * ux * reach + c * uy * reach
            yaw = math.atan2(-dy, -dx) - math.pi / 2
            obj = self.add_object(name, cls, parts_local, b.cx + dx, b.cy + dy, 0.0, yaw)
            if obj is not None:
                return obj
        return None

    def wall_item(self, name, cls, width, z0, height, thickness, material, tries: int = 30, wall: _Wall | None = None) -> SceneObject | None:
        """A thin box (door, window, picture, curtain) flat against a wall stretch."""
        part = [_box(0, 0, 0, width / 2, thickness / 2, height, material)]
        for _ in range(tries):
            w = wall if wall is not None else self.walls[int(self.rng.integers(len(self.walls)))]
            if w.length < width + 0.2:
                continue
            s = self.rng.uniform(width / 2 + 0.1, w.length - width / 2 - 0.1)
            p = w.start + w.direction * s + w.normal * (thickness / 2)
            yaw = math.atan2(w.normal[1], w.normal[0]) - math.pi / 2
            obj = self.add_object(name, cls, part, float(p[0]), float(p[1]), z0, yaw, margin=0.01)
            if obj is not None:
                return obj
        return None


def _local_bounds(parts: list[Part]) -> tuple[np.ndarray, np.ndarray]:
    """Axis-aligned bounds ``(lo, hi)`` of parts given in a local frame with yaw 0."""
    lo = np.min([np.array(p.center) - np.array(p.half_size) for p in parts], axis=0)
    hi = np.max([np.array(p.center) + np.array(p.half_size) for p in parts], axis=0)
    return lo, hi


def _outer_walls(X: float, Y: float) -> list[_Wall]:
    return [
        _Wall(np.array([0.0, 0.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0]), X),
        _Wall(np.array([X, 0.0]), np.array([0.0, 1.0]), np.array([-1.0, 0.0]), Y),
        _Wall(np.array([X, Y]), np.array([-1.0, 0.0]), np.array([0.0, -1.0]), X),
        _Wall(np.array([0.0, Y]), np.array([0.0, -1.0]), np.array([1.0, 0.0]), Y),
    ]


def _structure(layout: _Layout, wall_material: Material) -> None:
    """Carve an L-shape (a full-height corner block) or add a partition, or neither."""
    rng, (X, Y, Z) = layout.rng, layout.size
    choice = rng.random()
    layout.walls = _outer_walls(X, Y)
    if choice < 0.3 and min(X, Y) >= 3.2:
        a, b = rng.uniform(0.25, 0.4) * X, rng.uniform(0.25, 0.4) * Y
        corner = int(rng.integers(4))
        cx = a / 2 if corner in (0, 3) else X - a / 2
        cy = b / 2 if corner in (0, 1) else Y - b / 2
        layout.add_object("corner_block", "wall", [_box(0, 0, 0, a / 2, b / 2, Z, wall_material)], cx, cy, 0.0, 0.0, margin=0.0)
        walls = []
        for wall in layout.walls:
            t0, t1 = 0.0, wall.length
            for t in (0.0, wall.length):
                p = wall.start + wall.direction * t
                if abs(p[0] - cx) <= a / 2 + 1e-9 and abs(p[1] - cy) <= b / 2 + 1e-9:
                    cut = a if abs(wall.direction[0]) > 0.5 else b
                    if t == 0.0:
                        t0 = cut
                    else:
                        t1 = wall.length - cut
            walls.append(_Wall(wall.start + wall.direction * t0, wall.direction, wall.normal, t1 - t0))
        nx = 1.0 if cx < X / 2 else -1.0
        ny = 1.0 if cy < Y / 2 else -1.0
        walls.append(_Wall(np.array([cx + nx * a / 2, cy - ny * b / 2]), np.array([0.0, ny]), np.array([nx, 0.0]), b))
        walls.append(_Wall(np.array([cx - nx * a / 2, cy + ny * b / 2]), np.array([nx, 0.0]), np.array([0.0, ny]), a))
        layout.walls = walls
    elif choice < 0.55 and max(X, Y) >= 4.5:
        along_x = X >= Y
        t = 0.1
        if along_x:
            px = rng.uniform(0.35, 0.65) * X
            length = rng.uniform(0.4, 0.55) * Y
            from_low = rng.random() < 0.5
            cy = length / 2 if from_low else Y - length / 2
            layout.add_object("partition", "wall", [_box(0, 0, 0, t / 2, length / 2, Z, wall_material)], px, cy, 0.0, 0.0, margin=0.0)
            y0 = 0.0 if from_low else Y - length
            layout.walls.append(_Wall(np.array([px + t / 2, y0]), np.array([0.0, 1.0]), np.array([1.0, 0.0]), length))
            layout.walls.append(_Wall(np.array([px - t / 2, y0 + length]), np.array([0.0, -1.0]), np.array([-1.0, 0.0]), length))
        else:
            py = rng.uniform(0.35, 0.65) * Y
            length = rng.uniform(0.4, 0.55) * X
            from_low = rng.random() < 0.5
            cx = length / 2 if from_low else X - length / 2
            layout.add_object("partition", "wall", [_box(0, 0, 0, length / 2, t / 2, Z, wall_material)], cx, py, 0.0, 0.0, margin=0.0)
            x0 = 0.0 if from_low else X - length
            layout.walls.append(_Wall(np.array([x0 + length, py + t / 2]), np.array([-1.0, 0.0]), np.array([0.0, 1.0]), length))
            layout.walls.append(_Wall(np.array([x0, py - t / 2]), np.array([1.0, 0.0]), np.array([0.0, -1.0]), length))


def _openings(layout: _Layout, room_type: str) -> None:
    """Doors (with a kept-free swing zone), windows with curtains, and pictures."""
    rng = layout.rng
    outer = layout.walls[:4]
    num_doors = 2 if rng.random() < 0.25 else 1
    for _ in range(num_doors):
        width, height = rng.uniform(0.8, 0.95), rng.uniform(2.0, 2.1)
        door = layout.wall_item("door", "door", width, 0.0, height, 0.04, _wood(rng) if rng.random() < 0.6 else _painted(rng), wall=outer[int(rng.integers(4))])
        if door is not None:
            b = door.bounds
            c, s = math.cos(b.yaw), math.sin(b.yaw)
            reach = b.hy + 0.45
            layout.obstacles.append(Prism(b.cx - s * reach, b.cy + c * reach, b.hx + 0.05, 0.45, b.yaw, 0.0, height))
    num_windows = int(rng.integers(0, 2)) if room_type == "bathroom" else int(rng.integers(1, 3))
    for _ in range(num_windows):
        small = room_type == "bathroom"
        width = rng.uniform(0.5, 0.8) if small else rng.uniform(0.8, 1.6)
        z0 = rng.uniform(1.3, 1.5) if small else rng.uniform(0.8, 1.0)
        height = rng.uniform(0.4, 0.6) if small else rng.uniform(1.0, 1.3)
        window = layout.wall_item("window", "window", width, z0, height, 0.03, _window_material(rng), wall=outer[int(rng.integers(4))])
        if window is None or room_type in ("bathroom",) or rng.random() < 0.25:
            continue
        b = window.bounds
        c, s = math.cos(b.yaw), math.sin(b.yaw)
        cloth = _fabric(rng)
        cw = rng.uniform(0.25, 0.45)
        for side in (-1, 1):
            u = side * (b.hx + 0.02 + cw / 2)
            part = [_box(0, 0, 0, cw / 2, 0.04, z0 + height + 0.12, replace(cloth, offset=_offset(rng)))]
            layout.add_object("curtain", "curtain", part, b.cx + c * u - s * 0.06, b.cy + s * u + c * 0.06, 0.0, b.yaw, margin=0.01)
    for _ in range(int(rng.integers(1, 4))):
        w, h = rng.uniform(0.3, 0.9), rng.uniform(0.3, 0.7)
        layout.wall_item("picture", "picture", w, rng.uniform(1.2, 1.6), h, 0.025, _art(rng))


def _reserve_walkway(layout: _Layout) -> tuple[float, float]:
    """Keep a 1.1 m square of floor free for the camera; return its centre."""
    rng, (X, Y, Z) = layout.rng, layout.size
    for _ in range(200):
        x, y = rng.uniform(0.6, X - 0.6), rng.uniform(0.6, Y - 0.6)
        zone = Prism(x, y, 0.55, 0.55, 0.0, 0.0, Z - 0.1)
        if layout.fits(zone, 0.05):
            layout.obstacles.append(zone)
            return float(x), float(y)
    raise ValueError(
        f"room layout must leave a free 1.1 m square of floor for the camera walkway; got none in a "
        f"{X:.2f} x {Y:.2f} m room. This is a generator bug: report the seed."
    )


def _furnish(layout: _Layout, room_type: str) -> None:
    rng = layout.rng

    def lamps(support: SceneObject | None) -> None:
        if support is not None and rng.random() < 0.7:
            layout.on_top(support, "lamp", "otherfurniture", _lamp(rng))

    if room_type == "bedroom":
        layout.against_wall("bed", "bed", _bed(rng))
        for _ in range(int(rng.integers(1, 3))):
            lamps(layout.against_wall("nightstand", "otherfurniture", _nightstand(rng)))
        if rng.random() < 0.7:
            layout.against_wall("wardrobe", "cabinet", _cabinet(rng, tall=True))
        if rng.random() < 0.6:
            desk = layout.against_wall("desk", "desk", _desk(rng))
            if desk is not None:
                layout.facing(desk, "chair", "chair", _chair(rng), 0.3)
                lamps(desk)
        if rng.random() < 0.5:
            layout.against_wall("bookshelf", "bookshelf", _bookshelf(rng))
    elif room_type == "office":
        for _ in range(int(rng.integers(1, 4))):
            desk = layout.against_wall("desk", "desk", _desk(rng))
            if desk is not None:
                layout.facing(desk, "chair", "chair", _chair(rng), 0.3)
                lamps(desk)
        for _ in range(int(rng.integers(1, 3))):
            layout.against_wall("bookshelf", "bookshelf", _bookshelf(rng))
        for _ in range(int(rng.integers(1, 3))):
            layout.against_wall("cabinet", "cabinet", _cabinet(rng, tall=rng.random() < 0.3))
        if rng.random() < 0.5:
            table = layout.free_standing("table", "table", _table(rng), axis_aligned=True)
            for _ in range(int(rng.integers(1, 4)) if table is not None else 0):
                layout.facing(table, "chair", "chair", _chair(rng), 0.3)
        if rng.random() < 0.4:
            layout.against_wall("sofa", "sofa", _sofa(rng))
    elif room_type == "living_room":
        for _ in range(int(rng.integers(1, 3))):
            layout.against_wall("sofa", "sofa", _sofa(rng))
        layout.free_standing("coffee_table", "table", _table(rng, coffee=True), axis_aligned=True)
        stand = layout.against_wall("tv_stand", "cabinet", _cabinet(rng))
        if stand is not None:
            layout.on_top(stand, "tv", "otherfurniture", _tv(rng))
        for _ in range(int(rng.integers(0, 3))):
            layout.against_wall("bookshelf", "bookshelf", _bookshelf(rng))
        if rng.random() < 0.6:
            table = layout.free_standing("table", "table", _table(rng), axis_aligned=True)
            for _ in range(int(rng.integers(1, 5)) if table is not None else 0):
                layout.facing(table, "chair", "chair", _chair(rng), 0.3)
        for _ in range(int(rng.integers(0, 3))):
            layout.free_standing("chair", "chair", _chair(rng))
        if rng.random() < 0.5:
            layout.free_standing("ottoman", "otherfurniture", _ottoman(rng))
        if rng.random() < 0.3:
            desk = layout.against_wall("desk", "desk", _desk(rng))
            if desk is not None:
                layout.facing(desk, "chair", "chair", _chair(rng), 0.3)
    elif room_type == "kitchen":
        counter = layout.against_wall("counter", "counter", _counter(rng))
        if counter is not None:
            layout.on_top(counter, "sink", "sink", _kitchen_sink(rng))
            if rng.random() < 0.6:
                layout.on_top(counter, "microwave", "otherfurniture", _microwave(rng))
        for _ in range(int(rng.integers(0, 2))):
            layout.against_wall("counter", "counter", _counter(rng))
        layout.against_wall("refrigerator", "refrigerator", _refrigerator(rng))
        for _ in range(int(rng.integers(0, 3))):
            layout.against_wall("cabinet", "cabinet", _cabinet(rng, tall=rng.random() < 0.4))
        table = layout.free_standing("table", "table", _table(rng), axis_aligned=True)
        for _ in range(int(rng.integers(1, 5)) if table is not None else 0):
            layout.facing(table, "chair", "chair", _chair(rng), 0.3)
    else:
        tub_parts = _bathtub(rng)
        tub = layout.against_wall("bathtub", "bathtub", tub_parts)
        if tub is not None:
            b = tub.bounds
            c, s = math.cos(b.yaw), math.sin(b.yaw)
            reach = b.hy + 0.03
            layout.add_object("shower_curtain", "shower curtain", _shower_curtain(rng, 2 * b.hx, b.z1 + 0.05), b.cx - s * reach, b.cy + c * reach, 0.0, b.yaw, margin=0.01)
        layout.against_wall("toilet", "toilet", _toilet(rng))
        if rng.random() < 0.5:
            layout.against_wall("sink", "sink", _pedestal_sink(rng))
        else:
            vanity = layout.against_wall("vanity", "counter", _counter(rng))
            if vanity is not None:
                layout.on_top(vanity, "sink", "sink", _kitchen_sink(rng))
        if rng.random() < 0.6:
            layout.against_wall("cabinet", "cabinet", _cabinet(rng))
    for _ in range(int(rng.integers(0, 3))):
        kind = int(rng.integers(3))
        builder = (_plant, _bin, lambda r: _lamp(r, floor=True))[kind]
        layout.free_standing(("plant", "bin", "floor_lamp")[kind], "otherfurniture", builder(rng))


def make_room(seed: int) -> Room:
    """Generate a room from ``seed`` (any int; same seed -> same room).

    Room type, size (2.6-7 m by 2.6-6 m, 2.5-3 m high), shape (box, L-shape or partition),
    openings, furniture and every material vary with the seed.
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFFFFFFFFFF, 0x5EED]))
    room_type = ROOM_TYPES[int(rng.integers(len(ROOM_TYPES)))]
    if room_type == "bathroom":
        size = (rng.uniform(2.6, 4.0), rng.uniform(2.6, 3.6), rng.uniform(2.5, 2.8))
    else:
        size = (rng.uniform(3.6, 7.0), rng.uniform(3.2, 6.0), rng.uniform(2.5, 3.0))
    size = tuple(float(v) for v in size)
    wall_material = _tiles(rng) if room_type == "bathroom" and rng.random() < 0.7 else _plaster(rng)
    floor_material = {
        "bedroom": (_carpet, _wood), "office": (_carpet, _wood, _tiles), "living_room": (_wood, _carpet, _tiles),
        "kitchen": (_tiles, _wood), "bathroom": (_tiles,),
    }[room_type]
    floor = floor_material[int(rng.integers(len(floor_material)))](rng)
    if floor.pattern == "wood":
        floor = replace(floor, scale=float(rng.uniform(0.6, 1.2)))
    ceiling = Material("plaster", (0.95, 0.95, 0.93), (0.88, 0.88, 0.86), 2.0, 0.0, 4.0, _offset(rng))
    shell = (wall_material,) * 4 + (floor, ceiling)

    layout = _Layout(rng, size)
    _structure(layout, wall_material)
    _openings(layout, room_type)
    walkway = _reserve_walkway(layout)
    _furnish(layout, room_type)

    X, Y, Z = size
    blocks = [o.bounds for o in layout.objects if o.class_id == 0]
    light = (X / 2, Y / 2, Z - 0.25)
    for _ in range(100):
        candidate = (rng.uniform(0.3, 0.7) * X, rng.uniform(0.3, 0.7) * Y, Z - rng.uniform(0.2, 0.35))
        probe = Prism(candidate[0], candidate[1], 0.3, 0.3, 0.0, 0.0, Z)
        if not any(prisms_overlap(probe, b) for b in blocks):
            light = candidate
            break
    return Room(
        seed=int(seed),
        room_type=room_type,
        size=size,
        shell_materials=shell,
        objects=tuple(layout.objects),
        light_position=tuple(float(v) for v in light),
        light_intensity=float(rng.uniform(2.5, 4.0) * (X * Y / 20.0) ** 0.5),
        ambient=float(rng.uniform(0.18, 0.3)),
        walkway=walkway,
    )

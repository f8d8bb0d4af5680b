"""Label spaces as data: class names, display colours and the ignore id (see gpnerf.conventions)."""

from dataclasses import dataclass

from gpnerf.conventions import ignore_index


@dataclass(frozen=True)
class LabelSpace:
    """A semantic label space.

    Attributes:
        name: short identifier, e.g. ``"scannet20"``.
        class_names: ``num_classes`` names; class id = position.
        colors: ``num_classes`` RGB uint8 triples for colour maps (the ignore id is drawn black).
    """

    name: str
    class_names: tuple[str, ...]
    colors: tuple[tuple[int, int, int], ...]

    def __post_init__(self) -> None:
        if len(self.colors) != len(self.class_names):
            raise ValueError(
                f"LabelSpace {self.name!r} has {len(self.class_names)} classes but {len(self.colors)} colours."
            )

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def ignore_index(self) -> int:
        return ignore_index(self.num_classes)


SCANNET20 = LabelSpace(
    name="scannet20",
    class_names=(
        "wall", "floor", "cabinet", "bed", "chair", "sofa", "table", "door", "window", "bookshelf",
        "picture", "counter", "desk", "curtain", "refrigerator", "shower curtain", "toilet", "sink",
        "bathtub", "otherfurniture",
    ),
    # The ScanNet benchmark's NYU40-derived palette for these 20 classes.
    colors=(
        (174, 199, 232), (152, 223, 138), (31, 119, 180), (255, 187, 120), (188, 189, 34),
        (140, 86, 75), (255, 152, 150), (214, 39, 40), (197, 176, 213), (148, 103, 189),
        (196, 156, 148), (23, 190, 207), (247, 182, 210), (219, 219, 141), (255, 127, 14),
        (158, 218, 229), (44, 160, 44), (112, 128, 144), (227, 119, 194), (82, 84, 163),
    ),
)
"""ScanNet's 20 benchmark classes (ids 0..19, ignore 20): the built-in procedural data's label space."""


REPLICA51_RAW_IDS: tuple[int, ...] = (
    3, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 23, 26, 29, 31, 34, 35, 37, 40, 44, 47,
    52, 54, 56, 59, 60, 61, 62, 63, 64, 65, 70, 71, 76, 78, 79, 80, 82, 83, 87, 88, 91, 92, 93, 95,
    97, 98,
)
"""Replica raw class ids (``habitat/info_semantic.json``) kept by S-Ray / GP-NeRF, in class-id order."""

REPLICA_RAW_MAX: int = 101
"""Raw Replica ids are clipped to ``[0, REPLICA_RAW_MAX]`` before mapping (S-Ray's PointSegClassMapping)."""


def _palette(num_colors: int) -> tuple[tuple[int, int, int], ...]:
    """Deterministic, well-spread RGB colours (golden-ratio hue steps)."""
    import colorsys

    colors = []
    for i in range(num_colors):
        r, g, b = colorsys.hsv_to_rgb((i * 0.618033988749895) % 1.0, 0.65, 0.95 - 0.3 * (i % 2))
        colors.append((int(r * 255), int(g * 255), int(b * 255)))
    return tuple(colors)


REPLICA51 = LabelSpace(
    name="replica51",
    # The reference lists only raw ids; names carry the raw id (e.g. 20 = chair, 40 = floor, 98 = rug).
    class_names=tuple(f"replica_id_{raw}" for raw in REPLICA51_RAW_IDS),
    colors=_palette(len(REPLICA51_RAW_IDS)),
)
"""Replica's 51-class space of the S-Ray / GP-NeRF protocol (ids 0..50, ignore 51)."""


def replica_class_lookup() -> "np.ndarray":
    """``(REPLICA_RAW_MAX + 1,)`` int64 table raw Replica id -> REPLICA51 class id (51 = ignore)."""
    import numpy as np

    table = np.full(REPLICA_RAW_MAX + 1, REPLICA51.ignore_index, dtype=np.int64)
    table[list(REPLICA51_RAW_IDS)] = np.arange(len(REPLICA51_RAW_IDS))
    return table


def replica_raw_to_class(raw: "np.ndarray") -> "np.ndarray":
    """Map raw Replica ids ``(...)`` to REPLICA51 class ids ``(...)`` int64 (clip to [0, 101] first)."""
    import numpy as np

    return replica_class_lookup()[np.clip(raw, 0, REPLICA_RAW_MAX)]


SCANNET20_NYU40_IDS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 24, 28, 33, 34, 36, 39)
"""NYU40 ids of SCANNET20's classes, in class-id order; every other NYU40 id is ignore."""

NYU40_MAX: int = 40


def nyu40_class_lookup() -> "np.ndarray":
    """``(NYU40_MAX + 1,)`` int64 table NYU40 id -> SCANNET20 class id (20 = ignore)."""
    import numpy as np

    table = np.full(NYU40_MAX + 1, SCANNET20.ignore_index, dtype=np.int64)
    table[list(SCANNET20_NYU40_IDS)] = np.arange(len(SCANNET20_NYU40_IDS))
    return table


def read_scannet_label_table(path) -> "np.ndarray":
    """``(max_id + 1,)`` int64 table raw ScanNet id -> NYU40 id from ``scannetv2-labels.combined.tsv``.

    Rows are applied in file order, so for a repeated id the **last row wins** (ids 107, 188, 385 in
    the real table). Ids absent from the table map to 0. Raises ``DataMissingError`` /
    ``DataFormatError`` naming the file when it is absent, the header lacks ``id`` / ``nyu40id`` or a
    row is malformed.
    """
    import csv
    from pathlib import Path

    import numpy as np

    from gpnerf.data.errors import DataFormatError, DataMissingError

    path = Path(path)
    if not path.is_file():
        raise DataMissingError(
            f"ScanNet label table must exist at {path}; got nothing there. "
            "Copy scannetv2-labels.combined.tsv from the ScanNet release next to the scenes."
        )
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    if not rows or "id" not in rows[0] or "nyu40id" not in rows[0]:
        raise DataFormatError(
            f"{path} must be tab-separated with a header containing 'id' and 'nyu40id'; "
            f"got header {rows[0][:6] if rows else []}."
        )
    id_column, nyu_column = rows[0].index("id"), rows[0].index("nyu40id")
    pairs = []
    for line_number, row in enumerate(rows[1:], start=2):
        try:
            raw, nyu40 = int(row[id_column]), int(row[nyu_column])
        except (IndexError, ValueError):
            raise DataFormatError(f"{path} line {line_number} must hold integer id and nyu40id; got {row[:8]}.") from None
        if raw < 0 or not 0 <= nyu40 <= NYU40_MAX:
            raise DataFormatError(
                f"{path} line {line_number} must have id >= 0 and nyu40id in [0, {NYU40_MAX}]; got {raw}, {nyu40}."
            )
        pairs.append((raw, nyu40))
    if not pairs:
        raise DataFormatError(f"{path} must hold at least one label row; got only the header.")
    table = np.zeros(max(raw for raw, _ in pairs) + 1, dtype=np.int64)
    for raw, nyu40 in pairs:
        table[raw] = nyu40
    return table

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

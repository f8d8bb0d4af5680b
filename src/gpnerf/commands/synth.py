"""`gpnerf synth`: generate the built-in procedural indoor dataset."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch

from gpnerf.synthetic.preview import write_preview
from gpnerf.synthetic.writer import SPLIT_FORMAT, default_num_test_scenes, generate_dataset


@dataclass
class Synth:
    """Generate procedural rooms and render posed RGB, z-depth, ScanNet-20 semantic and instance
    maps in the Replica / Semantic-NeRF layout, with a train/test split of disjoint rooms."""

    out: Path
    """Dataset folder to write (created; may already hold a gpnerf synth dataset)."""
    scenes: int = 20
    """Number of rooms (train + test)."""
    views: int = 60
    """Frames rendered per room."""
    seed: int = 0
    """Base seed; each scene's seed is a hash of (seed, split, index)."""
    height: int = 240
    """Image height in pixels."""
    width: int = 320
    """Image width in pixels."""
    hfov_deg: float = 90.0
    """Horizontal field of view in degrees."""
    test_scenes: int | None = None
    """Held-out test rooms (default: 20 % of --scenes rounded up, at least 1 when --scenes >= 2)."""
    device: Literal["cpu", "cuda"] = "cpu"
    """Rendering device."""
    preview: bool = False
    """Also write <out>/preview.png, a contact sheet of a few views."""
    overwrite: bool = False
    """Allow writing into an existing non-empty folder that is not a gpnerf synth dataset."""

    def __post_init__(self) -> None:
        if self.scenes < 1:
            raise ValueError(f"--scenes must be >= 1; got {self.scenes}.")
        if self.views < 2:
            raise ValueError(f"--views must be >= 2; got {self.views}. Source and target views need two frames.")
        if self.height < 8 or self.width < 8:
            raise ValueError(f"--height and --width must be >= 8; got {self.height}x{self.width}.")
        if not 10.0 <= self.hfov_deg <= 150.0:
            raise ValueError(f"--hfov-deg must lie in [10, 150]; got {self.hfov_deg}.")
        if self.test_scenes is not None and not 0 <= self.test_scenes < self.scenes:
            raise ValueError(
                f"--test-scenes must lie in [0, --scenes - 1] = [0, {self.scenes - 1}]; got {self.test_scenes}. "
                "Leave at least one training scene."
            )
        if self.device == "cuda" and not torch.cuda.is_available():
            raise ValueError("--device must be an available device; got cuda, but torch.cuda.is_available() is False. Use --device cpu.")
        out = Path(self.out)
        if out.exists() and not out.is_dir():
            raise ValueError(f"--out must be a folder; got the file {out}.")
        if out.is_dir() and any(out.iterdir()) and not self.overwrite and not _is_synth_dataset(out):
            raise ValueError(
                f"--out must be empty, new or a gpnerf synth dataset; got the non-empty folder {out} "
                "without split.json. Pick another folder or pass --overwrite."
            )

    def run(self) -> None:
        num_test = default_num_test_scenes(self.scenes) if self.test_scenes is None else self.test_scenes
        print(f"gpnerf synth: {self.scenes} scenes ({self.scenes - num_test} train, {num_test} test) x {self.views} views -> {self.out}")
        generate_dataset(
            Path(self.out), self.scenes, self.views, self.seed, self.height, self.width, device=self.device,
            hfov_deg=self.hfov_deg, num_test_scenes=num_test, log=print,
        )
        if self.preview:
            print(f"preview: {write_preview(Path(self.out))}")


def _is_synth_dataset(folder: Path) -> bool:
    split = folder / "split.json"
    if not split.is_file():
        return False
    try:
        return json.loads(split.read_text()).get("format") == SPLIT_FORMAT
    except (json.JSONDecodeError, AttributeError):
        return False

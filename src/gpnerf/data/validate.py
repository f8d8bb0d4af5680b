"""Pre-flight validation: find every problem in a dataset folder before a run starts.

Reports (path + reason): unreadable / truncated images, wrong dtypes or sizes, mismatched frame
counts, non-finite or non-rigid poses, label ids out of range, and scenes in both train and test.
"""

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from gpnerf.data.errors import DataFormatError, DataMissingError
from gpnerf.data.formats.detect import Discovery, SceneEntry, discover, load_entry
from gpnerf.data.io import pose_problem
from gpnerf.data.scene import Frame, Scene

_DATA_ERRORS = (DataFormatError, DataMissingError, ValueError, FileNotFoundError)


@dataclass(frozen=True)
class Problem:
    """One problem found: the file or folder concerned and why it is wrong."""

    path: Path
    reason: str

    def __str__(self) -> str:
        """``"<path>: <reason>"``, or just the reason when it already names a file under ``path``."""
        return self.reason if str(self.path) in self.reason else f"{self.path}: {self.reason}"


def _pose_location(entry: SceneEntry, frame_id: int, index: int) -> tuple[Path, str]:
    if entry.layout == "scannet":
        return entry.folder / "pose" / f"{frame_id}.txt", ""
    if entry.layout == "niceslam":
        return entry.folder / "traj.txt", f"line {frame_id + 1}: "
    return entry.folder / "traj_w_c.txt", f"line {index + 1}: "


def validate_poses(entry: SceneEntry, scene: Scene) -> list[Problem]:
    """Every pose of ``scene`` that is non-finite or not a rigid transform (rotation tolerance 1e-3)."""
    problems = []
    for index, frame_id in enumerate(scene.frame_ids):
        reason = pose_problem(scene.world_from_cam[index].double().numpy())
        if reason is not None:
            path, prefix = _pose_location(entry, frame_id, index)
            problems.append(Problem(path, f"{prefix}{reason}"))
    return problems


def validate_frames(
    entry: SceneEntry, scene: Scene, stride: int = 1, on_frame: Callable[[Frame], None] | None = None
) -> list[Problem]:
    """Decode every ``stride``-th frame; each frame that fails gives one problem naming its file."""
    if stride < 1:
        raise ValueError(f"stride must be >= 1; got {stride}.")
    problems = []
    for index in range(0, len(scene), stride):
        try:
            frame = scene.frame(index)
        except _DATA_ERRORS as error:
            problems.append(Problem(entry.folder, str(error)))
            continue
        if on_frame is not None:
            on_frame(frame)
    return problems


def validate_split(discovery: Discovery) -> list[Problem]:
    """Scenes listed in both the train and the test split, and listed scenes absent on disk."""
    if not discovery.splits:
        return []
    problems = []
    both = sorted(set(discovery.splits["train"]) & set(discovery.splits["test"]))
    if both:
        problems.append(Problem(discovery.split_file, f"scenes {both} are in both the train and the test split"))
    present = {entry.name for entry in discovery.entries}
    for split, names in discovery.splits.items():
        missing = sorted(set(names) - present)
        if missing:
            problems.append(Problem(discovery.split_file, f"{split} split lists scenes with no folder: {missing}"))
    return problems


def load_for_validation(entry: SceneEntry) -> tuple[Scene | None, list[Problem], list[Problem]]:
    """Index one scene without pose checks (they are reported separately).

    Returns the scene (None if it cannot be indexed), its problems, and notes: the reader's warnings
    (e.g. ScanNet frames with -inf poses, which the protocol skips), which are not problems.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            scene = load_entry(entry, check_poses=False)
        except _DATA_ERRORS as error:
            return None, [Problem(entry.folder, str(error))], []
    return scene, [], [Problem(entry.folder, str(w.message)) for w in caught]


def validate_path(path: Path, stride: int = 1) -> tuple[list[Scene], list[Problem], list[Problem]]:
    """Discover, index and check everything under ``path`` (every ``stride``-th frame's files).

    Returns the scenes that could be indexed, the problems and the notes (see
    :func:`load_for_validation`).
    """
    try:
        discovery = discover(path)
    except _DATA_ERRORS as error:
        return [], [Problem(Path(path), str(error))], []
    problems, notes = validate_split(discovery), []
    scenes = []
    for entry in discovery.entries:
        scene, found, noted = load_for_validation(entry)
        problems += found
        notes += noted
        if scene is None:
            continue
        scenes.append(scene)
        problems += validate_poses(entry, scene)
        problems += validate_frames(entry, scene, stride)
    return scenes, problems, notes

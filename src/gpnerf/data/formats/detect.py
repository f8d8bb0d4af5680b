"""Recognise which supported layout a path holds and load every scene under it."""

from dataclasses import dataclass, field
from pathlib import Path

from gpnerf.data.errors import DataMissingError
from gpnerf.data.formats.builtin import load_builtin_scene, read_split_json
from gpnerf.data.formats.niceslam import load_niceslam
from gpnerf.data.formats.replica import ReplicaConfig, load_replica_sequence
from gpnerf.data.formats.scannet import ScanNetConfig, load_scannet_scene
from gpnerf.data.scene import Scene

LAYOUTS = ("builtin", "replica", "scannet", "niceslam")


@dataclass
class SceneEntry:
    """A scene folder found under a path: its layout, name and folder (not loaded yet)."""

    layout: str
    name: str
    folder: Path


@dataclass
class Discovery:
    """What :func:`discover` found: the layout, the scene folders and any split lists on disk."""

    layout: str
    entries: list[SceneEntry]
    splits: dict[str, list[str]] = field(default_factory=dict)
    split_file: Path | None = None


def _is_sequence(folder: Path) -> bool:
    return (folder / "rgb").is_dir() and (folder / "traj_w_c.txt").is_file()


def _is_scannet_scene(folder: Path) -> bool:
    return (folder / "pose").is_dir() and (folder / "color").is_dir()


def _replica_entries(path: Path) -> list[SceneEntry]:
    """Sequence folders at ``path`` = a sequence, a ``<scene>`` with Sequence_k, or a root of scenes."""
    if _is_sequence(path):
        return [SceneEntry("replica", path.name, path)]
    entries = []
    for scene_dir in [path] + sorted(p for p in path.iterdir() if p.is_dir()):
        for seq in sorted(scene_dir.glob("Sequence_*")):
            if _is_sequence(seq):
                entries.append(SceneEntry("replica", f"{scene_dir.name}/{seq.name}", seq))
    return entries


def discover(path: Path) -> Discovery:
    """Find the layout and scene folders under ``path`` without decoding any image.

    Raises :class:`DataMissingError` if ``path`` is absent or holds no supported layout.
    """
    path = Path(path)
    if not path.is_dir():
        raise DataMissingError(f"Data path must be a folder; got nothing at {path}. Check the path.")
    if (path / "scene.json").is_file():
        return Discovery("builtin", [SceneEntry("builtin", path.name, path)])
    if (path / "split.json").is_file():
        splits = read_split_json(path / "split.json")
        names = sorted(p.name for p in path.iterdir() if (p / "scene.json").is_file())
        entries = [SceneEntry("builtin", name, path / name) for name in names]
        return Discovery("builtin", entries, splits, path / "split.json")
    if (path / "cam_params.json").is_file() and (path / "results").is_dir():
        return Discovery("niceslam", [SceneEntry("niceslam", path.name, path)])
    if _is_scannet_scene(path):
        return Discovery("scannet", [SceneEntry("scannet", path.name, path)])
    scannet = [p for p in sorted(path.iterdir()) if p.is_dir() and _is_scannet_scene(p)]
    if scannet:
        return Discovery("scannet", [SceneEntry("scannet", p.name, p) for p in scannet])
    replica = _replica_entries(path)
    if replica:
        return Discovery("replica", replica)
    raise DataMissingError(
        f"{path} must hold one of the layouts {', '.join(LAYOUTS)} (see docs/data.md); got none recognised. "
        "Point to a scene or dataset root folder."
    )


def load_entry(
    entry: SceneEntry,
    check_poses: bool = True,
    replica: ReplicaConfig = ReplicaConfig(),
    scannet: ScanNetConfig = ScanNetConfig(),
) -> Scene:
    """Load one discovered scene with the layout's reader."""
    if entry.layout == "builtin":
        return load_builtin_scene(entry.folder, check_poses)
    if entry.layout == "replica":
        return load_replica_sequence(entry.folder, entry.name, replica, check_poses)
    if entry.layout == "scannet":
        return load_scannet_scene(entry.folder, scannet, check_poses)
    if entry.layout == "niceslam":
        return load_niceslam(entry.folder, check_poses=check_poses)
    raise ValueError(f"layout must be one of {LAYOUTS}; got {entry.layout!r}.")


def load_path(path: Path, **readers) -> list[Scene]:
    """Every scene under ``path``, in the auto-detected layout (``readers``: see :func:`load_entry`)."""
    return [load_entry(entry, **readers) for entry in discover(path).entries]

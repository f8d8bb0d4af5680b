"""Error classes for data on disk. Each message names the file and says how to fix it."""

from pathlib import Path


class DataFormatError(ValueError):
    """A file or folder exists but its content breaks the layout's contract (dtype, size, values)."""


class DataMissingError(FileNotFoundError):
    """A file or folder that the layout requires is absent."""


class EvaluationLeakError(ValueError):
    """Frames used for training or fine-tuning include evaluation targets."""


def require_dir(path: Path, what: str, fix: str) -> Path:
    """Return ``path`` if it is a directory; raise :class:`DataMissingError` naming it otherwise."""
    if not path.is_dir():
        raise DataMissingError(f"{what} must be a folder at {path}; got nothing there. {fix}")
    return path


def require_file(path: Path, what: str, fix: str) -> Path:
    """Return ``path`` if it is a file; raise :class:`DataMissingError` naming it otherwise."""
    if not path.is_file():
        raise DataMissingError(f"{what} must be a file at {path}; got nothing there. {fix}")
    return path

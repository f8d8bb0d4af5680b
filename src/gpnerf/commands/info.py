"""Print gpnerf's version, the torch and Triton builds, the available devices and the conventions module."""

import importlib.metadata
from dataclasses import dataclass

import torch

import gpnerf
from gpnerf import conventions


def triton_version() -> str | None:
    """The installed Triton's version (the fused kernels need it), or None."""
    try:
        return importlib.metadata.version("triton")
    except importlib.metadata.PackageNotFoundError:
        return None


@dataclass
class Info:
    """Print versions, devices and where the conventions are documented."""

    def run(self) -> None:
        cuda = torch.cuda.is_available()
        print(f"gpnerf {gpnerf.__version__}")
        print(f"torch {torch.__version__} (cuda available: {cuda})")
        if cuda:
            for i in range(torch.cuda.device_count()):
                print(f"  cuda:{i} {torch.cuda.get_device_name(i)}")
        triton = triton_version()
        kernels = "available" if cuda and triton else f"unavailable: {'no CUDA' if triton else 'no Triton'}"
        print(f"triton {triton or 'not installed'} (fused kernels of the fast implementation: {kernels})")
        print(f"cpu threads: {torch.get_num_threads()}")
        print(f"conventions: {conventions.__file__}")

"""Print gpnerf's version, the torch build, the available devices and the conventions module."""

from dataclasses import dataclass

import torch

import gpnerf
from gpnerf import conventions


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
        print(f"cpu threads: {torch.get_num_threads()}")
        print(f"conventions: {conventions.__file__}")

"""Print a model preset's parameters per module and its forward FLOPs per ray and per image."""

from dataclasses import dataclass

import torch

from gpnerf.model.config import PRESETS
from gpnerf.model.flops import count_flops, parameter_counts
from gpnerf.model.gpnerf import GPNeRF


@dataclass
class ModelSummary:
    """Parameters per module and forward FLOPs (FlopCounterMode on the meta device: matmul/linear/
    conv only; element-wise ops and grid_sample excluded) of a model preset."""

    preset: str = "paper-scannet"
    """Preset name (see gpnerf.model.config.PRESETS)."""
    num_classes: int = 20
    """Semantic classes of the head (ScanNet: 20; the released head has 21)."""
    num_source_views: int = 10
    """Source views per rendered view."""
    height: int = 240
    """Image height in pixels."""
    width: int = 320
    """Image width in pixels."""

    def run(self) -> None:
        if self.preset not in PRESETS:
            raise ValueError(f"preset must be one of {sorted(PRESETS)}; got {self.preset!r}.")
        config = PRESETS[self.preset]
        with torch.device("meta"):
            model = GPNeRF(config, self.num_classes)
        print(f"preset {self.preset}  (classes {self.num_classes}, d_sem {config.encoder.d_sem}, "
              f"d_rgb {config.transformer.d_rgb}, layers {config.transformer.num_layers}, "
              f"samples {config.sampling.num_coarse}+{config.sampling.num_importance})")
        print("parameters:")
        for name, value in parameter_counts(model).items():
            print(f"  {name:<42} {value:>12,}")
        flops = count_flops(config, self.num_classes, self.num_source_views, self.height, self.width)
        print(f"forward FLOPs ({self.num_source_views} source views, {self.height}x{self.width}; "
              "FlopCounterMode on meta tensors, matmul/linear/conv only):")
        print(f"  per ray (coarse + fine)                    {flops.per_ray / 1e6:>12.1f} MFLOP")
        print(f"  encoder per view                           {flops.encoder_per_view / 1e9:>12.2f} GFLOP")
        print(f"  perception head per image                  {flops.head_per_image / 1e9:>12.2f} GFLOP")
        print(f"  full image (sources + all rays + head)     {flops.per_image / 1e12:>12.2f} TFLOP")

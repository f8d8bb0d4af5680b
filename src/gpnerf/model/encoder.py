"""Multi-Scale Feature Extractor (paper Sec. 4.1): ResNet (BasicBlocks) + FPN + radiance decoder.

Trained from scratch (no pretrained weights, no torchvision). Layout as released
(lifuguan/GP-NeRF ``ResUNet`` + mmdet ``FPN``): a 7x7 stride-2 stem, stages of BasicBlocks whose
first block has stride 2 (no max-pool), an FPN over the last ``num_fpn_levels`` maps of
[stem, stage 1, ...], and a GNT/IBRNet U-Net style decoder producing the radiance features F^rgb.
"""

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from gpnerf.conventions import GRID_SAMPLE_ALIGN_CORNERS
from gpnerf.model.config import EncoderConfig


def make_norm(kind: str, channels: int) -> nn.Module:
    """Normalisation layer by name: affine instance norm without running stats (released), batch
    norm, or group norm with gcd(32, channels) groups."""
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=True, track_running_stats=False)
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "group":
        return nn.GroupNorm(math.gcd(32, channels), channels)
    raise ValueError(f"norm must be one of 'instance', 'batch', 'group'; got {kind!r}.")


class StridedPointwiseConv(nn.Conv2d):
    """A 1x1 convolution of stride ``stride`` without bias, computed as ``x[..., ::stride, ::stride]`` followed by a 1x1
    convolution of stride 1: the same function of the same weight (parameter ``weight`` ``(d_out, d_in, 1, 1)``).

    torch 2.13's CPU convolution computes the weight gradient of a strided 1x1 convolution wrong on channels-last
    tensors (0.5-0.7 relative error against a float64 reference in most processes, or a hang; in NCHW, and for the
    encoder's other convolutions, it is right: tests/model/test_encoder.py), and inductor lays convolutions out
    channels-last on the CPU whenever it compiles them. The subsampled form never calls that kernel.
    """

    def __init__(self, d_in: int, d_out: int, stride: int) -> None:
        super().__init__(d_in, d_out, 1, bias=False)
        self.subsample = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., d_in, H, W)`` -> ``(..., d_out, ceil(H / stride), ceil(W / stride))``."""
        return super().forward(x[..., :: self.subsample, :: self.subsample])


class BasicBlock(nn.Module):
    """ResNet BasicBlock: two 3x3 convs with a residual (1x1 projection when shape changes)."""

    def __init__(self, d_in: int, d_out: int, stride: int, norm: str) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(d_in, d_out, 3, stride, 1, bias=False, padding_mode="reflect")
        self.norm1 = make_norm(norm, d_out)
        self.conv2 = nn.Conv2d(d_out, d_out, 3, 1, 1, bias=False, padding_mode="reflect")
        self.norm2 = make_norm(norm, d_out)
        self.shortcut = nn.Identity()
        if stride != 1 or d_in != d_out:
            self.shortcut = nn.Sequential(StridedPointwiseConv(d_in, d_out, stride), make_norm(norm, d_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.norm1(self.conv1(x)))
        y = self.norm2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class ConvNormElu(nn.Module):
    """IBRNet/GNT decoder conv: conv (bias, reflect padding) -> norm -> ELU."""

    def __init__(self, d_in: int, d_out: int, kernel: int, norm: str) -> None:
        super().__init__()
        self.conv = nn.Conv2d(d_in, d_out, kernel, 1, (kernel - 1) // 2, padding_mode="reflect")
        self.norm = make_norm(norm, d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.elu(self.norm(self.conv(x)))


def resize(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Bilinear resize of ``(B, C, h, w)`` to ``size`` with the project's align_corners choice."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=size, mode="bilinear", align_corners=GRID_SAMPLE_ALIGN_CORNERS)


class FeaturePyramid(nn.Module):
    """FPN (Lin et al. 2017, mmdet layout): 1x1 laterals, nearest top-down addition, 3x3 outputs;
    bias, no norm, no activation (as released)."""

    def __init__(self, in_channels: tuple[int, ...], d_fpn: int) -> None:
        super().__init__()
        self.laterals = nn.ModuleList(nn.Conv2d(c, d_fpn, 1) for c in in_channels)
        self.outputs = nn.ModuleList(nn.Conv2d(d_fpn, d_fpn, 3, 1, 1) for _ in in_channels)

    def forward(self, maps: list[torch.Tensor]) -> list[torch.Tensor]:
        """``maps`` finest first, each ``(B, c_i, h_i, w_i)`` -> list of ``(B, d_fpn, h_i, w_i)``."""
        lat = [conv(m) for conv, m in zip(self.laterals, maps)]
        for i in range(len(lat) - 1, 0, -1):
            lat[i - 1] = lat[i - 1] + F.interpolate(lat[i], size=lat[i - 1].shape[-2:], mode="nearest")
        return [conv(x) for conv, x in zip(self.outputs, lat)]


@dataclass
class EncodedViews:
    """Per-view feature maps.

    Attributes:
        rgb_features: ``(views, d_rgb_features, h_rgb, w_rgb)`` radiance features F^rgb (the image
            RGB is appended at sampling time, as in GNT).
        semantic_features: ``(views, d_sem, h, w)`` F^sem: FPN level i (finest first) upsampled to
            level 0's size occupies channels ``[d_fpn * i, d_fpn * (i + 1))``.
    """

    rgb_features: torch.Tensor
    semantic_features: torch.Tensor


class MultiScaleFeatureExtractor(nn.Module):
    """ResNet + FPN + radiance decoder; see the module docstring. Paper Sec. 4.1."""

    def __init__(self, config: EncoderConfig) -> None:
        super().__init__()
        self.config = config
        norm = config.norm
        self.stem = nn.Sequential(
            nn.Conv2d(3, config.stem_channels, 7, 2, 3, bias=False, padding_mode="reflect"),
            make_norm(norm, config.stem_channels),
            nn.ReLU(),
        )
        stages = []
        d_in = config.stem_channels
        for d_out, num_blocks in zip(config.stage_channels, config.stage_blocks):
            blocks = [BasicBlock(d_in, d_out, 2, norm)] + [BasicBlock(d_out, d_out, 1, norm) for _ in range(num_blocks - 1)]
            stages.append(nn.Sequential(*blocks))
            d_in = d_out
        self.stages = nn.ModuleList(stages)
        map_channels = (config.stem_channels,) + tuple(config.stage_channels)
        self.fpn = FeaturePyramid(tuple(map_channels[i] for i in config.fpn_taps), config.d_fpn)
        # Radiance decoder: from stage `top` up to stage 0's scale with skip connections.
        self.up_convs = nn.ModuleList()
        self.merge_convs = nn.ModuleList()
        top = config.rgb_decoder_top_stage
        d_in = config.stage_channels[top]
        for j in range(top - 1, -1, -1):
            d_skip = config.stage_channels[j]
            d_out = config.d_rgb_features if j == 0 else d_skip
            self.up_convs.append(ConvNormElu(d_in, d_skip, 3, norm))
            self.merge_convs.append(ConvNormElu(2 * d_skip, d_out, 3, norm))
            d_in = d_out
        self.rgb_out = nn.Conv2d(d_in, config.d_rgb_features, 1)

    def forward(self, images: torch.Tensor) -> EncodedViews:
        """``images`` ``(views, 3, H, W)`` in [0, 1] -> :class:`EncodedViews`."""
        maps = [self.stem(images)]
        for stage in self.stages:
            maps.append(stage(maps[-1]))
        levels = self.fpn([maps[i] for i in self.config.fpn_taps])
        size = levels[0].shape[-2:]
        semantic = torch.cat([resize(level, size) for level in levels], dim=1)  # (views, d_sem, h, w)
        top = self.config.rgb_decoder_top_stage
        x = maps[top + 1]
        if self.config.detach_rgb_decoder_input:
            x = x.detach()
        for k, (up, merge) in enumerate(zip(self.up_convs, self.merge_convs)):
            skip = maps[top - k]  # stage top-1-k lives at maps[top - k]
            x = up(F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=GRID_SAMPLE_ALIGN_CORNERS))
            x = merge(torch.cat([skip, resize(x, skip.shape[-2:])], dim=1))
        return EncodedViews(rgb_features=self.rgb_out(x), semantic_features=semantic)

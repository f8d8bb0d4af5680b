"""Context-Aware Perception Head (paper Sec. 4.1, Eq. 3) and the released Semantic-FPN head.

Both take a ``(batch, d_sem, h, w)`` map whose ``num_levels`` contiguous channel parts are the FPN
levels (finest first) all brought to the finest level's size, rebuild each part at its own scale
(part ``i`` at ``ceil(h / 2^i) x ceil(w / 2^i)``, bilinear), decode, classify with a 1x1 conv and
upsample bilinearly (align_corners=True) to the image size. The class count is a constructor argument.
"""

import math

import torch
from torch import nn

from gpnerf.model.encoder import resize


def level_sizes(height: int, width: int, num_levels: int) -> list[tuple[int, int]]:
    """``[(ceil(h / 2^i), ceil(w / 2^i)) for i < num_levels]``: the scale of each part."""
    return [(math.ceil(height / 2**i), math.ceil(width / 2**i)) for i in range(num_levels)]


def split_levels(features: torch.Tensor, num_levels: int) -> list[torch.Tensor]:
    """Split ``(B, d_sem, h, w)`` into ``num_levels`` parts, part ``i`` resized to its own scale."""
    parts = features.chunk(num_levels, dim=1)
    sizes = level_sizes(features.shape[-2], features.shape[-1], num_levels)
    return [resize(p, s) for p, s in zip(parts, sizes)]


class UNetPerceptionHead(nn.Module):
    """U-Net decoder over the feature parts (Eq. 3), coarsest first:

    ``s'_0 = ReLU(Conv(ReLU(Conv(s_L))))``; ``s'_i = ReLU(Conv(ReLU(Conv(s_{L-i} (+|cat) UpConv(s'_{i-1})))))``
    with a 2x2 stride-2 transposed convolution as UpConv (cropped to the part's size), then a 1x1
    classifier. ``combine="add"`` follows Eq. 3, ``"concat"`` the text ("a concatenation").
    """

    def __init__(self, d_sem: int, num_levels: int, d_hidden: int, num_classes: int, combine: str = "add") -> None:
        super().__init__()
        if d_sem % num_levels != 0:
            raise ValueError(f"d_sem ({d_sem}) must be divisible by num_levels ({num_levels}); got remainder {d_sem % num_levels}.")
        if combine not in ("add", "concat"):
            raise ValueError(f"combine must be 'add' or 'concat'; got {combine!r}.")
        d_part = d_sem // num_levels
        self.num_levels = num_levels
        self.combine = combine
        d_up = d_part if combine == "add" else d_hidden
        self.up_convs = nn.ModuleList(nn.ConvTranspose2d(d_hidden, d_up, 2, stride=2) for _ in range(num_levels - 1))
        blocks = []
        for i in range(num_levels):
            d_in = d_part if (i == 0 or combine == "add") else d_part + d_up
            blocks.append(nn.Sequential(
                nn.Conv2d(d_in, d_hidden, 3, 1, 1), nn.ReLU(), nn.Conv2d(d_hidden, d_hidden, 3, 1, 1), nn.ReLU()
            ))
        self.blocks = nn.ModuleList(blocks)
        self.classifier = nn.Conv2d(d_hidden, num_classes, 1)

    def forward(self, features: torch.Tensor, output_size: tuple[int, int]) -> torch.Tensor:
        """``(B, d_sem, h, w)`` -> logits ``(B, classes, H, W)``."""
        parts = split_levels(features, self.num_levels)[::-1]  # coarsest first
        x = self.blocks[0](parts[0])
        for i in range(1, self.num_levels):
            part = parts[i]
            up = self.up_convs[i - 1](x)[..., : part.shape[-2], : part.shape[-1]]
            x = self.blocks[i](part + up if self.combine == "add" else torch.cat([part, up], dim=1))
        return resize(self.classifier(x), output_size)


class SemanticFPNHead(nn.Module):
    """Released head (detectron2 Semantic-FPN): scale head ``i`` = ``max(1, i)`` x [3x3 conv (no
    bias) -> GroupNorm -> ReLU, then x2 bilinear upsampling while above the finest scale]; the scale
    outputs are summed, then a 1x1 predictor."""

    def __init__(self, d_sem: int, num_levels: int, d_hidden: int, num_classes: int) -> None:
        super().__init__()
        if d_sem % num_levels != 0:
            raise ValueError(f"d_sem ({d_sem}) must be divisible by num_levels ({num_levels}); got remainder {d_sem % num_levels}.")
        d_part = d_sem // num_levels
        self.num_levels = num_levels
        self.scale_heads = nn.ModuleList()
        for i in range(num_levels):
            convs = nn.ModuleList()
            for k in range(max(1, i)):
                convs.append(nn.Sequential(
                    nn.Conv2d(d_part if k == 0 else d_hidden, d_hidden, 3, 1, 1, bias=False),
                    nn.GroupNorm(math.gcd(32, d_hidden), d_hidden),
                    nn.ReLU(),
                ))
            self.scale_heads.append(convs)
        self.predictor = nn.Conv2d(d_hidden, num_classes, 1)

    def forward(self, features: torch.Tensor, output_size: tuple[int, int]) -> torch.Tensor:
        """``(B, d_sem, h, w)`` -> logits ``(B, classes, H, W)``."""
        parts = split_levels(features, self.num_levels)
        sizes = level_sizes(features.shape[-2], features.shape[-1], self.num_levels)
        total = None
        for i, (part, convs) in enumerate(zip(parts, self.scale_heads)):
            x = part
            level = i
            for conv in convs:
                x = conv(x)
                if level > 0:
                    level -= 1
                    x = resize(x, sizes[level])
            total = x if total is None else total + x
        return resize(self.predictor(total), output_size)

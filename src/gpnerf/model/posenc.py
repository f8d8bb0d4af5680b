"""NeRF positional encoding of points and directions (GNT / released: input + sin/cos of 2^k x)."""

import torch
from torch import nn


class PositionalEncoding(nn.Module):
    """``gamma(x) = [x, sin(2^0 x), cos(2^0 x), ..., sin(2^(F-1) x), cos(2^(F-1) x)]``.

    Args:
        num_frequencies: F, the number of octaves.
    """

    def __init__(self, num_frequencies: int) -> None:
        super().__init__()
        if num_frequencies < 0:
            raise ValueError(f"num_frequencies must be >= 0; got {num_frequencies}.")
        self.num_frequencies = num_frequencies

    def d_out(self, d_in: int) -> int:
        """Encoded width for a ``d_in``-vector."""
        return d_in * (1 + 2 * self.num_frequencies)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., d_in)`` -> ``(..., d_in * (1 + 2 F))``, frequency-major as in GNT."""
        parts = [x]
        for k in range(self.num_frequencies):
            scaled = x * (2.0**k)
            parts += [torch.sin(scaled), torch.cos(scaled)]
        return torch.cat(parts, dim=-1)

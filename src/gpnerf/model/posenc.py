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
        """``(..., d_in)`` -> ``(..., d_in * (1 + 2 F))``, frequency-major as in GNT.

        All octaves in one broadcast product, one sin and one cos (a handful of operators instead of
        ``3 F + 1``); bit-identical to :meth:`forward_reference` (scaling by a power of two is exact)."""
        if self.num_frequencies == 0:
            return x
        scales = 2.0 ** torch.arange(self.num_frequencies, dtype=x.dtype, device=x.device)
        scaled = x[..., None, :] * scales[:, None]  # (..., F, d_in)
        octaves = torch.stack([torch.sin(scaled), torch.cos(scaled)], dim=-2)  # (..., F, 2, d_in)
        return torch.cat([x, octaves.flatten(-3)], dim=-1)

    def forward_reference(self, x: torch.Tensor) -> torch.Tensor:
        """The plain per-octave loop of :meth:`forward`."""
        parts = [x]
        for k in range(self.num_frequencies):
            scaled = x * (2.0**k)
            parts += [torch.sin(scaled), torch.cos(scaled)]
        return torch.cat(parts, dim=-1)

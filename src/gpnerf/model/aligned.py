"""Linear layers with their input width zero-padded to a multiple of 8.

cuBLAS's tensor-core kernels want each bf16 operand's leading dimension a multiple of 8 elements (16 bytes); a
``Linear`` whose input width is not (f_P's first layer reads the 4-wide Delta d, ``rgbfeat_fc`` the 35-wide sampled
RGB and F^rgb) sends its product and both gradients' products to the slower unaligned (``align1`` / ``align2``)
kernels. Padding the input and the weight with zero columns gives the same function: the extra products are exact
zeros (benchmarks/gemm_shapes.py lists the unaligned products of a render and a training step).
"""

import torch
from torch import nn

ALIGN = 8
"""bf16 elements per 16 bytes."""


def aligned_linear(layer: nn.Linear, x: torch.Tensor) -> torch.Tensor:
    """``layer(x)`` ``(..., out_features)`` from ``x`` ``(..., in_features)``, with the input width zero-padded to a
    multiple of :data:`ALIGN` (``layer(x)`` itself when it already is one)."""
    pad = -layer.in_features % ALIGN
    if pad == 0:
        return layer(x)
    return nn.functional.linear(nn.functional.pad(x, (0, pad)), nn.functional.pad(layer.weight, (0, pad)), layer.bias)

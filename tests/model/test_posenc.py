"""Positional encoding: the vectorised octaves equal the per-octave reference bit for bit, gradients too."""

import pytest
import torch

from gpnerf.model.posenc import PositionalEncoding


@pytest.mark.parametrize("num_frequencies", [0, 1, 10])
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (7, 4)])
def test_positional_encoding_equals_the_per_octave_reference(num_frequencies, shape):
    torch.manual_seed(0)
    encoding = PositionalEncoding(num_frequencies)
    x = (torch.randn(shape) * 30).requires_grad_()
    y = x.detach().clone().requires_grad_()
    fast, reference = encoding(x), encoding.forward_reference(y)
    assert fast.shape == (*shape[:-1], encoding.d_out(shape[-1]))
    assert torch.equal(fast, reference)
    upstream = torch.randn_like(fast)
    (fast * upstream).sum().backward()
    (reference * upstream).sum().backward()
    torch.testing.assert_close(x.grad, y.grad, rtol=1e-5, atol=1e-5)  # float32 summation order of the octaves differs

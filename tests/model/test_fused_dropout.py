"""The dropout keep-mask kernel (gpnerf.model.fused_dropout) against its PyTorch reference, bit for bit.

The reference implements Philox4x32-10 with PyTorch int64 ops and is itself held to Random123's published
known-answer vectors. On the CPU the kernel runs under the Triton interpreter (a subprocess: this file run as a
script); on the GPU against the same reference. The masks are exact (integers), so every comparison is equality.
"""

import math

import pytest
import torch
from torch import nn

from gpnerf.model import fused_dropout
from gpnerf.model.fused_dropout import MaskedDropout, keep_mask_reference, keep_threshold, philox_reference
from triton_checks import compile_for_hopper_with, needs_cuda, needs_triton, run_interpreted

RANDOM123_PHILOX4X32_10 = [  # (counter, key, output), Random123's kat_vectors
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]
CASES = [(12345, 10001, 0.1), (2**61 + 987654321, 4097, 0.5), (7, 3, 0.1), (2**62 - 1, 8192, 0.0)]
"""(seed, elements, p): more than one program (4,096 elements each), partial last groups of 4, p = 0."""


def test_reference_philox_matches_random123_known_answers():
    for counter, key, output in RANDOM123_PHILOX4X32_10:
        assert philox_reference(torch.tensor([counter]), key)[0].tolist() == list(output)


def test_reference_keeps_each_element_with_probability_one_minus_p():
    for p in (0.1, 0.5):
        numel = 400_000
        kept = keep_mask_reference(20261203, numel, p).double().mean().item()
        expected = 1 - keep_threshold(p) / 2**fused_dropout.DECISION_BITS
        assert abs(expected - (1 - p)) <= 2**-24
        assert abs(kept - expected) <= 6 * math.sqrt(p * (1 - p) / numel), (p, kept)
    first, second = keep_mask_reference(1, 4096, 0.5), keep_mask_reference(2, 4096, 0.5)
    assert not torch.equal(first, second)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        keep_threshold(1.0)


def test_cpu_without_the_interpreter_keeps_nn_dropout(monkeypatch):
    monkeypatch.delenv("TRITON_INTERPRET", raising=False)
    x = torch.randn(6, 7)
    layer = MaskedDropout(0.3).train()
    torch.manual_seed(3)
    got = layer(x)
    torch.manual_seed(3)
    assert torch.equal(got, nn.Dropout(0.3).train()(x))
    assert torch.equal(layer.eval()(x), x)
    assert isinstance(fused_dropout.dropout(0.1, fused=False), nn.Dropout)
    assert type(fused_dropout.dropout(0.1, fused=False)) is nn.Dropout
    assert isinstance(fused_dropout.dropout(0.1, fused=True), MaskedDropout)


@needs_triton
def test_kernel_compiles_for_hopper():
    seed, mask = torch.zeros(1, dtype=torch.int64), torch.empty(100, dtype=torch.bool)
    constants = dict(THRESHOLD=keep_threshold(0.1), BLOCK=fused_dropout.BLOCK_COUNTERS)
    compile_for_hopper_with(fused_dropout._keep_mask_kernel, [seed, mask, 100], constants)


def interpreted_checks() -> None:
    """Run under TRITON_INTERPRET=1: the kernel's mask equals the reference's for each case; the layer's output and
    gradient are the input and the upstream gradient times ``mask / (1 - p)`` with the mask of the seed it drew;
    ``torch.compile`` traces the layer into one graph (the custom op's fake)."""
    for seed, numel, p in CASES:
        mask = fused_dropout.dropout_keep_mask(torch.tensor([seed]), [numel], p)
        assert mask.dtype == torch.bool and mask.shape == (numel,)
        assert torch.equal(mask, keep_mask_reference(seed, numel, p)), (seed, numel, p)
    layer = MaskedDropout(0.25).train()
    x = torch.randn(3, 5, 7, requires_grad=True)
    torch.manual_seed(11)
    y = layer(x)
    torch.manual_seed(11)
    seed = int(torch.randint(2**62, (1,)))
    scale = keep_mask_reference(seed, x.numel(), 0.25).view(x.shape) / 0.75
    assert torch.equal(y, x * scale)
    upstream = torch.randn_like(y)
    y.backward(upstream)
    assert torch.equal(x.grad, upstream * scale)
    compiled = torch.compile(lambda t: layer(t) + 1, backend="aot_eager", fullgraph=True)
    torch.manual_seed(11)
    assert torch.equal(compiled(x.detach()), x.detach() * scale + 1)
    print("interpreted checks passed")


@needs_triton
def test_kernel_under_the_triton_interpreter_matches_the_reference():
    run_interpreted(__file__)


@pytest.mark.gpu
@needs_cuda
def test_kernel_on_the_gpu_matches_the_reference():
    for seed, numel, p in CASES + [(99, 5 * 2**20 + 3, 0.1)]:
        mask = fused_dropout.dropout_keep_mask(torch.tensor([seed], device="cuda"), [numel], p)
        assert torch.equal(mask.cpu(), keep_mask_reference(seed, numel, p)), (seed, numel, p)
    layer = MaskedDropout(0.1).train()
    x = torch.randn(64, 10, 64, device="cuda", dtype=torch.bfloat16)
    kept = (layer(x) != 0).float().mean().item()
    assert abs(kept - 0.9) < 0.01


if __name__ == "__main__":
    interpreted_checks()

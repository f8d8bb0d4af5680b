"""The softmax exponential the Triton kernels share (:func:`gpnerf.model.triton_support.exp_flushed`).

Its one-instruction form is inline PTX, which the Triton interpreter cannot run: on the CPU it is compiled for
sm_90 and its PTX read; on a GPU its values are held to ``torch.exp``. Tolerance: ``4e-6`` relative where the result
is at least 2**-126: both forms round ``x log2(e)`` to float32 (at ``|x log2(e)|`` up to 126 half an ulp is 2**-18,
2.6e-6 relative in the result) and take ``ex2.approx`` (2 ulp); exactly 0 below, where ``torch.exp`` is subnormal or
0 (``tl.exp`` there within 2**-126).
"""

import pytest
import torch

from triton_checks import needs_cuda, needs_triton

SMALLEST_NORMAL = 2.0**-126


def exp_kernel():
    """A one-dimensional kernel writing ``exp_flushed`` of its input (float32)."""
    from gpnerf.model.triton_support import exp_flushed, tl, triton

    @triton.jit
    def _exp_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr, FLUSHING_EXP: tl.constexpr):
        offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        x = tl.load(x_ptr + offsets, mask=offsets < n, other=0.0)
        tl.store(out_ptr + offsets, exp_flushed(x, FLUSHING_EXP), mask=offsets < n)

    return _exp_kernel


def inputs(device: str) -> torch.Tensor:
    """Softmax arguments (``logit - peak <= 0``) from 0 down past float32's subnormal results, and -inf."""
    torch.manual_seed(0)
    x = torch.cat([-torch.rand(100_000) * 110.0, torch.tensor([0.0, -87.0, -87.4, -88.0, -103.0, float("-inf")])])
    return x.to(device)


@needs_triton
def test_the_flushing_form_compiles_to_one_ftz_exponential():
    from gpnerf.model.triton_support import compile_configurations

    types = {"x_ptr": "*fp32", "out_ptr": "*fp32", "n": "i32"}
    for flushing, expected in ((True, 1), (False, 0)):
        (_, compiled), = compile_configurations(exp_kernel(), types, {"BLOCK": 128, "FLUSHING_EXP": flushing}, [0, 1])
        assert compiled.asm["ptx"].count("ex2.approx.ftz.f32") == expected, flushing


@pytest.mark.gpu
@needs_cuda
def test_the_flushing_form_on_the_gpu_matches_torch_exp():
    from gpnerf.model.triton_support import triton

    x = inputs("cuda")
    expected = torch.exp(x)
    for flushing in (True, False):
        got = torch.empty_like(x)
        exp_kernel()[(triton.cdiv(x.numel(), 1024),)](x, got, x.numel(), BLOCK=1024, FLUSHING_EXP=flushing)
        normal = expected >= SMALLEST_NORMAL
        relative = ((got[normal] - expected[normal]).abs() / expected[normal]).max().item()
        assert relative <= 4e-6, (flushing, relative)
        if flushing:
            assert (got[~normal] == 0).all()
        else:
            assert (got[~normal] - expected[~normal]).abs().max().item() <= SMALLEST_NORMAL

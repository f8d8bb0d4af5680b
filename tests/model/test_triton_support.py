"""The softmax exponential of gpnerf's Triton kernels: ``tl.exp2`` of scores in base 2
(:data:`gpnerf.model.triton_support.LOG2E`), and :func:`gpnerf.model.triton_support.exp2_opaque`, the same
instruction as inline PTX.

The kernels rely on two properties of the pinned Triton's ``tl.exp2`` for float32 (and of ``exp2_opaque``'s
inline form): for sm_90 it is one ``ex2.approx.ftz.f32`` and no product (``tl.exp`` is a product by ``log2(e)`` and four instructions that keep
subnormal results), read from its PTX on the CPU; and on a GPU its values are within ``1e-6`` relative of
``torch.exp2`` where the result is at least 2**-126 (``ex2.approx`` is within 2 ulp, 2.4e-7) and exactly 0 below
(flushed: weights zero to float32 precision beside the largest, which is 1).

:func:`gpnerf.model.triton_support.round_to_bf16` in both forms: the paired one compiles to ``cvt.rn.bf16x2.f32`` (the
other to ``cvt.rn.bf16.f32`` an element), and on a GPU both equal ``torch``'s rounding to bf16 bit for bit, as bf16
and as float32, ties and the masked logit included. :func:`gpnerf.model.triton_support.relu_to` likewise: the paired
form is one ``cvt.rn.relu.bf16x2.f32`` a pair, and on a GPU both give ``torch.relu`` rounded to bf16. And
:func:`gpnerf.model.triton_support.widen_bf16`: a shift and a mask a pair, on a GPU bit for bit ``Tensor.float()``.
"""

import pytest
import torch

from triton_checks import needs_cuda, needs_triton

SMALLEST_NORMAL = 2.0**-126


FORMS = {"tl.exp2": {"OPAQUE": False}, "exp2_opaque": {"OPAQUE": True}}
"""The exponential's two compiled forms, as the kernel below's constants (``exp2_opaque`` with ``OPAQUE`` False is
``tl.exp2``)."""


def exp2_kernel():
    """A one-dimensional kernel writing ``exp2_opaque`` of its input (float32)."""
    from gpnerf.model.triton_support import exp2_opaque, tl, triton

    @triton.jit
    def _exp2_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr, OPAQUE: tl.constexpr):
        offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        x = tl.load(x_ptr + offsets, mask=offsets < n, other=0.0)
        tl.store(out_ptr + offsets, exp2_opaque(x, OPAQUE), mask=offsets < n)

    return _exp2_kernel


def inputs(device: str) -> torch.Tensor:
    """Softmax arguments in base 2 (``logit - peak <= 0``) from 0 down past float32's subnormal results, and -inf."""
    torch.manual_seed(0)
    x = torch.cat([-torch.rand(100_000) * 160.0, torch.tensor([0.0, -126.0, -126.5, -127.0, -149.0, float("-inf")])])
    return x.to(device)


@needs_triton
@pytest.mark.parametrize("form", FORMS)
def test_exp2_compiles_to_one_ftz_exponential_and_no_product(form):
    from gpnerf.model.triton_support import compile_configurations

    types = {"x_ptr": "*fp32", "out_ptr": "*fp32", "n": "i32"}
    (_, compiled), = compile_configurations(exp2_kernel(), types, {"BLOCK": 128, **FORMS[form]}, [0, 1])
    ptx = compiled.asm["ptx"]
    assert ptx.count("ex2.approx.ftz.f32") == 1 and "mul.f32" not in ptx and "mul.rn.f32" not in ptx


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("form", FORMS)
def test_exp2_on_the_gpu_matches_torch_exp2_and_flushes_below_the_smallest_normal(form):
    from gpnerf.model.triton_support import triton

    x = inputs("cuda")
    expected = torch.exp2(x)
    got = torch.empty_like(x)
    exp2_kernel()[(triton.cdiv(x.numel(), 1024),)](x, got, x.numel(), BLOCK=1024, **FORMS[form])
    normal = expected >= SMALLEST_NORMAL
    relative = ((got[normal] - expected[normal]).abs() / expected[normal]).max().item()
    assert relative <= 1e-6, relative
    assert (got[~normal] == 0).all()


ROUNDINGS = {".to": {"PAIRED": False}, "paired": {"PAIRED": True}}
""":func:`gpnerf.model.triton_support.round_to_bf16`'s two forms, as the kernel below's constants."""


def rounding_kernel():
    """A one-dimensional kernel writing ``round_to_bf16`` of its input as bf16 and as float32."""
    from gpnerf.model.triton_support import round_to_bf16, tl, triton

    @triton.jit
    def _rounding_kernel(x_ptr, bf16_ptr, float_ptr, n, BLOCK: tl.constexpr, PAIRED: tl.constexpr):
        offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        x = tl.load(x_ptr + offsets, mask=offsets < n, other=0.0)
        rounded, as_float = round_to_bf16(x, PAIRED)
        tl.store(bf16_ptr + offsets, rounded, mask=offsets < n)
        tl.store(float_ptr + offsets, as_float, mask=offsets < n)

    return _rounding_kernel


def rounding_inputs(device: str) -> torch.Tensor:
    """float32 values of every magnitude and sign, ties between bf16 neighbours (both parities), the masked logit,
    zeros and infinities."""
    torch.manual_seed(0)
    bf16 = torch.randn(50_000).to(torch.bfloat16).float()
    half_ulp = torch.ldexp(torch.ones(50_000), torch.frexp(bf16)[1] - 9)  # half a bf16 ulp (8 mantissa bits)
    special = [0.0, -0.0, float("inf"), float("-inf"), torch.finfo(torch.bfloat16).min, torch.finfo(torch.float32).min]
    x = torch.cat([
        torch.randn(50_000) * torch.exp2(torch.randint(-40, 40, (50_000,)).float()), bf16 + half_ulp, bf16 - half_ulp,
        torch.tensor(special),
    ])
    return x.to(device)


@needs_triton
def test_paired_rounding_compiles_to_pairs_and_to_to_single_conversions():
    from gpnerf.model.triton_support import compile_configurations

    types = {"x_ptr": "*fp32", "bf16_ptr": "*bf16", "float_ptr": "*fp32", "n": "i32"}
    for form, paired in (("paired", True), (".to", False)):
        (_, compiled), = compile_configurations(rounding_kernel(), types, {"BLOCK": 128, **ROUNDINGS[form]}, [0, 1, 2])
        ptx = compiled.asm["ptx"]
        assert ("cvt.rn.bf16x2.f32" in ptx) == paired and ("cvt.rn.bf16.f32" in ptx) == (not paired), form


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("form", ROUNDINGS)
def test_rounding_on_the_gpu_equals_torch_to_bf16_bit_for_bit(form):
    from gpnerf.model.triton_support import triton

    x = rounding_inputs("cuda")
    rounded = torch.empty_like(x, dtype=torch.bfloat16)
    as_float = torch.empty_like(x)
    rounding_kernel()[(triton.cdiv(x.numel(), 1024),)](x, rounded, as_float, x.numel(), BLOCK=1024, **ROUNDINGS[form])
    expected = x.to(torch.bfloat16)
    assert torch.equal(rounded.view(torch.int16), expected.view(torch.int16))
    assert torch.equal(as_float.view(torch.int32), expected.float().view(torch.int32))


RELUS = {"max and .to": {"PAIRED": False}, "paired": {"PAIRED": True}}
""":func:`gpnerf.model.triton_support.relu_to`'s two forms (to bf16), as the kernel below's constants."""


def relu_kernel():
    """A one-dimensional kernel writing ``relu_to(x, bf16)`` of its input."""
    from gpnerf.model.triton_support import relu_to, tl, triton

    @triton.jit
    def _relu_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr, PAIRED: tl.constexpr):
        offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        x = tl.load(x_ptr + offsets, mask=offsets < n, other=0.0)
        tl.store(out_ptr + offsets, relu_to(x, tl.bfloat16, PAIRED), mask=offsets < n)

    return _relu_kernel


@needs_triton
def test_paired_relu_compiles_to_one_clamping_conversion_a_pair():
    from gpnerf.model.triton_support import compile_configurations

    types = {"x_ptr": "*fp32", "out_ptr": "*bf16", "n": "i32"}
    for form, paired in (("paired", True), ("max and .to", False)):
        (_, compiled), = compile_configurations(relu_kernel(), types, {"BLOCK": 128, **RELUS[form]}, [0, 1])
        ptx = compiled.asm["ptx"]
        assert ("cvt.rn.relu.bf16x2.f32" in ptx) == paired and ("max.f32" in ptx) == (not paired), form


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("form", RELUS)
def test_relu_on_the_gpu_equals_torch_relu_then_bf16(form):
    from gpnerf.model.triton_support import triton

    x = rounding_inputs("cuda")
    x = x[~torch.isinf(x)]  # relu(+-inf) aside: a Linear output is finite
    got = torch.empty_like(x, dtype=torch.bfloat16)
    relu_kernel()[(triton.cdiv(x.numel(), 1024),)](x, got, x.numel(), BLOCK=1024, **RELUS[form])
    expected = torch.relu(x).to(torch.bfloat16)
    assert torch.equal(got.float(), expected.float())  # the same values (a zero's sign aside: it feeds a product)


WIDENINGS = {".to": {"PAIRED": False}, "paired": {"PAIRED": True}}
""":func:`gpnerf.model.triton_support.widen_bf16`'s two forms, as the kernel below's constants."""


def widening_kernel():
    """A one-dimensional kernel writing ``widen_bf16`` of its bf16 input as float32."""
    from gpnerf.model.triton_support import tl, triton, widen_bf16

    @triton.jit
    def _widening_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr, PAIRED: tl.constexpr):
        offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        x = tl.load(x_ptr + offsets, mask=offsets < n, other=0.0)
        tl.store(out_ptr + offsets, widen_bf16(x, PAIRED), mask=offsets < n)

    return _widening_kernel


@needs_triton
def test_paired_widening_compiles_to_a_shift_and_a_mask_a_pair():
    from gpnerf.model.triton_support import compile_configurations

    types = {"x_ptr": "*bf16", "out_ptr": "*fp32", "n": "i32"}
    (_, compiled), = compile_configurations(widening_kernel(), types, {"BLOCK": 128, **WIDENINGS["paired"]}, [0, 1])
    ptx = compiled.asm["ptx"]
    assert "and.b32" in ptx and "0xffff0000" in ptx.lower() and "cvt.f32.bf16" not in ptx


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("form", WIDENINGS)
def test_widening_on_the_gpu_equals_torch_float_bit_for_bit(form):
    from gpnerf.model.triton_support import triton

    x = rounding_inputs("cuda").to(torch.bfloat16)  # every magnitude and sign, zeros, infinities
    got = torch.empty_like(x, dtype=torch.float32)
    widening_kernel()[(triton.cdiv(x.numel(), 1024),)](x, got, x.numel(), BLOCK=1024, **WIDENINGS[form])
    assert torch.equal(got.view(torch.int32), x.float().view(torch.int32))


@needs_triton
def test_launch_configs_carry_a_register_limit_where_a_shape_gives_one(monkeypatch):
    from gpnerf.model.triton_support import launch_configs

    monkeypatch.delenv("TRITON_INTERPRET", raising=False)  # the interpreter's single configuration otherwise
    unlimited, limited, zero = launch_configs({}, [({"B": 16}, 2), ({"B": 16}, 2, 168), ({"B": 32}, 4, 0)])
    assert (unlimited.num_warps, unlimited.maxnreg) == (2, None)
    assert (limited.kwargs, limited.num_warps, limited.maxnreg) == ({"B": 16}, 2, 168)
    assert (zero.num_warps, zero.maxnreg) == (4, None)


@needs_triton
def test_products_go_to_the_kernels_in_reduced_precision_and_in_float32_only_when_asked(monkeypatch):
    """Where kernels can run (the interpreter's CPU tensors here), float32 passes (no autocast) keep their products
    out of the kernels unless ``float32_kernels``; bf16 tensors and bf16 autocast always hand them over (the
    kernels' fast path on the GPU). Where none can run (no interpreter on the CPU, the meta device), never."""
    from gpnerf.model.triton_support import products_in_kernels

    x = torch.randn(4, 8)
    monkeypatch.delenv("TRITON_INTERPRET", raising=False)
    assert not products_in_kernels(x.bfloat16(), True)
    assert not products_in_kernels(torch.empty(4, 8, device="meta", dtype=torch.bfloat16), True)
    monkeypatch.setenv("TRITON_INTERPRET", "1")
    assert not products_in_kernels(x, False) and products_in_kernels(x, True)
    assert products_in_kernels(x.bfloat16(), False)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert products_in_kernels(x, False)

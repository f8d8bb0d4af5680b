"""The fused Triton embedding kernel (rgbfeat_fc and the max over views) against the PyTorch ops
(docs/performance.md, "Fused input embedding").

On the CPU the kernel runs under the Triton interpreter (``TRITON_INTERPRET=1``, in a subprocess: this file run as
a script); float32 only there, bf16 on the GPU. Every launch configuration is also compiled for sm_90 on the CPU
with the pinned Triton. Tolerances: float32 ``1e-5`` relative (only the order of float32 sums differs); bf16
``1e-2`` relative (the same rounding points as autocast; cuBLAS and the kernel sum in different orders, so a bf16
rounding may flip). X_0 is the max of X_rgb over views in both paths.
"""

import pytest
import torch

from gpnerf.model import PRESETS
from gpnerf.model.transformer import embed_points
from triton_checks import compile_for_hopper_with, needs_cuda, needs_triton, run_interpreted

PAPER_INPUT_WIDTH = 3 + PRESETS["paper-scannet"].encoder.d_rgb_features
"""The paper preset's sampled RGB + F^rgb per view (3 colours and 32 features)."""


def embedding_module(d_in: int = PAPER_INPUT_WIDTH, d: int = 64, device: str = "cpu", seed: int = 0) -> torch.nn.Sequential:
    """``rgbfeat_fc`` as the stack builds it, with random biases (not the initialisation's)."""
    torch.manual_seed(seed)
    module = torch.nn.Sequential(torch.nn.Linear(d_in, d), torch.nn.ReLU(), torch.nn.Linear(d, d)).to(device)
    with torch.no_grad():
        for layer in (module[0], module[2]):
            layer.bias.copy_(torch.randn_like(layer.bias) * 0.3)
    return module


def compare_fused_with_pytorch(module, shape, tolerance: float, device: str = "cpu", token_dtype=torch.float32,
                               autocast_dtype: torch.dtype | None = None) -> None:
    """``embed_points`` with the kernel and without on random tokens ``shape + (d_in,)``: X_rgb and X_0."""
    from gpnerf.model.posenc import PositionalEncoding

    rays, samples, views = shape
    tokens = torch.randn(rays, samples, views, module[0].in_features, device=device).to(token_dtype)
    xyz, direction = torch.randn(rays, samples, 3, device=device), torch.randn(rays, 3, device=device)
    posenc = PositionalEncoding(4)
    with torch.no_grad(), torch.autocast(device, dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None):
        got = embed_points(module, posenc, tokens, xyz, direction, fused=True)
        expected = embed_points(module, posenc, tokens, xyz, direction, fused=False)
    for name, a, b in zip(("tokens", "query", "pe_xyz", "pe_dir"), got, expected):
        assert a.shape == b.shape and a.dtype == b.dtype, (name, a.shape, b.shape, a.dtype, b.dtype)
        error = float((a.double() - b.double()).norm() / b.double().norm())
        assert error <= tolerance, (name, shape, error)


def interpreted_checks() -> None:
    """Run under TRITON_INTERPRET=1: float32, the paper's widths and narrow ones, point counts that leave a partial
    block, one view."""
    from gpnerf.model import fused_embedding

    calls = []
    original = fused_embedding._fused_embedding_kernel.run

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    fused_embedding._fused_embedding_kernel.run = counted
    for d_in, d, shape in ((PAPER_INPUT_WIDTH, 64, (3, 7, 10)), (7, 16, (1, 5, 3)), (40, 32, (2, 9, 1))):
        compare_fused_with_pytorch(embedding_module(d_in, d), shape, 1e-5)
    assert len(calls) == 3, calls  # the kernel ran, once per comparison
    print("interpreted checks passed")


@needs_triton
def test_fused_kernel_under_the_triton_interpreter_matches_the_pytorch_ops():
    run_interpreted(__file__)


@needs_triton
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float32])
def test_kernel_compiles_for_hopper_in_every_launch_configuration(dtype):
    from gpnerf.model import fused_embedding as fused

    tokens = torch.randn(8, 10, PAPER_INPUT_WIDTH, dtype=dtype)
    arguments, constants = fused.kernel_arguments(tokens, embedding_module(), dtype)
    compile_for_hopper_with(fused._fused_embedding_kernel, arguments, constants)


@needs_triton
def test_supported_shapes(monkeypatch):
    """The kernel takes what fits its design (checked as under the interpreter, where CPU tensors qualify)."""
    from gpnerf.model.fused_embedding import fused_embedding_supported

    monkeypatch.setenv("TRITON_INTERPRET", "1")
    assert fused_embedding_supported(torch.zeros(5, 10, 35), embedding_module())
    assert fused_embedding_supported(torch.zeros(5, 1, 128, dtype=torch.bfloat16), embedding_module(128, 128))
    assert not fused_embedding_supported(torch.zeros(5, 10, 129), embedding_module(129))  # input too wide
    assert not fused_embedding_supported(torch.zeros(5, 10, 35), embedding_module(35, 48))  # not a power of two
    assert not fused_embedding_supported(torch.zeros(5, 10, 35), embedding_module(35, 256))  # too wide
    assert not fused_embedding_supported(torch.zeros(5, 10, 35, dtype=torch.float64), embedding_module())
    assert not fused_embedding_supported(torch.zeros(50, 35), embedding_module())  # no views axis


def test_cpu_keeps_the_pytorch_ops_and_rejects_the_kernel():
    from gpnerf.model.fused_embedding import fused_embedding, fused_embedding_supported

    module = embedding_module(7, 16)
    tokens = torch.randn(5, 3, 7)
    if fused_embedding_supported(tokens, module):
        pytest.skip("the Triton interpreter is on in this process")
    with pytest.raises(ValueError, match="fused_embedding needs Triton and CUDA"):
        fused_embedding(tokens, module)
    compare_fused_with_pytorch(module, (2, 5, 3), 0.0)  # the PyTorch ops on both sides


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_fused_kernel_on_the_gpu_matches_the_pytorch_ops(precision):
    """bf16 tokens under bf16 autocast (the model's case: the sampling kernel stores them in bf16), and float32."""
    token_dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    autocast_dtype = torch.bfloat16 if precision == "bf16" else None
    tolerance = 1e-5 if precision == "fp32" else 1e-2
    for d_in, d, shape in ((PAPER_INPUT_WIDTH, 64, (4800, 64, 10)), (7, 16, (5, 7, 3)), (40, 128, (3, 5, 1))):
        module = embedding_module(d_in, d, "cuda")
        compare_fused_with_pytorch(module, shape, tolerance, "cuda", token_dtype, autocast_dtype)


if __name__ == "__main__":
    interpreted_checks()

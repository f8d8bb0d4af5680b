"""The fused Triton block-tail kernel (out_fc, residual, ff_norm, feed-forward, residual) against the PyTorch ops
(docs/performance.md, "Fused block tail").

On the CPU the kernel runs under the Triton interpreter (``TRITON_INTERPRET=1``, in a subprocess: this file run as
a script); float32 only there, bf16 on the GPU. Every launch configuration is also compiled for sm_90 on the CPU
with the pinned Triton. Tolerances: float32 ``1e-5`` relative (only the order of float32 sums differs); bf16
``1e-2`` relative (the same rounding points as autocast; cuBLAS and the kernel sum in different orders, and a
bf16 rounding that flips propagates through the residual stream). The same for the kernel with a q_fc applied to its
output (``query_update``) against the PyTorch tail followed by ``update_query_projected``, and (interpreter) a whole
render with the FAT blocks' tails and their q_fcs in the kernel against the PyTorch ops, 1e-4.
"""

from dataclasses import replace

import pytest
import torch

from gpnerf.model import PRESETS
from gpnerf.model.field_aggregation import block_tail, feed_forward
from gpnerf.model.fused_feed_forward import QueryUpdate
from gpnerf.model.transformer import update_query_projected
from triton_checks import compile_for_hopper_with, needs_cuda, needs_triton, run_interpreted


def tail_modules(d: int = 64, multiplier: int = 4, device: str = "cpu", seed: int = 0):
    """A paper-preset block's tail modules with random affine norm parameters and biases (not the initialisation)."""
    torch.manual_seed(seed)
    config = replace(PRESETS["paper-scannet"].transformer, d_rgb=d, ff_multiplier=multiplier)
    out_fc, out_dropout = torch.nn.Linear(d, d), torch.nn.Dropout(config.dropout)
    ff_norm, ff = torch.nn.LayerNorm(d), feed_forward(d, config.ff_multiplier, config.dropout)
    modules = torch.nn.ModuleList([out_fc, out_dropout, ff_norm, ff]).to(device).eval()
    with torch.no_grad():
        for p in modules.parameters():
            p.copy_(torch.randn_like(p) * (0.3 if p.dim() == 1 else p.shape[-1] ** -0.5))
    return modules


def compare_fused_with_pytorch(modules, shape, tolerance: float, device: str = "cpu", x_dtype=torch.float32,
                               autocast_dtype: torch.dtype | None = None) -> None:
    d = modules[0].in_features
    x = (torch.randn(*shape, d, device=device) * 2).to(x_dtype)
    attended = torch.randn(*shape, d, device=device).to(autocast_dtype or x_dtype)
    with torch.no_grad(), torch.autocast(device, dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None):
        got = block_tail(x, attended, *modules, fused=True)
        expected = block_tail(x, attended, *modules, fused=False)
    assert got.shape == expected.shape and got.dtype == expected.dtype, (got.dtype, expected.dtype)
    error = float((got.double() - expected.double()).norm() / expected.double().norm())
    assert error <= tolerance, (shape, d, error)


def query_update(d: int, updates: int = 4, shape: tuple[int, ...] = (3, 7), device: str = "cpu", seed: int = 1):
    """A q_fc as the stack builds it (the paper's PE widths, random biases) and its position terms: column slices of
    ``updates`` q_fcs' ``(rays, samples, updates d)`` PE(x) terms and ``(rays, 1, updates d)`` PE(d) terms, as the
    model passes them (rows strided; a flat ``(rows,)`` shape: a ray a row)."""
    torch.manual_seed(seed)
    d_pe = 63
    q_fc = torch.nn.Sequential(torch.nn.Linear(d + 2 * d_pe, d), torch.nn.ReLU(), torch.nn.Linear(d, d)).to(device)
    with torch.no_grad():
        for layer in (q_fc[0], q_fc[2]):
            layer.bias.copy_(torch.randn_like(layer.bias) * 0.3)
    terms = torch.randn(*shape, updates * d, device=device)
    ray_terms = torch.randn(*shape[:1], *[1] * (len(shape) - 1), updates * d, device=device)
    return QueryUpdate(q_fc, terms[..., d:2 * d], ray_terms[..., d:2 * d])


def in_dtype(update: QueryUpdate, dtype: torch.dtype) -> QueryUpdate:
    """``update`` with its terms in ``dtype``."""
    return replace(update, point_terms=update.point_terms.to(dtype), ray_terms=update.ray_terms.to(dtype))


def compare_query_update_with_pytorch(modules, shape, tolerance: float, device: str = "cpu", x_dtype=torch.float32,
                                      autocast_dtype: torch.dtype | None = None) -> None:
    """The kernel with a q_fc on its output against the PyTorch tail, then ``update_query_projected``."""
    d = modules[0].in_features
    x = (torch.randn(*shape, d, device=device) * 2).to(x_dtype)
    attended = torch.randn(*shape, d, device=device).to(autocast_dtype or x_dtype)
    update = query_update(d, shape=shape, device=device)
    with torch.no_grad(), torch.autocast(device, dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None):
        update = in_dtype(update, autocast_dtype or torch.float32)
        got = block_tail(x, attended, *modules, fused=True, query_update=update)
        tail = block_tail(x, attended, *modules, fused=False)
        expected = update_query_projected(update.q_fc, tail, update.point_terms, update.ray_terms)
    assert got.shape == expected.shape and got.dtype == expected.dtype, (got.dtype, expected.dtype)
    error = float((got.double() - expected.double()).norm() / expected.double().norm())
    assert error <= tolerance, (shape, d, error)


def render_with_query_updates_in_the_tail_matches() -> None:
    """A small fast model's render with its FAT blocks' tails (and so their q_fcs) in the kernel, the rest in PyTorch
    ops (the other kernels are slow under the interpreter), against the PyTorch ops alone: float32, 1e-4."""
    from model_helpers import render_with_kernels_matches, small_config

    def tails_on(model) -> None:
        for block in model.transformer.field_blocks:
            block.fused_tail = True

    torch.manual_seed(0)
    config = replace(small_config(d_rgb=16, d_fpn=16, num_layers=3), implementation="fast", fused_kernels=False)
    render_with_kernels_matches(replace(config, transformer=replace(config.transformer, q_fc_every=2)), tails_on, 1e-4)


def interpreted_checks() -> None:
    """Run under TRITON_INTERPRET=1: float32, the paper's width and 4x hidden layer, a narrow one with a 2x hidden
    layer (32-wide slices), row counts that leave a partial block; with a q_fc on the output; a whole render with
    the FAT blocks' tails and q_fcs in the kernel."""
    for d, multiplier, shape in ((64, 4, (3, 7)), (16, 2, (1, 5)), (32, 1, (2, 9))):
        compare_fused_with_pytorch(tail_modules(d, multiplier), shape, 1e-5)
    for d, multiplier, shape in ((64, 4, (3, 7)), (16, 2, (1, 5))):
        compare_query_update_with_pytorch(tail_modules(d, multiplier), shape, 1e-5)
    render_with_query_updates_in_the_tail_matches()
    print("interpreted checks passed")


@needs_triton
def test_fused_kernel_under_the_triton_interpreter_matches_the_pytorch_ops():
    run_interpreted(__file__)


@needs_triton
@pytest.mark.parametrize("dtype, d, with_update", [
    (torch.bfloat16, 64, False), (torch.float32, 64, False), (torch.bfloat16, 128, False), (torch.bfloat16, 64, True),
])
def test_kernel_compiles_for_hopper_in_every_launch_configuration(dtype, d, with_update):
    """The paper's width and the widest the kernel takes (bf16 only: float32's exact products take ~2 minutes of a
    CPU to compile there); the paper's width with a q_fc on the output."""
    from gpnerf.model import fused_feed_forward as fused

    modules = tail_modules(d)
    x = torch.randn(8, d, dtype=dtype)
    update = None
    if with_update:
        update = in_dtype(query_update(d, shape=(8,)), dtype)
    arguments, constants = fused.kernel_arguments(x, x, modules[0], modules[2], modules[3], dtype, update)
    kernel = fused._fused_block_tail_kernel
    compile_for_hopper_with(kernel, arguments, constants)


@needs_triton
def test_supported_shapes(monkeypatch):
    """The kernel takes what fits its design (checked as under the interpreter, where CPU tensors qualify)."""
    from gpnerf.model.fused_feed_forward import fused_block_tail_supported

    monkeypatch.setenv("TRITON_INTERPRET", "1")
    assert fused_block_tail_supported(torch.zeros(5, 64), feed_forward(64, 4, 0.0))
    assert fused_block_tail_supported(torch.zeros(5, 128, dtype=torch.bfloat16), feed_forward(128, 1, 0.0))
    assert not fused_block_tail_supported(torch.zeros(5, 256), feed_forward(256, 1, 0.0))  # rows too wide
    assert not fused_block_tail_supported(torch.zeros(5, 48), feed_forward(48, 4, 0.0))  # not a power of two
    assert not fused_block_tail_supported(torch.zeros(5, 16), torch.nn.Sequential(torch.nn.Linear(16, 24)))  # hidden
    assert not fused_block_tail_supported(torch.zeros(5, 64, dtype=torch.float64), feed_forward(64, 4, 0.0))


def test_query_update_asks_the_stream_in_the_compute_dtype_and_terms_of_the_rows_shape():
    """The kernel reads the residual stream's dtype from its result's, which a q_fc makes the compute dtype: a
    float32 stream under bf16 products, point terms of another shape, or ray terms that do not divide the rows into
    rays or differ in dtype, are refused before any launch."""
    from gpnerf.model import fused_feed_forward as fused

    modules = tail_modules(16, 2)
    update = query_update(16, shape=(5,))
    with pytest.raises(ValueError, match="residual stream in the compute dtype"):
        fused.kernel_arguments(torch.zeros(5, 16), torch.zeros(5, 16), modules[0], modules[2], modules[3],
                               torch.bfloat16, update)
    with pytest.raises(ValueError, match="point_terms must be"):
        fused.kernel_arguments(torch.zeros(4, 16), torch.zeros(4, 16), modules[0], modules[2], modules[3],
                               torch.float32, update)
    for ray_terms in (update.ray_terms[:2], update.ray_terms.double(), update.ray_terms[:, None]):
        with pytest.raises(ValueError, match="ray_terms must be"):
            fused.kernel_arguments(torch.zeros(5, 16), torch.zeros(5, 16), modules[0], modules[2], modules[3],
                                   torch.float32, replace(update, ray_terms=ray_terms))


def test_cpu_keeps_the_pytorch_ops_and_rejects_the_kernel():
    from gpnerf.model.fused_feed_forward import fused_block_tail, fused_block_tail_supported

    modules = tail_modules(16, 2)
    x = torch.randn(5, 16)
    if fused_block_tail_supported(x, modules[3]):
        pytest.skip("the Triton interpreter is on in this process")
    with pytest.raises(ValueError, match="fused_block_tail needs Triton and CUDA"):
        fused_block_tail(x, x, modules[0], modules[2], modules[3])
    with torch.no_grad():
        assert torch.equal(block_tail(x[None], x[None], *modules, fused=True), block_tail(x[None], x[None], *modules, fused=False))
        with pytest.raises(ValueError, match="only in its kernel"):
            block_tail(x[None], x[None], *modules, fused=True, query_update=query_update(16, shape=(1, 5)))


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("precision", ["fp32", "bf16-stream", "fp32-stream-bf16-compute"])
def test_fused_kernel_on_the_gpu_matches_the_pytorch_ops(precision):
    """The residual stream in bf16 under bf16 autocast (the model's case), in float32 under autocast, and float32."""
    x_dtype = torch.bfloat16 if precision == "bf16-stream" else torch.float32
    autocast_dtype = None if precision == "fp32" else torch.bfloat16
    tolerance = 1e-5 if precision == "fp32" else 1e-2
    for d, multiplier, shape in ((64, 4, (4800, 64)), (64, 4, (7, 48)), (16, 2, (5, 7)), (128, 1, (3, 5))):
        compare_fused_with_pytorch(tail_modules(d, multiplier, "cuda"), shape, tolerance, "cuda", x_dtype, autocast_dtype)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("precision", ["fp32", "bf16-stream"])
def test_fused_kernel_with_a_query_update_on_the_gpu_matches_the_pytorch_ops(precision):
    """The kernel with a q_fc on its output: float32 1e-5, bf16 under autocast 1e-2 (the block tail's tolerance)."""
    x_dtype, autocast_dtype, tolerance = (
        (torch.float32, None, 1e-5) if precision == "fp32" else (torch.bfloat16, torch.bfloat16, 1e-2)
    )
    for d, multiplier, shape in ((64, 4, (4800, 64)), (64, 4, (7, 48)), (16, 2, (5, 7))):
        compare_query_update_with_pytorch(tail_modules(d, multiplier, "cuda"), shape, tolerance, "cuda", x_dtype,
                                          autocast_dtype)


if __name__ == "__main__":
    interpreted_checks()


def test_relu_of_the_rounded_hidden_layer_is_the_rounded_relu():
    """The kernel takes the ReLU in float32 and rounds after (one conversion an element; autocast's order is round,
    then ReLU): the same bf16 values, as rounding to nearest is monotonic and keeps 0 (magnitudes, signs, ties)."""
    torch.manual_seed(0)
    bf16 = torch.randn(100_000).to(torch.bfloat16).float()
    half_ulp = torch.ldexp(torch.ones_like(bf16), torch.frexp(bf16)[1] - 9)
    hidden = torch.cat([torch.randn(100_000) * torch.exp2(torch.randint(-30, 30, (100_000,)).float()), bf16 + half_ulp,
                        bf16 - half_ulp, torch.tensor([0.0, -0.0, -1e-40, 1e-40])])
    assert torch.equal(torch.relu(hidden.to(torch.bfloat16)), torch.relu(hidden).to(torch.bfloat16))

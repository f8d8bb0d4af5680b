"""The fused Triton RAT kernel (norm, projections, attention) against the PyTorch RAT block (docs/performance.md,
"Fused RAT kernel").

On the CPU the kernel runs under the Triton interpreter (``TRITON_INTERPRET=1``, read when Triton compiles a
function, so it runs in a subprocess: this file run as a script). The interpreter computes float32 only, so bf16
is checked on the GPU. Every launch configuration is also compiled for sm_90 on the CPU with the pinned Triton.
Tolerances: float32 ``1e-5`` relative (only the order of the float32 sums differs); bf16 ``2e-2`` relative (the
PyTorch path rounds the map to bf16 before ``A V``, its column means and its first row; the kernel keeps it in
float32 and rounds it only as ``A V``'s operand).
"""

from dataclasses import replace

import pytest
import torch

from gpnerf.model import PRESETS
from gpnerf.model.ray_aggregation import RayAggregationTransformer
from triton_checks import compile_for_hopper_with, needs_cuda, needs_triton, run_interpreted


def rat_block(d_rgb: int = 64, heads: int = 4, shape: tuple[int, int] = (3, 48), device: str = "cpu", seed: int = 0):
    """A paper-preset fast RAT block (eval mode, fused, float32 passes too) and a random input ``(rays, samples,
    d_rgb)``."""
    torch.manual_seed(seed)
    config = replace(PRESETS["paper-scannet"].transformer, d_rgb=d_rgb, num_heads=heads)
    block = RayAggregationTransformer(config, compute_dtype_attention=True, fused_inference=True, float32_kernels=True)
    block = block.to(device).eval()
    return block, torch.randn(*shape, d_rgb, device=device)


def relative(got: torch.Tensor, expected: torch.Tensor) -> float:
    got, expected = got.detach().double(), expected.detach().double()
    return float((got - expected).norm() / expected.norm())


def compare_fused_with_pytorch(block, x, tolerance: float, autocast_dtype: torch.dtype | None = None) -> None:
    """Fused (no grad) against the PyTorch ops (grad enabled, so the block keeps them) on the same input."""
    device = x.device.type
    with torch.autocast(device, dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None):
        with torch.no_grad():
            fused_x, fused = block(x)
        plain_x, plain = block(x)
    assert fused.attention is None and plain.attention is not None, "the fused kernel did not run (or ran with grad)"
    assert fused_x.dtype == plain_x.dtype and fused_x.shape == plain_x.shape
    pairs = {
        "x": (fused_x, plain_x),
        "column_means": (fused.column_means(), plain.column_means()),
        "first_rows": (fused.first_rows(), plain.first_rows()),
    }
    for name, (got, expected) in pairs.items():
        assert got.shape == expected.shape, name
        error = relative(got, expected)
        assert error <= tolerance, (name, error)
    rows = plain.attention.shape[2]
    assert torch.allclose(fused.column_means().sum(-1), torch.ones(()), atol=1e-3 * rows)  # rows of A sum to 1


def interpreted_checks() -> None:
    """Run under TRITON_INTERPRET=1: float32; the paper's width and sample counts, a head narrower than the
    smallest product (8 -> 16), sample counts that are not powers of two, a single sample; then a whole render of
    a small fast model with the RAT kernel against the PyTorch ops, with both kinds of per-point weights (the
    read-out and the semantic fold take the kernel's summaries instead of the maps)."""
    for d_rgb, heads, shape in ((64, 4, (3, 48)), (64, 4, (2, 64)), (32, 4, (2, 17)), (16, 1, (1, 5)), (32, 2, (2, 1))):
        block, x = rat_block(d_rgb, heads, shape)
        compare_fused_with_pytorch(block, x, 1e-5)
    block, x = rat_block(64, 4, (2, 48))
    with torch.no_grad():
        full_x, full = block(x)
        for with_column_mean, with_first_row in ((True, False), (False, True), (False, False)):
            part_x, part = block(x, with_column_mean, with_first_row)
            assert torch.equal(part_x, full_x)  # the summaries do not touch the block's output
            for wanted, summary, read, name in (
                (with_column_mean, part.column_mean, part.column_means, "column means"),
                (with_first_row, part.first_row, part.first_rows, "first rows"),
            ):
                if wanted:
                    assert torch.equal(read(), (full.column_means if read == part.column_means else full.first_rows)())
                else:
                    assert summary is None
                    with pytest.raises(ValueError, match=f"{name} were not computed"):
                        read()
    from gpnerf.model import fused_ray_attention as fused

    block, x = rat_block(64, 4, (2, 64))  # samples == S_PAD: FULL, no mask; the masked form gives the same bits
    outputs = []
    for full in (True, False):
        arguments, constants = fused.kernel_arguments(
            x, block.attn_norm, torch.cat([block.q_fc.weight, block.k_fc.weight, block.v_fc.weight]), 4, torch.float32
        )
        assert constants["FULL"]
        fused._fused_ray_attention_kernel.fn[(2,)](*arguments, **{**constants, "FULL": full}, num_warps=2)
        outputs.append(arguments[fused.OUTPUTS])
    for got, expected in zip(*outputs):
        assert torch.equal(got, expected)
    block, x = rat_block(16, 2, (1, 5))
    block.train()  # dropout 0.1 on the attention: the kernel has none, so the PyTorch ops run
    with torch.no_grad():
        _, attention = block(x)
    assert attention.attention is not None

    from model_helpers import render_with_kernels_matches, small_config

    def rat_kernels_on(model) -> None:  # the RAT kernel alone (the others are slow under the interpreter)
        for ray_block in model.transformer.ray_blocks:
            ray_block.fused_inference = True

    for depth_weights in ("first_row", "mean_rows"):
        torch.manual_seed(0)
        config = replace(small_config(d_rgb=16, d_fpn=16), implementation="fast", fused_kernels=False)
        config = replace(config, sampling=replace(config.sampling, depth_weights=depth_weights))
        render_with_kernels_matches(config, rat_kernels_on, 1e-4, depth_weights)
    print("interpreted checks passed")


@needs_triton
def test_fused_kernel_under_the_triton_interpreter_matches_the_block():
    run_interpreted(__file__)


@needs_triton
@pytest.mark.parametrize("dtype, samples, summaries", [
    (torch.bfloat16, 48, (True, True)), (torch.bfloat16, 64, (True, True)), (torch.bfloat16, 112, (True, True)),
    (torch.float32, 48, (True, True)), (torch.float32, 64, (True, True)), (torch.bfloat16, 48, (False, False)),
    (torch.bfloat16, 64, (True, False)),
])
def test_kernel_compiles_for_hopper_in_every_launch_configuration(dtype, samples, summaries):
    """Compile (no launch, no GPU) for sm_90 with each autotuner configuration and the paper's shapes (48 coarse,
    64 fine samples; 112 = 48 + 64, the published protocol's fine pass, the largest map the kernel takes: bf16 only,
    float32's exact products take ~2 minutes of a CPU to compile there), with both summaries and with the ones a
    render's coarse (none) and fine (column means) passes ask of all but their last layer."""
    from gpnerf.model import fused_ray_attention as fused

    arguments, constants = fused.kernel_arguments(
        torch.randn(2, samples, 64, dtype=dtype), torch.nn.LayerNorm(64), torch.randn(3 * 64, 64), 4, dtype, *summaries
    )
    kernel = fused._fused_ray_attention_kernel
    compile_for_hopper_with(kernel, arguments, constants)


def test_cpu_blocks_keep_the_pytorch_ops():
    """On the CPU the block runs PyTorch's ops and keeps the map. It makes the column means itself where a caller
    reads them (so that, compiled, their small gradient reaches the block instead of the map's stride-0 expand, which
    the compiled backward copied to a full map per layer): the map's own."""
    block, x = rat_block(16, 2, (1, 5))
    with torch.no_grad():
        _, attention = block(x)
        _, unread = block(x, with_column_mean=False)
    assert attention.attention is not None and attention.first_row is None
    assert torch.equal(attention.column_mean, attention.attention.float().mean(dim=2))
    assert unread.column_mean is None


@needs_triton
def test_supported_shapes(monkeypatch):
    """The kernel takes what fits its design (checked as under the interpreter, where CPU tensors qualify)."""
    from gpnerf.model.fused_ray_attention import fused_ray_attention_supported

    monkeypatch.setenv("TRITON_INTERPRET", "1")
    assert fused_ray_attention_supported(torch.zeros(2, 64, 64), heads=4)
    assert fused_ray_attention_supported(torch.zeros(2, 128, 64, dtype=torch.bfloat16), heads=4)
    assert not fused_ray_attention_supported(torch.zeros(2, 129, 64), heads=4)  # one head's map no longer on chip
    assert not fused_ray_attention_supported(torch.zeros(2, 64, 64), heads=3)  # heads must divide d_rgb
    assert not fused_ray_attention_supported(torch.zeros(2, 64, 48), heads=4)  # the rows are one power-of-two tile
    assert not fused_ray_attention_supported(torch.zeros(2, 64, 64, dtype=torch.float64), heads=4)
    monkeypatch.delenv("TRITON_INTERPRET")
    assert not fused_ray_attention_supported(torch.zeros(2, 64, 64), heads=4)  # a CPU tensor without the interpreter


def test_summaries_from_the_map_are_its_column_means_and_first_row():
    from gpnerf.model.ray_aggregation import RayAttention

    attention = torch.softmax(torch.randn(2, 3, 5, 5), -1)
    summary = RayAttention(attention)
    assert torch.equal(summary.column_means(), attention.mean(dim=2))
    assert torch.equal(summary.first_rows(), attention[:, :, 0])
    detached = RayAttention(attention.requires_grad_(), attention.mean(2), attention[:, :, 0]).detached()
    assert not any(t.requires_grad for t in (detached.attention, detached.column_mean, detached.first_row))


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_fused_kernel_on_the_gpu_matches_the_block(precision):
    autocast_dtype = torch.bfloat16 if precision == "bf16" else None
    tolerance = 1e-5 if precision == "fp32" else 2e-2
    for d_rgb, heads, shape in ((64, 4, (4800, 48)), (64, 4, (300, 64)), (32, 4, (9, 17)), (16, 1, (5, 5))):
        block, x = rat_block(d_rgb, heads, shape, device="cuda")
        compare_fused_with_pytorch(block, x, tolerance, autocast_dtype)


def attention_reference(block, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The block's attention as PyTorch ops under bf16 autocast: ``A V`` with the heads merged ``(rays, samples,
    d_rgb)``, the map's column means and first rows ``(rays, heads, samples)``."""
    heads = block.num_heads
    d_head = x.shape[-1] // heads
    h = block.attn_norm(x)
    q, k, v = (
        t.unflatten(-1, (heads, -1)).transpose(1, 2)
        for t in (h @ (block.q_fc.weight * d_head**-0.5).t(), block.k_fc(h), block.v_fc(h))
    )
    attention = torch.softmax(q.float() @ k.float().transpose(-1, -2), dim=-1)
    out = (attention.to(v.dtype) @ v).transpose(1, 2).flatten(-2)
    return out, attention.mean(dim=2), attention[:, :, 0]


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("samples", [48, 64])
def test_every_launch_on_the_gpu_matches_the_block(samples):
    """Each of the autotuner's warp counts (:data:`WARPS`) launched on its own at a render chunk's shapes (4,800 rays,
    the presets' widths, both summaries, bf16 autocast with x in bf16 as the stack passes it, and x in float32):
    ``A V`` and both summaries within 2e-2 of the PyTorch ops. The autotuner times the launches but never checks
    them: a 4-warp launch once computed garbage here and the render took it (``WARPS``' docstring)."""
    from gpnerf.model import fused_ray_attention as fused

    block, x = rat_block(64, 4, (4800, samples), device="cuda")
    for x_dtype in (torch.bfloat16, torch.float32):
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
            inputs = x.to(x_dtype)
            expected = attention_reference(block, inputs)
            for warps in fused.WARPS:
                prepared = block.prepare_kernel_weights(torch.bfloat16).attention
                arguments, constants = fused.kernel_arguments(
                    inputs, None, None, 4, torch.bfloat16, prepared=prepared
                )
                fused._fused_ray_attention_kernel.fn[(x.shape[0],)](*arguments, **constants, num_warps=warps)
                for name, got, want in zip(("A V", "column means", "first rows"), arguments[fused.OUTPUTS], expected):
                    assert relative(got, want) <= 2e-2, (samples, x_dtype, warps, name, relative(got, want))


@pytest.mark.gpu
@needs_cuda
def test_render_at_the_presets_widths_with_kernels_matches_the_pytorch_render():
    """A whole render at the paper presets' transformer (8 layers, d_rgb 64, 4 heads) and samples (48 + 16), so the
    kernels run at a render's widths and sample counts (the other render tests use narrow models, whose products are
    too small to compile as a render's do): kernels on against off, same weights, bf16 autocast, 2e-2."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from model_helpers import gpu_render_with_kernels_matches, small_config

    torch.manual_seed(0)
    paper = PRESETS["paper-scannet"]
    config = replace(small_config(d_fpn=64), transformer=paper.transformer, sampling=paper.sampling,
                     implementation="fast")
    gpu_render_with_kernels_matches(config, 384)


if __name__ == "__main__":
    interpreted_checks()

"""The fused Triton FAT kernel against the PyTorch FAT block (docs/performance.md, "Fused FAT kernel").

On the CPU the kernel runs under the Triton interpreter (``TRITON_INTERPRET=1``, read when Triton compiles a
function, so it runs in a subprocess: this file run as a script). The interpreter computes float32 only (its
bf16 matrix product is wrong in Triton 3.6 and 3.9), so bf16 is checked on the GPU. Every launch configuration
is also compiled for sm_90 on the CPU, with the Triton the GPU machines use (pinned in the dev extra).
Tolerances: float32 ``1e-5`` relative (only the order of the float32 sums differs); bf16 ``2e-2`` relative
(the PyTorch path rounds V, P, the logits and the ``(V + P) A`` products to bf16, the kernel keeps all but the
logits in float32).
"""

import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from gpnerf.model import PRESETS
from gpnerf.model.field_aggregation import FieldAggregationTransformer
from gpnerf.model.point_inputs import MergedSamples
from triton_checks import compile_for_hopper_with, needs_cuda, needs_triton, run_interpreted


def fat_block(
    d_rgb: int = 64, views: int = 10, points: tuple[int, int] = (3, 7), device: str = "cpu", seed: int = 0, **widths: int
):
    """A paper-preset FAT block (eval mode, fused, float32 passes too; ``widths``: other ``d_attn_hidden`` /
    ``d_pos_hidden``) and random inputs: some views invalid, one point with none valid."""
    torch.manual_seed(seed)
    config = replace(PRESETS["paper-scannet"].transformer, d_rgb=d_rgb, **widths)
    block = FieldAggregationTransformer(
        config, True, fold_logit_projections=True, fused_inference=True, float32_kernels=True
    ).to(device).eval()
    rays, samples = points
    query = torch.randn(rays, samples, d_rgb, device=device)
    tokens = torch.randn(rays, samples, views, d_rgb, device=device)
    direction = torch.randn(rays, samples, views, 4, device=device)
    valid = torch.rand(rays, samples, views, device=device) > 0.3
    valid[0, 0] = False
    return block, (query, tokens, direction, valid)


def merged_inputs(
    d_rgb: int = 64, views: int = 10, rays: int = 3, samples: tuple[int, int] = (5, 2), device: str = "cpu"
):
    """:func:`fat_block`'s block and inputs with the tokens split into a :class:`MergedSamples` of ``samples[0]`` and
    ``samples[1]`` samples a ray in a random merged order, and those tokens gathered."""
    first, second = samples
    block, (query, _, direction, valid) = fat_block(d_rgb, views, (rays, first + second), device)
    tokens = MergedSamples(
        torch.randn(rays, first, views, d_rgb, device=device), torch.randn(rays, second, views, d_rgb, device=device),
        torch.argsort(torch.rand(rays, first + second, device=device), dim=1),
    )
    return block, (query, tokens, direction, valid), tokens.materialize()


def merged_tokens_match_the_gathered_ones(d_rgb: int, views: int, rays: int, samples: tuple[int, int]) -> None:
    """The kernel reading X_rgb from two tables in the merged order (``MERGED_TOKENS``) gives every output bit for
    bit as given the gathered tensor (one launch configuration, float32 under the interpreter), with and without the
    attention."""
    from gpnerf.model import fused_field_attention as fused

    block, (query, merged, direction, valid), gathered = merged_inputs(d_rgb, views, rays, samples)
    weights = block.kernel_weights()
    rest = (direction.flatten(0, 1), valid.flatten(0, 1), query.flatten(0, 1))
    for with_attention in (True, False):
        outputs = []
        with torch.no_grad():
            for tokens in (merged, gathered.flatten(0, 1)):
                arguments, constants = fused.kernel_arguments(tokens, *rest, weights, with_attention)
                assert constants["MERGED_TOKENS"] == (tokens is merged)
                meta = fused.launch_parameters(fused.LAUNCH_SHAPES[0])[0]
                fused._fused_field_attention_kernel.fn[fused.launch_grid(query.shape[0] * query.shape[1], meta)](
                    *arguments, **constants, **meta)
                outputs.append(arguments[fused.OUTPUTS] if with_attention else arguments[fused.OUTPUTS][:1])
        for got, expected in zip(*outputs, strict=True):
            assert torch.equal(got, expected)


def merged_block_matches_the_gathered_block(block, inputs, gathered, tolerance: float = 0.0,
                                            autocast_dtype: torch.dtype | None = None) -> None:
    """The block (no grad) given the :class:`MergedSamples` against the block given them gathered: its features and
    attention within ``tolerance`` (relative; the kernel may run in another launch configuration for either)."""
    device = gathered.device.type
    query, merged, direction, valid = inputs
    with torch.autocast(device, dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None):
        with torch.no_grad():
            results = [block(query, tokens, direction, valid) for tokens in (merged, gathered)]
    (got_x, got), (expected_x, expected) = results
    pairs = [(got_x, expected_x), (got.probabilities(), expected.probabilities()),
             (got.weighted_position_sum(), expected.weighted_position_sum())]
    for got_value, expected_value in pairs:
        assert got_value.shape == expected_value.shape and got_value.dtype == expected_value.dtype
        error = float((got_value.float() - expected_value.float()).norm() / expected_value.float().norm())
        assert error <= tolerance, error


def compare_fused_with_pytorch(block, inputs, tolerance: float, autocast_dtype: torch.dtype | None = None) -> None:
    """Fused (no grad) against the PyTorch ops (grad enabled, so the block keeps them) on the same inputs."""
    device = inputs[0].device.type
    with torch.autocast(device, dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None):
        with torch.no_grad():
            fused_x, fused = block(*inputs)
        plain_x, plain = block(*inputs)
    assert fused.position is None and plain.position is not None, "the fused kernel did not run (or ran with grad)"
    assert fused.attention is None, "the kernel writes the logits and the softmax's statistics, not A"
    pairs = {
        "x": (fused_x, plain_x),
        "attention": (fused.probabilities(), plain.probabilities()),  # float32 from the kernel's outputs
        "weighted_position": (fused.weighted_position_sum(), plain.weighted_position_sum()),
    }
    for name, (got, expected) in pairs.items():
        got, expected = got.detach(), expected.detach()
        assert got.shape == expected.shape, name
        assert name == "attention" or got.dtype == expected.dtype, name
        error = float((got.float() - expected.float()).norm() / expected.float().norm()) if expected.numel() else 0.0
        assert error <= tolerance, (name, error)


def channel_split_matches_one_program(
    d_rgb: int, views: int, points: tuple[int, int], device: str = "cpu", dtype: torch.dtype = torch.float32,
    tolerance: float = 1e-6,
) -> None:
    """The kernel launched with each program on half the output channels gives the same outputs as one program on
    all of them (the GPU's autotuner picks either)."""
    from gpnerf.model import fused_field_attention as fused

    block, (query, tokens, direction, valid) = fat_block(d_rgb, views, points, device)
    weights = block.kernel_weights()
    with torch.no_grad():
        inputs = (tokens.flatten(0, 1).to(dtype), direction.flatten(0, 1), valid.flatten(0, 1), query.flatten(0, 1))
        outputs = []
        for split in (1, 2):
            arguments, constants = fused.kernel_arguments(*inputs, weights)
            meta = {**fused.launch_parameters(fused.LAUNCH_SHAPES[0])[0], "BLOCK_POINTS": 16, "CHANNEL_SPLIT": split}
            fused._fused_field_attention_kernel.fn[fused.launch_grid(inputs[0].shape[0], meta)](
                *arguments, **constants, **meta)
            outputs.append(arguments[fused.OUTPUTS])
    for got, expected in zip(*outputs):
        error = float((got.float() - expected.float()).norm() / expected.float().norm())
        assert error <= tolerance, error


def folded_mask_matches_the_select(d_rgb: int, views: int, points: tuple[int, int]) -> None:
    """The logits masked through padding units (``FOLDED_MASK``, the paper's widths) against the select, every
    output bit for bit (float32 under the interpreter), with views masked and a point no view sees."""
    from gpnerf.model import fused_field_attention as fused

    block, (query, tokens, direction, valid) = fat_block(d_rgb, views, points)
    weights = block.kernel_weights()
    with torch.no_grad():
        inputs = (tokens.flatten(0, 1), direction.flatten(0, 1), valid.flatten(0, 1), query.flatten(0, 1))
        outputs = []
        for folded in (True, False):
            arguments, constants = fused.kernel_arguments(*inputs, weights)
            assert constants["FOLDED_MASK"], "the paper's widths leave the padding units the folded mask takes"
            meta = {**fused.launch_parameters(fused.LAUNCH_SHAPES[0])[0], "BLOCK_POINTS": 16}
            fused._fused_field_attention_kernel.fn[fused.launch_grid(inputs[0].shape[0], meta)](
                *arguments, **{**constants, "FOLDED_MASK": folded}, **meta)
            outputs.append(arguments[fused.OUTPUTS])
    masked = outputs[0][1][~inputs[2]]
    assert masked.numel() and bool((masked == torch.finfo(masked.dtype).min).all())
    for got, expected in zip(*outputs):
        assert torch.equal(got, expected)


def features_alone_match_the_full_kernel(
    d_rgb: int, views: int, points: tuple[int, int], device: str = "cpu", tolerance: float = 0.0,
    autocast_dtype: torch.dtype | None = None,
) -> None:
    """``with_attention=False`` (the render's coarse pass): the block's features as with the attention written (bit
    for bit under the interpreter; on a GPU the autotuner may pick another launch configuration for either variant,
    and under bf16 the features alone come from logits not rounded to bf16, hence ``tolerance``), and no attention
    (the kernel, then the PyTorch ops with grad enabled)."""
    block, inputs = fat_block(d_rgb, views, points, device)
    with torch.autocast(device, dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None):
        with torch.no_grad():
            full_x, full = block(*inputs)
            alone_x, alone = block(*inputs, with_attention=False)
        plain_x, plain = block(*inputs, with_attention=False)
    assert full is not None and full.logits is not None and alone is None
    assert alone_x.dtype == full_x.dtype
    assert float((alone_x - full_x).float().norm() / full_x.float().norm()) <= tolerance
    assert plain is None
    if autocast_dtype is None:
        assert torch.allclose(plain_x, full_x, rtol=1e-5, atol=1e-5)
    else:  # the PyTorch ops round V, P, the logits and the products to bf16 (module docstring)
        assert float((plain_x - full_x).float().norm() / full_x.float().norm()) <= 2e-2


def interpreted_checks() -> None:
    """Run under TRITON_INTERPRET=1: float32, paper width and a narrow one, point counts that leave a partial block,
    hidden widths with and without padding; the channel split at the paper width and at 32 channels."""
    for d_rgb, views, points in ((64, 10, (3, 7)), (16, 3, (1, 5)), (32, 17, (2, 3))):
        block, inputs = fat_block(d_rgb, views, points)
        compare_fused_with_pytorch(block, inputs, 1e-5)
    # hidden widths that fill their padded width (16; the paper's 8 pad to 16): no padding unit to spare
    block, inputs = fat_block(32, 5, (2, 3), d_attn_hidden=16, d_pos_hidden=16)
    compare_fused_with_pytorch(block, inputs, 1e-5)
    for d_rgb, views, points in ((64, 10, (3, 7)), (32, 17, (2, 3))):
        channel_split_matches_one_program(d_rgb, views, points)
    features_alone_match_the_full_kernel(64, 10, (3, 7))
    folded_mask_matches_the_select(64, 10, (3, 7))
    for d_rgb, views, rays, samples in ((64, 10, 3, (5, 2)), (16, 3, 2, (9, 4))):
        merged_tokens_match_the_gathered_ones(d_rgb, views, rays, samples)
    merged_block_matches_the_gathered_block(*merged_inputs(16, 3, 2, (6, 3)), tolerance=1e-6)
    # one padding unit each: the biases fold, the mask keeps its select
    block, inputs = fat_block(32, 5, (2, 3), d_attn_hidden=15, d_pos_hidden=8)
    compare_fused_with_pytorch(block, inputs, 1e-5)
    block, inputs = fat_block(16, 3, (1, 5))
    block.train()  # dropout 0.1 on the attention: the kernel has none, so the PyTorch ops run
    with torch.no_grad():
        _, attention = block(*inputs)
    assert attention.position is not None
    print("interpreted checks passed")


@needs_triton
def test_fused_kernel_under_the_triton_interpreter_matches_the_block():
    run_interpreted(__file__)


@needs_triton
@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("with_attention", [True, False])
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float32])
def test_kernel_compiles_for_hopper_in_every_launch_configuration(dtype, with_attention, merged):
    """Compile (no launch, no GPU) for sm_90 with each autotuner configuration and the paper's shapes, the tokens in
    one tensor and (``merged``) in two read in the merged order. The dev extra pins the Triton that the GPU machines'
    torch bundles: a second kernel once crashed that Triton's compiler on the GPU while passing under the interpreter
    (docs/benchmarks.md, fifth run)."""
    from gpnerf.model import fused_field_attention as fused

    block, (query, tokens, direction, valid), gathered = merged_inputs(rays=2, samples=(6, 2))
    tokens = MergedSamples(tokens.first.to(dtype), tokens.second.to(dtype), tokens.order)
    arguments, constants = fused.kernel_arguments(
        tokens if merged else gathered.flatten(0, 1).to(dtype), direction.flatten(0, 1), valid.flatten(0, 1),
        query.flatten(0, 1).to(dtype), block.kernel_weights(), with_attention,
    )
    kernel = fused._fused_field_attention_kernel
    compile_for_hopper_with(kernel, arguments, constants)


def test_mask_folds_into_padding_where_two_units_are_free_and_the_lowest_value_absorbs():
    from gpnerf.model.fused_field_attention import folds_mask

    assert folds_mask(8, 8, torch.bfloat16) and folds_mask(8, 8, torch.float32) and folds_mask(14, 30, torch.bfloat16)
    assert not folds_mask(8, 8, torch.float16)  # -65504 does not absorb a logit
    assert not folds_mask(15, 8, torch.bfloat16) and not folds_mask(8, 16, torch.bfloat16)


def test_cpu_blocks_keep_the_pytorch_ops():
    block, inputs = fat_block(16, 3, (1, 5))
    with torch.no_grad():
        _, attention = block(*inputs)
    assert attention.position is not None and attention.weighted_position is None


def test_cpu_blocks_gather_merged_tokens():
    """Where the kernel does not run, a block given a :class:`MergedSamples` gathers it: the same outputs, bit for bit,
    as given the gathered tensor."""
    block, inputs, gathered = merged_inputs(16, 3, 2, (4, 3))
    merged_block_matches_the_gathered_block(block, inputs, gathered)


def test_weighted_position_block_returns_the_folds_sum_with_the_same_gradients():
    """A block built with ``weighted_position`` (the fast path's) returns ``sum_views P A`` instead of P, with the
    same values and gradients as the sum taken from P afterwards (float32; the same ops, so 1e-6)."""
    plain, inputs = fat_block(16, 3, (4, 5))
    config = replace(PRESETS["paper-scannet"].transformer, d_rgb=16)
    block = FieldAggregationTransformer(config, True, fold_logit_projections=True, weighted_position=True).eval()
    block.load_state_dict(plain.state_dict())
    results = []
    for module in (plain, block):
        leaves = [t.detach().clone().requires_grad_(t.is_floating_point()) for t in inputs]
        x, attention = module(*leaves)
        outputs = (x, attention.probabilities(), attention.weighted_position_sum())
        sum(o.sin().sum() for o in outputs).backward()
        results.append([*outputs, *(t.grad for t in leaves[:3]), *(p.grad for p in module.parameters())])
        if module is block:
            assert attention.position is None and attention.weighted_position is not None
    for got, expected in zip(results[1], results[0], strict=True):
        assert (got is None) == (expected is None)
        if expected is not None:
            got, expected = got.detach(), expected.detach()
            assert float((got - expected).norm() / expected.norm().clamp_min(1e-30)) <= 1e-6


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_fused_kernel_on_the_gpu_matches_the_block(precision):
    autocast_dtype = torch.bfloat16 if precision == "bf16" else None
    tolerance = 1e-5 if precision == "fp32" else 2e-2
    for d_rgb, views, points in ((64, 10, (64, 48)), (16, 3, (5, 7)), (32, 17, (9, 3))):
        block, inputs = fat_block(d_rgb, views, points, device="cuda")
        compare_fused_with_pytorch(block, inputs, tolerance, autocast_dtype)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_features_alone_on_the_gpu_match_the_full_kernel(precision):
    """float32, 1e-6: the two variants may run in different launch configurations (channel split, block size);
    bf16, 2e-2 (the bf16 tolerance): the features alone also come from logits not rounded to bf16."""
    if precision == "fp32":
        features_alone_match_the_full_kernel(64, 10, (64, 48), "cuda", 1e-6)
    else:
        features_alone_match_the_full_kernel(64, 10, (64, 48), "cuda", 2e-2, torch.bfloat16)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_channel_split_on_the_gpu_matches_one_program(precision):
    """float32 1e-6; bf16 1e-3 (the same float32 values, rounded to bf16 at the outputs)."""
    dtype, tolerance = (torch.float32, 1e-6) if precision == "fp32" else (torch.bfloat16, 1e-3)
    for d_rgb, views, points in ((64, 10, (64, 48)), (32, 17, (9, 3))):
        channel_split_matches_one_program(d_rgb, views, points, "cuda", dtype, tolerance)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_merged_tokens_on_the_gpu_match_the_gathered_ones(precision):
    """float32 1e-6; bf16 1e-3 (the same float32 values rounded to bf16 at the outputs): the two variants may run in
    different launch configurations (channel split, block size)."""
    autocast_dtype, tolerance = (None, 1e-6) if precision == "fp32" else (torch.bfloat16, 1e-3)
    for d_rgb, views, rays, samples in ((64, 10, 64, (48, 16)), (32, 17, 9, (3, 2))):
        merged_block_matches_the_gathered_block(*merged_inputs(d_rgb, views, rays, samples, "cuda"), tolerance,
                                                autocast_dtype)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("compiled", [False, True])
def test_render_with_fused_kernels_matches_the_pytorch_render(compiled):
    """Whole render, bf16 autocast, fused kernels on and off (same weights); compiled blocks trace the kernel."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from model_helpers import gpu_render_with_kernels_matches, small_config

    torch._dynamo.reset()
    torch.manual_seed(0)
    gpu_render_with_kernels_matches(replace(small_config(d_rgb=16, d_fpn=16), implementation="fast"), 160, compiled)


if __name__ == "__main__":
    interpreted_checks()

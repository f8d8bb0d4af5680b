"""The fold's rendered term from the FAT kernel's logits in one kernel against the PyTorch fold (docs/performance.md).

On the CPU the kernel runs under the Triton interpreter (``TRITON_INTERPRET=1``, in a subprocess: this file run as a
script), float32. Tolerance ``1e-5`` of the sum of the terms' magnitudes: the same float32 arithmetic per term
(``2**(logits - peak) * inverse_total * m`` summed over layers, the FAT kernel's logits being in base 2; the samples
blended as ``grid_sample`` does), summed in another order, and the GPU's ``2**x`` is an approximation within a few
float32 ulps. bf16 logits and maps are read by
both paths as they are and computed in float32, so the same tolerance holds.
"""

import pytest
import torch

from gpnerf.model.field_aggregation import FieldAttention
from gpnerf.model.folded_semantics import fold_semantic_path
from gpnerf.model.fused_attention_contraction import MAX_LAYERS, contract_attention, fused_contraction_supported
from gpnerf.model.fused_feature_sampling import DeferredSamples
from gpnerf.model.fused_fold_statistics import fold_statistics_reference
from gpnerf.model.ray_aggregation import RayAttention
from test_fused_feature_sampling import maps_and_coordinates, reference
from triton_checks import compile_for_hopper_with, needs_cuda, needs_triton, run_interpreted


def kernel_like_attention(rays: int, samples: int, views: int, groups: int, dtype: torch.dtype, device: str) -> FieldAttention:
    """What the FAT kernel leaves: masked logits in ``dtype`` (some views invalid, point (0, 0) with none valid), the
    softmax's peak and inverse total over views in float32, and ``sum_views P A``."""
    logits = (3 * torch.randn(rays, samples, views, groups, device=device)).to(dtype)
    invalid = torch.rand(rays, samples, views, device=device) < 0.3
    invalid[0, 0] = True
    logits = logits.masked_fill(invalid[..., None], torch.finfo(dtype).min)
    peak = logits.float().amax(dim=2)
    inverse_total = 1 / torch.exp2(logits.float() - peak[:, :, None]).sum(dim=2)  # base 2, as the kernel's
    weighted_position = torch.randn(rays, samples, groups, device=device)
    return FieldAttention(None, None, weighted_position, logits, peak, inverse_total)


def attention_case(channels: int, groups: int, heads: int, layers: int, map_size: tuple[int, int], device: str = "cpu",
                   dtype: torch.dtype = torch.float32):
    """Deferred samples of random maps, ``layers`` kernel-like FAT attentions and RAT column means, and the
    reference ``einsum("rsvgk,rsvg->rgk", X, sum_l m_l A_l)`` with its magnitude (float32 throughout)."""
    maps, uv, height, width = maps_and_coordinates(channels=channels, map_size=map_size, device=device)
    maps = maps.to(dtype)
    views, rays, samples, _ = uv.shape
    attentions = [kernel_like_attention(rays, samples, views, groups, dtype, device) for _ in range(layers)]
    means = [torch.softmax(torch.randn(rays, heads, samples, samples, device=device), -1).mean(2) for _ in range(layers)]
    weight = sum(
        a.probabilities() * m.transpose(1, 2).repeat_interleave(groups // heads, -1)[:, :, None]
        for a, m in zip(attentions, means)
    )
    x = reference(maps, uv, height, width, torch.float32).unflatten(-1, (groups, channels // groups))
    expected = torch.einsum("rsvgk,rsvg->rgk", x, weight)
    magnitude = torch.einsum("rsvgk,rsvg->rgk", x.abs(), weight.abs())
    deferred = DeferredSamples(maps, uv, height, width, torch.float32)
    return deferred, attentions, means, x, expected, magnitude


def scales_of(attentions: list[FieldAttention], means: list[torch.Tensor]) -> list[torch.Tensor]:
    """The contraction's per-layer scales ``inverse_total_l m_l`` (PyTorch ops)."""
    return fold_statistics_reference(attentions, means, with_position=False).scales


def assert_close(got: torch.Tensor, expected: torch.Tensor, magnitude: torch.Tensor, tolerance: float = 1e-5) -> None:
    assert got.shape == expected.shape and not torch.isnan(got).any()
    error = (got.float() - expected).abs()
    assert bool((error <= tolerance * (magnitude + 1)).all()), float((error / (magnitude + 1)).max())


CASES = (  # channels, groups, heads, layers, map size
    (512, 64, 4, 8, (3, 4)), (40, 8, 2, 3, (6, 8)), (48, 16, 4, 1, (24, 32)), (21, 7, 7, 2, (6, 8)),
)


def interpreted_checks() -> None:
    for channels, groups, heads, layers, map_size in CASES:
        deferred, attentions, means, _, expected, magnitude = attention_case(channels, groups, heads, layers, map_size)
        assert fused_contraction_supported(deferred, attentions)
        assert_close(contract_attention(deferred, attentions, scales_of(attentions, means)), expected, magnitude)
    fold_with_the_kernel_matches_the_fold_without()
    other_attentions_keep_the_two_steps()
    print("interpreted checks passed")


def other_attentions_keep_the_two_steps() -> None:
    """More layers than one launch takes, or stored attention maps (the FAT kernel did not run): the fold keeps
    forming W and contracts it with the sampling kernel."""
    deferred, attentions, means, *_ = attention_case(40, 8, 2, 1, (6, 8))
    assert fused_contraction_supported(deferred, attentions * MAX_LAYERS)
    assert not fused_contraction_supported(deferred, attentions * (MAX_LAYERS + 1))
    with pytest.raises(ValueError, match="Check fused_contraction_supported"):
        contract_attention(deferred, attentions * (MAX_LAYERS + 1), scales_of(attentions, means) * (MAX_LAYERS + 1))
    stored = [FieldAttention(a.probabilities(), None, a.weighted_position) for a in attentions]
    assert not fused_contraction_supported(deferred, stored)


def fold_with_the_kernel_matches_the_fold_without(device: str = "cpu") -> None:
    """The fold given deferred samples (the kernel) against the fold given X (PyTorch), ``+P'`` terms included."""
    deferred, attentions, means, x, _, _ = attention_case(40, 8, 2, 3, (6, 8), device)
    rays = [RayAttention(None, column_mean=m) for m in means]
    _, got = fold_semantic_path(deferred, attentions, rays, add_position=True, with_field=False)
    _, expected = fold_semantic_path(x.flatten(-2), attentions, rays, add_position=True, with_field=False)
    _, magnitude = fold_semantic_path(
        x.flatten(-2).abs(), [FieldAttention(a.probabilities(), None, a.weighted_position.abs()) for a in attentions],
        rays, add_position=True, with_field=False,
    )
    assert_close(got, expected, magnitude)


@needs_triton
def test_the_kernel_under_the_triton_interpreter_matches_the_pytorch_fold():
    run_interpreted(__file__)


def render_shaped_arguments(dtype: torch.dtype, layers: int = 8) -> tuple[list, dict]:
    """The kernel's arguments and constants at a render's widths (10 views, 64 samples, 512 channels in 64 groups, 4
    heads; two rays and 4x4 maps stand in), for compiling it without a launch."""
    from gpnerf.model import fused_attention_contraction as fused

    attention = FieldAttention(
        None, None, None, torch.zeros(2, 64, 10, 64, dtype=dtype), torch.zeros(2, 64, 64), torch.zeros(2, 64, 64)
    )
    deferred = DeferredSamples(torch.zeros(10, 512, 4, 4, dtype=dtype), torch.zeros(10, 2, 64, 2), 8, 8, dtype)
    arguments, constants, _ = fused.kernel_arguments(deferred, [attention] * layers, [torch.zeros(2, 64, 64)] * layers)
    return arguments, constants


@needs_triton
def test_the_kernel_compiles_for_hopper_in_every_launch_configuration():
    """bf16 logits and maps as in a bf16 render, and float32, at the render's shapes (no launch, no GPU)."""
    from gpnerf.model import fused_attention_contraction as fused

    for dtype in (torch.bfloat16, torch.float32):
        compile_for_hopper_with(fused._contract_attention_kernel, *render_shaped_arguments(dtype))


@needs_triton
def test_each_group_count_takes_one_launch_without_timing():
    """One configuration after pruning (the autotuner times nothing): one program a ray up to 64 groups (the
    presets' 64 take 8 pairs x 64 groups x 4 warps), the widest block beyond, the narrowest below 8 groups."""
    from gpnerf.model import fused_attention_contraction as fused

    configs = fused._contract_attention_kernel.configs
    if len(configs) == 1:
        pytest.skip("the interpreter's single configuration (TRITON_INTERPRET=1)")
    for groups, shape in ((64, (8, 64, 4)), (100, (8, 64, 4)), (33, (8, 64, 4)), (32, (16, 32, 4)),
                          (9, (16, 16, 4)), (8, (16, 8, 2)), (5, (16, 8, 2)), (1, (16, 8, 2))):
        kept = fused.launch_for(configs, {}, GROUPS=groups)
        assert [(c.kwargs["BLOCK_PAIRS"], c.kwargs["BLOCK_GROUPS"], c.num_warps) for c in kept] == [shape], groups


@needs_triton
def test_dynamo_traces_the_one_launch(monkeypatch):
    """Compiled (the fold is, in the render), dynamo runs ``launch_for`` itself and hands inductor the configurations
    left: one launch, one grid (8 pairs x 64 groups: one program a ray). On the CPU dynamo treats Triton kernels as
    opaque Python unless told a Triton device exists; the backend stops at the captured graph (no launch).
    ``max(..., key=...)`` in the pruning once failed here, and in every compiled render on the GPU."""
    from gpnerf.model import fused_attention_contraction as fused
    from gpnerf.model.triton_support import triton

    if len(fused._contract_attention_kernel.configs) == 1:
        pytest.skip("the interpreter's single configuration (TRITON_INTERPRET=1)")
    monkeypatch.setattr(torch.utils._triton, "has_triton", lambda: True)
    arguments, constants = render_shaped_arguments(torch.bfloat16)
    rays, groups = arguments[2].shape[0], constants["GROUPS"]

    def launch(*tensors):
        fused._contract_attention_kernel[lambda meta: (rays * triton.cdiv(groups, meta["BLOCK_GROUPS"]),)](
            *tensors, **constants
        )
        return tensors[fused.OUTPUT]

    class Captured(Exception):
        pass

    graphs = []

    def stop_at_the_graph(graph_module, example_inputs):
        graphs.append(graph_module)
        raise Captured

    torch._dynamo.reset()
    try:
        with pytest.raises(Exception, match="Captured"):  # dynamo wraps the backend's exception
            torch.compile(launch, backend=stop_at_the_graph, fullgraph=True)(*arguments)
    finally:
        torch._dynamo.reset()
    (node,) = [n for n in graphs[0].graph.nodes if "triton_kernel_wrapper" in str(n.target)]
    assert node.kwargs["grid"] == [(rays * triton.cdiv(groups, 64), 1, 1)]


@needs_triton
def test_the_layers_terms_need_no_exchange_between_threads():
    """Compiled for sm_90, the kernel with 8 layers has as many layout conversions as with 1 in every launch
    configuration: each layer's term is formed in its logits' layout (a per-layer conversion through shared memory
    once made the kernel wait on every layer's loads in turn: docs/performance.md section 21)."""
    from gpnerf.model import fused_attention_contraction as fused
    from gpnerf.model.triton_support import argument_types, compile_configurations

    conversions = []
    for layers in (1, 8):
        arguments, constants = render_shaped_arguments(torch.bfloat16, layers)
        kernel = fused._contract_attention_kernel
        aligned = [i for i, a in enumerate(arguments) if isinstance(a, torch.Tensor)]
        conversions.append([
            compiled.asm["ttgir"].count("ttg.convert_layout")
            for _, compiled in compile_configurations(kernel, argument_types(kernel, arguments), constants, aligned)
        ])
    assert conversions[1] == conversions[0], conversions


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_the_kernel_on_the_gpu_matches_the_pytorch_fold(dtype):
    for channels, groups, heads, layers, map_size in ((512, 64, 4, 8, (60, 80)), *CASES[1:]):
        deferred, attentions, means, _, expected, magnitude = attention_case(
            channels, groups, heads, layers, map_size, "cuda", dtype
        )
        assert_close(contract_attention(deferred, attentions, scales_of(attentions, means)), expected, magnitude)
    fold_with_the_kernel_matches_the_fold_without("cuda")


if __name__ == "__main__":
    interpreted_checks()

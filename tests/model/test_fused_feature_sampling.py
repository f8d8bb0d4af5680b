"""The fused sampling kernel against ``sample_feature_maps`` (docs/performance.md, section 8).

On the CPU the kernel runs under the Triton interpreter (``TRITON_INTERPRET=1``, in a subprocess: this file run
as a script), float32. Tolerances: float32 ``1e-6`` absolute on unit-scale features (the same coordinates,
weights and order of terms as ``grid_sample``; only fused multiply-adds may round differently) on the CPU; on the GPU
the same beyond the samples of CUDA's ``grid_sample`` at coordinates a few float32 ulps away (:func:`coordinate_envelope`:
with torch 2.11 on an H200 its map coordinates differed from the kernel's by about one ulp, 2e-5 on a sample, at
876737c as at 915bcd6, docs/benchmarks.md twenty-first run); bf16: the
float32 result rounded once, as the reference's own ``sample in float32, then cast``: where the two float32 values
straddle a rounding boundary they land on neighbouring bf16 values, one bf16 step (``ulp(x) <= 2^-7 |x|``) apart
(``2^-8`` was too tight: an H200 run of c267b05 saw 2^-6 at ``|x|`` in [2, 4)). A NaN coordinate reads zeros, as in CUDA's ``grid_sample`` (the path the
kernel replaces; the CPU's ``grid_sample`` gives NaN there, so the CPU reference is zeroed at those points).
"""

import math
from contextlib import contextmanager

import pytest
import torch

from gpnerf.model.folded_semantics import fold_semantic_path
from gpnerf.model.fused_feature_sampling import (
    DeferredSamples, channels_last, fused_sampling_supported, kernel_grid, laid_out_for_sampling,
    sample_and_contract_fused, sample_feature_maps_fused,
)
from gpnerf.model.point_inputs import MergedSamples
from gpnerf.model.projection import sample_feature_maps, sampling_grid
from triton_checks import compile_for_hopper, needs_cuda, needs_triton, run_interpreted



def maps_and_coordinates(views=3, channels=40, map_size=(6, 8), image_size=(24, 32), points=(5, 7), device="cpu"):
    """Random maps and pixel coordinates, some outside the image, one NaN, the image corners exactly."""
    torch.manual_seed(0)
    height, width = image_size
    maps = torch.randn(views, channels, *map_size, device=device)
    uv = torch.rand(views, *points, 2, device=device) * torch.tensor([width + 4.0, height + 4.0], device=device) - 2
    uv[0, 0, 0] = float("nan")
    uv[1, 0, 1] = torch.tensor([width - 1.0, height - 1.0])
    uv[-1, 0, 2] = 0.0
    uv[0, 1, 0] = torch.tensor([1e9, -1e9])
    return maps, uv, height, width


def reference(maps: torch.Tensor, uv: torch.Tensor, height: int, width: int, dtype: torch.dtype) -> torch.Tensor:
    """``sample_feature_maps`` (float32 grid) cast to ``dtype``, reading zeros at NaN coordinates as on CUDA."""
    expected = sample_feature_maps(maps, uv, height, width, full_precision_grid=True).to(dtype)
    nan_point = torch.isnan(uv).any(-1).permute(1, 2, 0)  # (rays, samples, views)
    assert nan_point.any()
    if expected.is_cuda:  # CUDA's grid_sample already reads zeros there; the kernel must match it as is
        assert bool((expected[nan_point] == 0).all())
    return expected.masked_fill(nan_point[..., None], 0.0)


def coordinate_envelope(
    maps: list[torch.Tensor], uv: torch.Tensor, height: int, width: int, ulps: int = 4
) -> tuple[torch.Tensor, torch.Tensor]:
    """The least and greatest float32 :func:`reference` samples (concatenated over ``maps``) over the pixel coordinates
    ``uv`` moved by ``-d, 0, +d`` on each axis, ``d`` being ``ulps`` float32 ulps of each map's coordinate (its width or
    height) in pixels: the range a sample takes when the coordinate is rounded another way."""
    samples = []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            per_map = []
            for m in maps:
                map_height, map_width = m.shape[-2:]
                ulp = [2.0 ** (math.floor(math.log2(max(size - 1, 1))) - 23) for size in (map_width, map_height)]
                step = torch.tensor([dx * ulps * ulp[0] * (width - 1) / max(map_width - 1, 1),
                                     dy * ulps * ulp[1] * (height - 1) / max(map_height - 1, 1)], device=uv.device)
                per_map.append(reference(m, uv + step, height, width, torch.float32))
            samples.append(torch.cat(per_map, dim=-1))
    stacked = torch.stack(samples)
    return stacked.amin(dim=0), stacked.amax(dim=0)


def assert_within(got: torch.Tensor, envelope: tuple[torch.Tensor, torch.Tensor], expected: torch.Tensor,
                  tolerance: float) -> None:
    """``got`` (float32) within ``tolerance (1 + |expected|)`` of the ``envelope`` of :func:`coordinate_envelope`."""
    low, high = envelope
    assert got.shape == expected.shape and got.dtype == expected.dtype and not torch.isnan(got).any()
    error = torch.maximum(low - got, got - high).clamp(min=0)
    bound = tolerance * (1 + expected.abs())
    assert bool((error <= bound).all()), f"max error outside the envelope {float(error.max()):.3g}"


def assert_matches(got: torch.Tensor, expected: torch.Tensor, tolerance: float) -> None:
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert not torch.isnan(got).any()
    error = (got.float() - expected.float()).abs()
    bound = tolerance * (1 + expected.float().abs())
    worst = int((error - bound).argmax())
    where = tuple(int(i) for i in torch.unravel_index(torch.tensor(worst), error.shape))
    assert bool((error <= bound).all()), (  # where and how far, for the GPU runs' logs
        f"max error {float(error.max()):.3g}; worst at {where}: got {float(got.flatten()[worst]):.9g}, "
        f"expected {float(expected.flatten()[worst]):.9g}, bound {float(bound.flatten()[worst]):.3g}"
    )


def contraction_case(channels: int, groups: int, map_size: tuple[int, int], device: str = "cpu", dtype=torch.float32):
    """Maps in ``dtype``, coordinates and random weights ``(rays, samples, views, groups)``, and the reference
    contraction ``einsum("rsvgk,rsvg->rgk")`` of the float32 reference samples with its magnitude
    ``einsum(|X|, |W|)``."""
    maps, uv, height, width = maps_and_coordinates(channels=channels, map_size=map_size, device=device)
    maps = maps.to(dtype)  # bf16 maps, as under autocast, are sampled in float32 by both paths
    views, rays, samples, _ = uv.shape
    weight = torch.randn(rays, samples, views, groups, device=device)
    x = reference(maps, uv, height, width, torch.float32).unflatten(-1, (groups, channels // groups))
    expected = torch.einsum("rsvgk,rsvg->rgk", x, weight)
    magnitude = torch.einsum("rsvgk,rsvg->rgk", x.abs(), weight.abs())
    return maps, uv, height, width, weight, expected, magnitude


def assert_contraction_matches(got: torch.Tensor, expected: torch.Tensor, magnitude: torch.Tensor, tolerance: float) -> None:
    """Within ``tolerance`` of the sum of the terms' magnitudes (float32 sums in another order)."""
    assert got.shape == expected.shape and got.dtype == torch.float32 and not torch.isnan(got).any()
    error = (got - expected).abs()
    assert bool((error <= tolerance * (magnitude + 1)).all()), float(error.max())


def concatenated_case(device: str, dtype: torch.dtype) -> tuple:
    """The render's RGB tokens: images (3 channels, image size) and features (32 channels, half size) sampled
    into one ``(rays, samples, views, 35)`` tensor by the kernel, ``torch.cat`` of the references, and the maps,
    coordinates and image size they came from."""
    images, uv, height, width = maps_and_coordinates(channels=3, map_size=(24, 32), device=device)
    features = torch.randn(images.shape[0], 32, 12, 16, device=device)
    got = sample_feature_maps_fused((images, features), uv, height, width, dtype)
    expected = torch.cat([reference(m, uv, height, width, dtype) for m in (images, features)], dim=-1)
    return got, expected, [images, features], uv, height, width


@contextmanager
def only_launch(kernel, block_pairs: int, block_channels: int, warps: int):
    """The autotuned sampling ``kernel`` launched in one configuration only (an autotuner with one configuration
    neither prunes nor times), its configurations restored after."""
    import triton

    configs = kernel.configs
    kernel.configs = [triton.Config({"BLOCK_PAIRS": block_pairs, "BLOCK_CHANNELS": block_channels}, num_warps=warps)]
    try:
        yield
    finally:
        kernel.configs = configs


def interpreted_checks() -> None:
    for channels, map_size in ((40, (6, 8)), (512, (3, 4)), (7, (24, 32))):
        maps, uv, height, width = maps_and_coordinates(channels=channels, map_size=map_size)
        expected = reference(maps, uv, height, width, torch.float32)
        assert_matches(sample_feature_maps_fused(maps, uv, height, width, torch.float32), expected, 1e-6)
    assert_matches(*concatenated_case("cpu", torch.float32)[:2], 1e-6)
    from gpnerf.model.fused_feature_sampling import NARROW_SHAPES, _sample_kernel

    for shape in NARROW_SHAPES:  # the images' launches (the interpreter's own configuration is 16 x 16)
        with only_launch(_sample_kernel, *shape):
            assert_matches(*concatenated_case("cpu", torch.float32)[:2], 1e-6)
    for channels, groups, map_size in ((40, 8, (6, 8)), (512, 64, (3, 4)), (7, 7, (24, 32)), (48, 1, (6, 8))):
        maps, uv, height, width, weight, expected, magnitude = contraction_case(channels, groups, map_size)
        assert_contraction_matches(sample_and_contract_fused(maps, uv, weight, height, width), expected, magnitude, 1e-6)
    render_with_kernels_matches_render_without()
    render_declining_float32_products_matches_render_without()
    compare_training_step("cpu", autocast=False, tolerance=1e-5)
    print("interpreted checks passed")


@contextmanager
def counting_kernel_calls():
    """Yield a list that records ``"project"`` / ``"sample"`` / ``"contract"`` / ``"contract_attention"`` / ``"fat"`` /
    ``"rat"`` / ``"tail"`` / ``"embed"`` / ``"positions"`` for each call of the kernels' wrappers by the model (``"fat
    merged"`` given a :class:`MergedSamples`), and ``"position weight"`` for each PE(x) terms weight it makes. The
    embedding kernel's calls also record its points, as ``"embed <points>"``."""
    from gpnerf.model import (
        field_aggregation, folded_semantics, fused_feature_sampling, gpnerf, ray_aggregation, transformer,
    )

    calls = []
    wrapped = {  # (module the model calls it through, name): the name recorded
        (gpnerf, "project_points_fused"): "project",
        (gpnerf, "sample_feature_maps_fused"): "sample",
        (fused_feature_sampling, "sample_and_contract_fused"): "contract",
        (folded_semantics, "contract_attention"): "contract_attention",
        (field_aggregation, "fused_field_attention"): "fat",
        (ray_aggregation, "fused_ray_attention"): "rat",
        (field_aggregation, "fused_block_tail"): "tail",
        (transformer, "fused_embedding"): "embed",
        (transformer, "position_terms_fused"): "positions",
        (transformer, "position_weight"): "position weight",
    }
    originals = {key: getattr(*key) for key in wrapped}

    def counted(name, function):
        def wrapper(*args, **kwargs):
            merged = name == "fat" and isinstance(args[0], MergedSamples)
            calls.append(f"{name} merged" if merged else name)  # the fine pass's tokens read in the merged order
            if name == "embed":
                calls.append(f"embed {args[0].shape[0]}")
            return function(*args, **kwargs)
        return wrapper

    for (module, attribute), name in wrapped.items():
        setattr(module, attribute, counted(name, originals[module, attribute]))
    try:
        yield calls
    finally:
        for (module, attribute), function in originals.items():
            setattr(module, attribute, function)


def render_with_kernels_matches_render_without() -> None:
    """Under the interpreter every kernel accepts CPU tensors, so a whole float32 render takes the GPU's fast path:
    the RGB tokens sampled and concatenated by the kernel and embedded by another (the fine pass embeds the importance
    samples alone), the FAT and RAT kernels (in the fine pass reading X_rgb in the merged order from the coarse pass's
    and the importance samples'), the
    blocks' tails, the semantic maps deferred into the fold's contraction, which forms W from the FAT kernel's logits
    (:mod:`gpnerf.model.fused_attention_contraction`). Against the same model with the kernels
    off (PyTorch ops): float32 summation order only."""
    from dataclasses import replace

    from model_helpers import make_episode, small_config

    from gpnerf.model import GPNeRF, fused_feature_sampling

    torch.manual_seed(0)
    config = replace(small_config(d_rgb=16, d_fpn=16), implementation="fast")
    fused = GPNeRF(config, 5).eval()
    plain = GPNeRF(replace(config, fused_kernels=False), 5).eval()
    plain.load_state_dict(fused.state_dict())
    episode = make_episode(height=12, width=16, rays=None)
    layouts = []  # for each map a kernel launch read: whether it was already laid out (no copy)
    copy_for_kernel = fused_feature_sampling.channels_last

    def recording_layout(maps: torch.Tensor) -> torch.Tensor:
        laid_out = copy_for_kernel(maps)
        layouts.append(laid_out.data_ptr() == maps.data_ptr())
        return laid_out

    fused_feature_sampling.channels_last = recording_layout
    try:
        with torch.no_grad(), counting_kernel_calls() as calls:
            got, expected = fused.render_image(episode, 96), plain.render_image(episode, 96)
    finally:
        fused_feature_sampling.channels_last = copy_for_kernel
    assert layouts and all(layouts), layouts  # the render laid its maps out once a frame
    assert calls.count("contract_attention") == 2 and calls.count("sample") >= 4, calls  # 2 chunks, each coarse + fine
    assert "contract" not in calls, calls  # W never formed
    assert calls.count("project") == 6, calls  # 2 chunks x (coarse, importance, merged points projected again)
    assert calls.count("positions") == 4 and calls.count("position weight") == 1, calls  # the weight once a frame
    layers = config.transformer.num_layers * 4  # 2 chunks x (coarse + fine) passes
    fat = (calls.count("fat"), calls.count("fat merged"))
    assert fat == (layers // 2, layers // 2) and calls.count("rat") == layers, calls  # coarse; fine, merged tokens
    assert calls.count("tail") == 2 * layers, calls
    rays, sampling = 96, config.sampling
    embedded = [call for call in calls if call.startswith("embed ")]  # coarse; fine: the importance samples alone
    assert embedded == [f"embed {rays * sampling.num_coarse}", f"embed {rays * sampling.num_importance}"] * 2, calls
    for name in ("rgb", "depth", "semantic_logits", "semantic_features"):
        a, b = getattr(expected, name), getattr(got, name)
        print(name, float((b - a).norm() / a.norm()))
        assert float((b - a).norm() / a.norm()) <= 1e-5, name


def render_declining_float32_products_matches_render_without() -> None:
    """Without ``float32_kernels`` a float32 render (the CUDA default) takes PyTorch's ops for the FAT and RAT blocks,
    their tails, the embedding and the PE(x) terms, and keeps the kernels without products: the points projected,
    the RGB tokens and the semantic maps sampled (here the maps deferred into the fold's contraction with W formed by
    PyTorch). Against the same model with the kernels off: float32 summation order only."""
    from dataclasses import replace

    from model_helpers import make_episode, small_config

    from gpnerf.model import GPNeRF

    torch.manual_seed(0)
    config = replace(small_config(d_rgb=16, d_fpn=16), implementation="fast", float32_kernels=False)
    declining = GPNeRF(config, 5).eval()
    plain = GPNeRF(replace(config, fused_kernels=False), 5).eval()
    plain.load_state_dict(declining.state_dict())
    episode = make_episode(height=12, width=16, rays=None)
    with torch.no_grad(), counting_kernel_calls() as calls:
        got, expected = declining.render_image(episode, 96), plain.render_image(episode, 96)
    assert not {"fat", "fat merged", "rat", "tail", "positions", "position weight"} & set(calls), calls
    assert not [call for call in calls if call.startswith("embed")], calls
    assert calls.count("project") == 6 and calls.count("sample") >= 4 and calls.count("contract") == 2, calls
    for name in ("rgb", "depth", "semantic_logits", "semantic_features"):
        a, b = getattr(expected, name), getattr(got, name)
        assert float((b - a).norm() / a.norm()) <= 1e-5, name


@needs_triton
def test_fused_sampling_under_the_triton_interpreter_matches_grid_sample():
    run_interpreted(__file__)


@needs_triton
def test_kernels_compile_for_hopper_in_every_launch_configuration():
    """int64 cell offsets crashed Triton 3.6's layout pass here and on the GPU (call 5 of the fifth run)."""
    from gpnerf.model import fused_feature_sampling as fused

    kernel = fused._sample_kernel
    for maps, channels, out, widen in (("*bf16", 512, "*bf16", True), ("*fp32", 48, "*fp32", False)):
        types = dict(zip(kernel.fn.arg_names, [maps, "*fp32", out] + ["i32"] * 4))
        constants = {"VIEWS": 10, "CHANNELS": channels, "OUT_STRIDE": channels, "WIDEN_PAIRS": widen}
        compile_for_hopper(kernel, types, constants, list(range(3)))
    constants = {"VIEWS": 10, "CHANNELS": 32, "OUT_STRIDE": 35, "WIDEN_PAIRS": False}
    compile_for_hopper(kernel, types, constants, list(range(2)))  # a column slice
    kernel = fused._sample_and_contract_kernel
    types = dict(zip(kernel.fn.arg_names, ["*bf16", "*fp32", "*fp32", "*fp32"] + ["i32"] * 3))
    for widen in (True, False):
        constants = {"SAMPLES": 64, "VIEWS": 10, "CHANNELS": 512, "GROUPS": 64, "WIDEN_PAIRS": widen}
        compile_for_hopper(kernel, types, constants, list(range(4)))


@needs_triton
def test_narrow_maps_take_the_narrow_launches():
    """The 3-channel source images launch with 4 channel lanes a pair, wider maps never do."""
    from gpnerf.model import fused_feature_sampling as fused

    configs = fused._sample_kernel.configs
    for channels, shapes in ((3, fused.NARROW_SHAPES), (4, fused.NARROW_SHAPES), (5, fused.WIDE_SHAPES),
                             (512, fused.WIDE_SHAPES)):
        kept = fused.launches_for_channels(configs, {}, CHANNELS=channels)
        assert [(c.kwargs["BLOCK_PAIRS"], c.kwargs["BLOCK_CHANNELS"], c.num_warps) for c in kept] == list(shapes)


def test_maps_laid_out_for_sampling_reach_the_kernels_without_a_copy():
    maps = torch.randn(3, 40, 6, 8)
    laid_out = laid_out_for_sampling(maps)
    assert torch.equal(laid_out, maps) and laid_out.shape == maps.shape
    assert channels_last(laid_out).data_ptr() == laid_out.data_ptr()
    assert channels_last(maps).data_ptr() != maps.data_ptr()
    assert torch.equal(channels_last(laid_out), channels_last(maps))


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("image_size", [(24, 32), (240, 320), (1, 7)])
def test_kernel_grid_is_the_sampling_grid_bit_for_bit(dtype, image_size):
    _, uv, height, width = maps_and_coordinates(image_size=image_size)
    uv = uv.to(dtype)
    expected = sampling_grid(uv.float(), height, width)
    grid = kernel_grid(uv, height, width)
    assert grid.dtype == torch.float32 and grid.is_contiguous()
    torch.testing.assert_close(grid, expected, rtol=0, atol=0, equal_nan=True)
    strided = uv.transpose(1, 2)  # coordinates that are not contiguous
    torch.testing.assert_close(kernel_grid(strided, height, width), expected.transpose(1, 2), rtol=0, atol=0,
                               equal_nan=True)
    assert kernel_grid(strided, height, width).is_contiguous()


def test_compiled_kernel_grid_is_the_functional_grid():
    """Traced by dynamo, the grid is ``sampling_grid``'s functional form (one stack, which inductor fuses with the
    products; no writes into strided halves, which it would leave to PyTorch's kernels), the same values."""
    _, uv, height, width = maps_and_coordinates(image_size=(24, 32))
    graphs = []

    def record(graph_module, example_inputs):
        graphs.append(graph_module)
        return graph_module.forward

    torch._dynamo.reset()
    try:
        grid = torch.compile(kernel_grid, backend=record, fullgraph=True)(uv, height, width)
    finally:
        torch._dynamo.reset()
    torch.testing.assert_close(grid, sampling_grid(uv, height, width), rtol=0, atol=0, equal_nan=True)
    targets = [node.target for node in graphs[0].graph.nodes if node.op == "call_function"]
    assert torch.stack in targets and not any(node.kwargs.get("out") is not None for node in graphs[0].graph.nodes)


@needs_cuda
@pytest.mark.gpu
def test_kernel_grid_on_the_gpu_is_the_sampling_grid_bit_for_bit():
    _, uv, height, width = maps_and_coordinates(image_size=(240, 320), points=(4800, 64), device="cuda")
    torch.testing.assert_close(
        kernel_grid(uv, height, width), sampling_grid(uv, height, width), rtol=0, atol=0, equal_nan=True
    )


def test_deferred_samples_give_no_semantic_field():
    maps, uv, height, width = maps_and_coordinates()
    deferred = DeferredSamples(maps, uv, height, width, torch.float32)
    with pytest.raises(ValueError, match="sample X to build the semantic field"):
        fold_semantic_path(deferred, [None], [None], add_position=False, with_field=True)


def test_maps_that_need_gradients_or_live_on_the_cpu_keep_grid_sample():
    maps = torch.randn(2, 4, 3, 3, requires_grad=True)
    assert not fused_sampling_supported(maps.detach())  # a CPU tensor outside the interpreter
    assert not fused_sampling_supported(maps)
    with pytest.raises(ValueError, match="Check fused_sampling_supported"):
        sample_feature_maps_fused(maps, torch.zeros(2, 1, 1, 2), 3, 3, torch.float32)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_fused_sampling_on_the_gpu_matches_grid_sample(dtype):
    for channels, map_size in ((512, (60, 80)), (7, (24, 32))):
        maps, uv, height, width = maps_and_coordinates(channels=channels, map_size=map_size, points=(64, 48), device="cuda")
        maps = maps.to(dtype)  # bf16 maps, as under autocast; sampled in float32 by both paths
        expected = reference(maps, uv, height, width, dtype)
        got = sample_feature_maps_fused(maps, uv, height, width, dtype)
        if dtype == torch.float32:
            assert_within(got, coordinate_envelope([maps], uv, height, width), expected, 1e-6)
        else:
            assert_matches(got, expected, 2**-7)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_concatenated_sampling_on_the_gpu_matches_cat_of_grid_sample(dtype):
    got, expected, maps, uv, height, width = concatenated_case("cuda", dtype)
    if dtype == torch.float32:
        assert_within(got, coordinate_envelope(maps, uv, height, width), expected, 1e-6)
    else:
        assert_matches(got, expected, 2**-7)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_every_narrow_launch_on_the_gpu_matches_cat_of_grid_sample(dtype):
    """Each narrow launch on its own (the autotuner never checks the launches it times), as the images' samples."""
    from gpnerf.model.fused_feature_sampling import NARROW_SHAPES, _sample_kernel

    for shape in NARROW_SHAPES:
        with only_launch(_sample_kernel, *shape):
            got, expected, maps, uv, height, width = concatenated_case("cuda", dtype)
        if dtype == torch.float32:
            assert_within(got, coordinate_envelope(maps, uv, height, width), expected, 1e-6)
        else:
            assert_matches(got, expected, 2**-7)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_fused_contraction_on_the_gpu_matches_the_einsum(dtype):
    for channels, groups, map_size in ((512, 64, (60, 80)), (40, 8, (6, 8))):
        maps, uv, height, width, weight, expected, magnitude = contraction_case(channels, groups, map_size, "cuda", dtype)
        assert_contraction_matches(sample_and_contract_fused(maps, uv, weight, height, width), expected, magnitude, 1e-5)


@pytest.mark.gpu
def compare_training_step(device: str, autocast: bool, tolerance: float) -> None:
    """With the gradient block the semantic maps reach the transformer detached, so training samples them with the
    kernel too (and projects the points with the projection kernel): losses and gradients with the kernels on vs off
    (same weights, same samples), within ``tolerance`` (relative to the loss and to the norm of all gradients)."""
    from contextlib import nullcontext
    from dataclasses import replace

    from model_helpers import make_episode, small_config

    from gpnerf.losses import compute_losses
    from gpnerf.model import GPNeRF

    config = replace(small_config(d_rgb=16, d_fpn=16), implementation="fast")
    episode = make_episode().to(device)
    results = []
    for fused in (True, False):
        torch.manual_seed(0)
        model = GPNeRF(replace(config, fused_kernels=fused), 5).to(device).train()
        with torch.autocast(device, dtype=torch.bfloat16) if autocast else nullcontext(), counting_kernel_calls() as calls:
            total, _ = compute_losses(model(episode), episode, model.config)
        sampled = [call for call in calls if call != "project"]  # the semantic maps only
        assert sampled == (["sample"] * len(sampled) if fused else []) and (len(sampled) >= 1) == fused, calls
        # the points need no gradient: coarse, importance and merged points projected by the kernel
        assert calls.count("project") == (3 if fused else 0), calls
        total.backward()
        results.append((total.detach(), {n: p.grad for n, p in model.named_parameters() if p.grad is not None}))
    (loss_on, grads_on), (loss_off, grads_off) = results
    assert float((loss_on - loss_off).abs() / loss_off.abs()) <= tolerance
    assert grads_on.keys() == grads_off.keys()
    total_norm = torch.stack([g.float().norm() for g in grads_off.values()]).norm()
    for name, grad in grads_off.items():
        assert float((grads_on[name].float() - grad.float()).norm()) <= tolerance * float(total_norm), name


@pytest.mark.gpu
@needs_cuda
def test_training_step_with_fused_sampling_matches_grid_sample():
    """bf16 autocast on the GPU (float32 under the interpreter: ``interpreted_checks``)."""
    compare_training_step("cuda", autocast=True, tolerance=2e-2)


if __name__ == "__main__":
    interpreted_checks()

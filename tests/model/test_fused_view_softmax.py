"""The Triton kernels of the FAT blocks' masked softmax over views with dropout, forward and backward, against the
plain composition (docs/performance.md, "Fused softmax over views").

On the CPU the kernels run under the Triton interpreter (``TRITON_INTERPRET=1``, in a subprocess: this file run as
a script), float32 only; bf16 on the GPU. Both kernels are also compiled for sm_90 on the CPU. The kernels draw
their own dropout masks, so the checks with dropout read the mask off the result (an element is kept where ``A``
is not 0; every valid view has a positive probability here) and hold the result and the gradient to the plain
composition with that mask. Tolerances: float32 ``1e-6`` absolute (the same float32 operations, summed in another
order); bf16 ``1e-2`` relative (both round at the same points; a float32 difference in the last place can flip a
rounding).
"""

from dataclasses import replace

import pytest
import torch

from gpnerf.model import PRESETS
from gpnerf.model.field_aggregation import FieldAggregationTransformer
from triton_checks import compile_for_hopper_with, needs_cuda, needs_triton, run_interpreted

PAPER_CHANNELS = PRESETS["paper-scannet"].transformer.d_rgb
"""The paper preset's attention channels per view (d_rgb)."""


def random_inputs(points: int, views: int, channels: int, device: str = "cpu", dtype=torch.float32, seed: int = 0):
    """Logits, a valid-view mask with some views masked and one point with none valid, and an upstream gradient."""
    generator = torch.Generator().manual_seed(seed)
    logits = (torch.randn(points, views, channels, generator=generator) * 2).to(device, dtype)
    valid = (torch.rand(points, views, generator=generator) > 0.3).to(device)
    valid[0] = False
    grad = torch.randn(points, views, channels, generator=generator).to(device, dtype)
    return logits, valid, grad


def attention_and_gradient(function, logits: torch.Tensor, grad: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``A = function(logits)`` and ``d logits`` for the upstream gradient ``grad``."""
    leaf = logits.detach().requires_grad_()
    attention = function(leaf)
    attention.backward(grad)
    return attention.detach(), leaf.grad


def compare_with_reference(points: int, views: int, channels: int, p: float, tolerance: float, relative: bool,
                           device: str = "cpu", dtype=torch.float32) -> None:
    """The kernels' ``A`` and ``d logits`` against :func:`view_softmax_reference` with the kernels' dropout mask."""
    from gpnerf.model.fused_view_softmax import fused_view_softmax, view_softmax_reference

    logits, valid, grad = random_inputs(points, views, channels, device, dtype)
    got, got_grad = attention_and_gradient(lambda x: fused_view_softmax(x, valid, p), logits, grad)
    keep = (got != 0) if p > 0 else None
    expected, expected_grad = attention_and_gradient(lambda x: view_softmax_reference(x, valid, keep, p), logits, grad)
    for name, a, b in (("attention", got, expected), ("grad", got_grad, expected_grad)):
        assert a.shape == b.shape and a.dtype == b.dtype == dtype, (name, a.shape, b.shape, a.dtype, b.dtype)
        if relative:
            error = float((a.double() - b.double()).norm() / b.double().norm())
        else:
            error = float((a.double() - b.double()).abs().max())
        assert error <= tolerance, (name, points, views, channels, p, error)
    if p > 0:  # the kept share of the valid views' elements is 1 - p (binomial, 4.5 standard deviations)
        kept = keep[valid].double()
        assert abs(float(kept.mean()) - (1 - p)) <= 4.5 * (p * (1 - p) / kept.numel()) ** 0.5, float(kept.mean())


def compare_block_with_and_without_kernels(device: str, tolerance: float, autocast_dtype=None, compiled: bool = False):
    """A paper-preset FAT block in training mode without dropout (so both paths compute the same function): output,
    attention and every parameter's gradient with the softmax kernels and with the PyTorch ops (relative to the
    larger of its norm and 1e-3 of the largest)."""
    torch.manual_seed(0)
    config = replace(PRESETS["paper-scannet"].transformer, dropout=0.0)
    block = FieldAggregationTransformer(config, True, fold_logit_projections=True, fused_inference=True).to(device)
    block.fused_tail = False
    rays, samples, views, d = 3, 5, 10, config.d_rgb
    inputs = (torch.randn(rays, samples, d), torch.randn(rays, samples, views, d), torch.randn(rays, samples, views, 4),
              torch.rand(rays, samples, views) > 0.3)
    inputs = tuple(x.to(device) for x in inputs)
    results = []
    for fused in (True, False):
        block.fused_softmax = fused
        block.zero_grad(set_to_none=True)
        run = torch.compile(block) if compiled and fused else block
        with torch.autocast(device, dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None):
            x, field_attention = run(*inputs)
            (x.float().square().mean() + field_attention.attention.float().mean()).backward()
        grads = {name: p.grad.detach().clone() for name, p in block.named_parameters()}
        results.append({"x": x.detach(), "attention": field_attention.attention.detach(), **grads})
    got, expected = results
    floor = 1e-3 * max(float(value.double().norm()) for value in expected.values())  # analytically zero: attn_fc[2]'s
    for name in expected:                                                              # bias (softmax gradients sum to 0)
        a, b = got[name].double(), expected[name].double()
        error = float((a - b).norm()) / max(float(b.norm()), floor)
        assert error <= tolerance, (name, error)


def interpreted_checks() -> None:
    """Run under TRITON_INTERPRET=1: float32, the paper's width and narrow ones, views that are and are not a power
    of two, with and without dropout; a FAT block's forward and backward with the kernels and without."""
    from gpnerf.model import fused_view_softmax as module

    calls = []
    for kernel in (module._forward_kernel, module._backward_kernel):
        original = kernel.run
        kernel.run = lambda *args, original=original, **kwargs: (calls.append(1), original(*args, **kwargs))[1]
    for points, views, channels in ((9, 10, PAPER_CHANNELS), (5, 3, 16), (3, 17, 32)):
        compare_with_reference(points, views, channels, 0.0, 1e-6, relative=False)
    compare_with_reference(400, 10, PAPER_CHANNELS, 0.25, 1e-6, relative=False)
    assert len(calls) == 8, calls  # forward and backward of each comparison
    logits, valid, _ = random_inputs(64, 10, 16)
    torch.manual_seed(1)
    first = module.fused_view_softmax(logits, valid, 0.5)
    torch.manual_seed(1)
    assert torch.equal(module.fused_view_softmax(logits, valid, 0.5), first)  # the mask follows PyTorch's generator
    assert not torch.equal(module.fused_view_softmax(logits, valid, 0.5), first)  # and a new draw gives a new mask
    compare_block_with_and_without_kernels("cpu", 1e-5)
    assert len(calls) == 8 + 3 + 2, calls  # the three draws above, then the block's forward and backward
    print("interpreted checks passed")


@needs_triton
def test_kernels_under_the_triton_interpreter_match_the_reference():
    run_interpreted(__file__)


@needs_triton
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float32])
@pytest.mark.parametrize("p", [0.0, 0.1])
def test_kernels_compile_for_hopper_in_every_launch_configuration(dtype, p):
    from gpnerf.model import fused_view_softmax as fused

    logits, valid, grad = random_inputs(8, 10, PAPER_CHANNELS, dtype=dtype)
    seed = torch.zeros(1, dtype=torch.int64)
    arguments, constants = fused.kernel_arguments(logits, valid, seed, p)
    compile_for_hopper_with(fused._forward_kernel, arguments, constants)
    arguments, constants = fused.kernel_arguments(logits, valid, seed, p, grad)
    compile_for_hopper_with(fused._backward_kernel, arguments, constants)


@needs_triton
def test_supported_shapes(monkeypatch):
    """The kernels take what fits their design (checked as under the interpreter, where CPU tensors qualify)."""
    from gpnerf.model.fused_view_softmax import MAX_VIEWS, view_softmax_supported

    monkeypatch.setenv("TRITON_INTERPRET", "1")
    valid = torch.ones(5, 10, dtype=torch.bool)
    assert view_softmax_supported(torch.zeros(5, 10, 64), valid)
    assert view_softmax_supported(torch.zeros(5, 10, 256, dtype=torch.bfloat16), valid)
    assert not view_softmax_supported(torch.zeros(5, 10, 48), valid)  # not a power of two
    assert not view_softmax_supported(torch.zeros(5, 10, 512), valid)  # too wide
    assert not view_softmax_supported(torch.zeros(5, 10, 64, dtype=torch.float64), valid)
    assert not view_softmax_supported(torch.zeros(5, 10, 64), valid.float())  # the mask must be bool
    assert not view_softmax_supported(torch.zeros(5, 9, 64), valid)  # mask and logits disagree
    many = MAX_VIEWS + 1
    assert not view_softmax_supported(torch.zeros(2, many, 16), torch.ones(2, many, dtype=torch.bool))


def test_cpu_keeps_the_pytorch_ops_and_rejects_the_kernels():
    from gpnerf.model.fused_view_softmax import fused_view_softmax, view_softmax_supported

    logits, valid, _ = random_inputs(5, 3, 16)
    if view_softmax_supported(logits, valid):
        pytest.skip("the Triton interpreter is on in this process")
    with pytest.raises(ValueError, match="fused_view_softmax needs Triton"):
        fused_view_softmax(logits, valid, 0.1)
    compare_block_with_and_without_kernels("cpu", 0.0)  # the PyTorch ops on both sides


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_kernels_on_the_gpu_match_the_reference(precision):
    """A training step's points (512 rays x 64 samples, 10 views) with the paper's dropout, and narrow shapes."""
    dtype, tolerance = (torch.float32, 1e-6) if precision == "fp32" else (torch.bfloat16, 1e-2)
    relative = precision == "bf16"
    rate = PRESETS["paper-scannet"].transformer.dropout
    for points, views, channels, p in ((512 * 64, 10, PAPER_CHANNELS, rate), (9, 10, PAPER_CHANNELS, 0.0),
                                       (5, 3, 16, 0.5), (3, 17, 32, 0.0)):
        compare_with_reference(points, views, channels, p, tolerance, relative, "cuda", dtype)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("compiled", [False, True])
def test_block_training_step_on_the_gpu_matches_the_pytorch_ops(compiled):
    """bf16 autocast, forward and backward; compiled, torch.compile traces the kernels and their autograd."""
    torch._dynamo.reset()
    compare_block_with_and_without_kernels("cuda", 2e-2, torch.bfloat16, compiled)


@pytest.mark.gpu
@needs_cuda
def test_cuda_graph_replays_draw_new_masks():
    from gpnerf.cuda_graphs import GraphedFunction
    from gpnerf.model.fused_view_softmax import fused_view_softmax

    logits, valid, _ = random_inputs(256, 10, PAPER_CHANNELS, "cuda", torch.bfloat16)
    graphed = GraphedFunction(lambda x, v: fused_view_softmax(x, v, 0.5), torch.nn.Module())
    first = graphed(logits, valid).clone()
    second = graphed(logits, valid).clone()
    assert not torch.equal(first != 0, second != 0)
    for attention in (first, second):
        assert abs(float((attention != 0)[valid].float().mean()) - 0.5) < 0.01


if __name__ == "__main__":
    interpreted_checks()

"""The fold's per-layer scales and position sum from one kernel against the same arithmetic as PyTorch ops
(docs/performance.md).

On the CPU the kernel runs under the Triton interpreter (``TRITON_INTERPRET=1``, in a subprocess: this file run as a
script), float32, and is compiled for sm_90 at a render's shapes. Tolerances: the scales are the same float32 product
in both (equal to the bit); the position sum adds the same float32 products over samples and layers in another order,
``1e-6`` of the sum of their magnitudes.
"""

import pytest
import torch

from gpnerf.model.field_aggregation import FieldAttention
from gpnerf.model.fused_fold_statistics import (
    MAX_LAYERS, fold_statistics, fold_statistics_reference, fused_fold_statistics_supported,
)
from triton_checks import compile_for_hopper_with, needs_cuda, needs_triton, run_interpreted


def statistics_case(rays: int, samples: int, groups: int, heads: int, layers: int, device: str = "cpu"):
    """``layers`` FAT-kernel-like statistics (inverse totals in ``[1 / 10, 1]``, weighted positions of either sign)
    and RAT column means, float32."""
    attentions = [
        FieldAttention(
            None, None, torch.randn(rays, samples, groups, device=device), None, None,
            1 / (1 + 9 * torch.rand(rays, samples, groups, device=device)),
        )
        for _ in range(layers)
    ]
    scores = [torch.randn(rays, heads, samples, samples, device=device) for _ in range(layers)]
    means = [torch.softmax(s, -1).mean(2) for s in scores]
    return attentions, means


def assert_matches_reference(attentions: list[FieldAttention], means: list[torch.Tensor], with_position: bool) -> None:
    assert fused_fold_statistics_supported(attentions, means, with_position)
    got = fold_statistics(attentions, means, with_position)
    expected = fold_statistics_reference(attentions, means, with_position)
    assert len(got.scales) == len(expected.scales)
    for scale, reference in zip(got.scales, expected.scales):
        assert torch.equal(scale, reference)
    if not with_position:
        assert got.position is None
        return
    magnitude = fold_statistics_reference(
        [FieldAttention(None, None, a.weighted_position.abs(), None, None, a.inverse_total) for a in attentions],
        means, with_position,
    ).position
    assert got.position.shape == expected.position.shape
    assert bool(((got.position - expected.position).abs() <= 1e-6 * (magnitude + 1)).all())


CASES = (  # rays, samples, groups, heads, layers
    (3, 64, 64, 4, 8), (2, 48, 64, 4, 8), (2, 17, 8, 2, 3), (1, 5, 16, 16, 1), (2, 1, 12, 3, 2),
)


def interpreted_checks() -> None:
    torch.manual_seed(0)
    for rays, samples, groups, heads, layers in CASES:
        for with_position in (True, False):
            assert_matches_reference(*statistics_case(rays, samples, groups, heads, layers), with_position)
    print("interpreted checks passed")


@needs_triton
def test_the_kernel_under_the_triton_interpreter_matches_the_pytorch_ops():
    run_interpreted(__file__)


@needs_triton
@pytest.mark.parametrize("with_position", [True, False])
def test_the_kernel_compiles_for_hopper_in_every_launch_configuration(with_position):
    """At a render's fine pass (64 samples, 64 groups, 4 heads, 8 layers; two rays stand in), no launch, no GPU."""
    from gpnerf.model import fused_fold_statistics as fused

    attentions, means = statistics_case(2, 64, 64, 4, 8)
    arguments, constants, _ = fused.kernel_arguments(attentions, means, with_position)
    compile_for_hopper_with(fused._fold_statistics_kernel, arguments, constants)


@needs_triton
def test_what_the_kernel_does_not_take_keeps_the_pytorch_ops(monkeypatch):
    monkeypatch.setenv("TRITON_INTERPRET", "1")  # CPU tensors qualify, as under the interpreter
    attentions, means = statistics_case(1, 5, 8, 2, 2)
    assert fused_fold_statistics_supported(attentions, means, True)
    assert not fused_fold_statistics_supported(attentions * MAX_LAYERS, means * MAX_LAYERS, True)  # 16 layers
    assert not fused_fold_statistics_supported(attentions, means[:1], True)
    without_position = [FieldAttention(None, None, None, None, None, a.inverse_total) for a in attentions]
    assert fused_fold_statistics_supported(without_position, means, False)
    assert not fused_fold_statistics_supported(without_position, means, True)
    stored = [FieldAttention(torch.zeros(1, 5, 3, 8), None, None) for _ in attentions]  # no FAT kernel statistics
    assert not fused_fold_statistics_supported(stored, means, False)
    monkeypatch.delenv("TRITON_INTERPRET")
    assert not fused_fold_statistics_supported(attentions, means, True)  # CPU tensors without the interpreter


@pytest.mark.gpu
@needs_cuda
def test_the_kernel_on_the_gpu_matches_the_pytorch_ops():
    torch.manual_seed(0)
    for rays, samples, groups, heads, layers in ((4800, 64, 64, 4, 8), (300, 48, 64, 4, 8), *CASES[2:]):
        for with_position in (True, False):
            assert_matches_reference(*statistics_case(rays, samples, groups, heads, layers, "cuda"), with_position)


if __name__ == "__main__":
    interpreted_checks()

"""The PE(x) terms kernel against the PyTorch ops of ``project_positions`` (gpnerf.model.fused_position_terms).

On the CPU the kernel runs under the Triton interpreter (``TRITON_INTERPRET=1``, in a subprocess: this file run as a
script), float32. Reference: ``PositionalEncoding`` then the product with the q_fcs' PE(x) columns, as
``project_positions`` computes it. Tolerances: float32 ``1e-5`` relative to the terms' norm (the same encoding, the
product's summation order differs); bf16 under autocast ``2e-2`` (both round the encoding and the terms to bf16 and
accumulate in float32, in different orders, so single terms may differ by a bf16 step). The points span a room
(|x| up to 8 m), so the highest octave's angles reach thousands of radians.
"""

import pytest
import torch
from torch import nn

from gpnerf.model.fused_position_terms import (
    position_terms_fused, position_terms_supported, position_weight,
)
from gpnerf.model.posenc import PositionalEncoding
from gpnerf.model.transformer import project_positions
from triton_checks import compile_for_hopper_with, needs_cuda, needs_triton, run_interpreted


def q_fcs_and_points(layers: int = 3, d_rgb: int = 16, frequencies: int = 10, shape=(7, 5), device: str = "cpu"):
    """q_fcs as the transformer builds them (``[q, PE(x), PE(d)]`` in) and points in a room."""
    torch.manual_seed(0)
    d_pe = 3 * (1 + 2 * frequencies)
    q_fcs = nn.ModuleList(
        nn.Sequential(nn.Linear(d_rgb + 2 * d_pe, d_rgb), nn.ReLU(), nn.Linear(d_rgb, d_rgb)) for _ in range(layers)
    ).to(device)
    xyz = (torch.rand(*shape, 3) * 16 - 8).to(device)
    direction = nn.functional.normalize(torch.randn(shape[0], 3), dim=-1).to(device)
    return q_fcs, xyz, direction, PositionalEncoding(frequencies)


def reference_terms(q_fcs, xyz, direction, posenc) -> torch.Tensor:
    pe_dir = posenc(direction)[:, None, :].expand(-1, xyz.shape[1], -1)
    return project_positions(q_fcs, posenc(xyz), pe_dir)[0]


def relative(got: torch.Tensor, expected: torch.Tensor) -> float:
    return float((got.double() - expected.double()).norm() / expected.double().norm())


def check(device: str, autocast: bool, tolerance: float, **shapes) -> None:
    q_fcs, xyz, direction, posenc = q_fcs_and_points(device=device, **shapes)
    with torch.no_grad(), torch.autocast(device, dtype=torch.bfloat16, enabled=autocast):
        dtype = torch.bfloat16 if autocast else torch.float32
        got = position_terms_fused(xyz, position_weight(q_fcs, posenc.d_out(3), dtype), posenc.num_frequencies)
        expected = reference_terms(q_fcs, xyz, direction, posenc)
    assert got.shape == expected.shape and got.dtype == expected.dtype, (got.shape, got.dtype, expected.dtype)
    assert relative(got, expected) <= tolerance, relative(got, expected)


def interpreted_checks() -> None:
    check("cpu", autocast=False, tolerance=1e-5)
    check("cpu", autocast=False, tolerance=1e-5, layers=1, frequencies=0, shape=(3, 2))  # the point alone
    check("cpu", autocast=False, tolerance=1e-5, layers=8, d_rgb=64, frequencies=4, shape=(5, 9))
    print("interpreted checks passed")


@needs_triton
def test_kernel_under_the_triton_interpreter_matches_project_positions():
    run_interpreted(__file__)


@needs_triton
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_kernel_compiles_for_hopper_in_every_launch_configuration(dtype):
    from gpnerf.model import fused_position_terms as fused

    q_fcs, xyz, _, posenc = q_fcs_and_points(layers=8, d_rgb=64)
    weight = position_weight(q_fcs, posenc.d_out(3), dtype)
    arguments, constants, _ = fused.kernel_arguments(xyz, weight, posenc.num_frequencies)
    compile_for_hopper_with(fused._position_terms_kernel, arguments, constants)


@needs_triton
def test_float32_launches_take_the_shapes_that_do_not_spill():
    from gpnerf.model import fused_position_terms as fused

    configs = fused._position_terms_kernel.configs
    for ieee, shapes in ((True, fused.FLOAT32_SHAPES), (False, fused.HALF_SHAPES)):
        kept = fused.launches_for_dtype(configs, {}, IEEE=ieee)
        assert [(c.kwargs["BLOCK_POINTS"], c.kwargs["BLOCK_COLUMNS"], c.num_warps) for c in kept] == list(shapes)


def test_supported_inputs_and_clear_errors():
    q_fcs, xyz, _, posenc = q_fcs_and_points()
    interpreted = __import__("os").environ.get("TRITON_INTERPRET") == "1"
    assert position_terms_supported(xyz) == interpreted  # CPU tensors: the interpreter's only
    assert not position_terms_supported(xyz.double())
    if interpreted:
        return
    with pytest.raises(ValueError, match="position_terms_supported"):
        position_terms_fused(xyz, position_weight(q_fcs, posenc.d_out(3), torch.float32), posenc.num_frequencies)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("autocast", [False, True])
def test_kernel_on_the_gpu_matches_project_positions(autocast):
    """The presets' widths (8 q_fcs of d_rgb 64, 10 octaves) at a render chunk's points (4,800 x 64)."""
    check("cuda", autocast=autocast, tolerance=2e-2 if autocast else 1e-5, layers=8, d_rgb=64, shape=(4800, 64))


if __name__ == "__main__":
    interpreted_checks()

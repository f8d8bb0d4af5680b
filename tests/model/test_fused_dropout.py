"""The dropout keep-mask kernel (gpnerf.model.fused_dropout) against its PyTorch reference, bit for bit.

The reference implements Philox4x32-10 with PyTorch int64 ops and is itself held to Random123's published
known-answer vectors. On the CPU the kernel runs under the Triton interpreter (a subprocess: this file run as a
script); on the GPU against the same reference. The masks are exact (integers), so every comparison is equality.
"""

import math

import pytest
import torch
from torch import nn

from gpnerf.model import fused_dropout
from gpnerf.model.fused_dropout import MaskedDropout, keep_mask_reference, keep_threshold, philox_reference
from triton_checks import compile_for_hopper_with, needs_cuda, needs_triton, run_interpreted

RANDOM123_PHILOX4X32_10 = [  # (counter, key, output), Random123's kat_vectors
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]
CASES = [(12345, 10001, 0.1), (2**61 + 987654321, 16387, 0.5), (7, 3, 0.1), (2**62 - 1, 8192, 0.0)]
"""(seed, elements, p): more than one program (8,192 elements each), partial last groups of 8, p = 0."""


def test_reference_philox_matches_random123_known_answers():
    for counter, key, output in RANDOM123_PHILOX4X32_10:
        assert philox_reference(torch.tensor([counter]), key)[0].tolist() == list(output)


def test_reference_keeps_each_element_with_probability_one_minus_p():
    for p in (0.1, 0.5):
        numel = 400_000
        kept = keep_mask_reference(20261203, numel, p).double().mean().item()
        expected = 1 - keep_threshold(p) / 2**fused_dropout.DECISION_BITS
        assert abs(expected - (1 - p)) <= 2**-fused_dropout.DECISION_BITS
        assert abs(kept - expected) <= 6 * math.sqrt(p * (1 - p) / numel), (p, kept)
    first, second = keep_mask_reference(1, 4096, 0.5), keep_mask_reference(2, 4096, 0.5)
    assert not torch.equal(first, second)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        keep_threshold(1.0)


def test_reference_takes_each_half_of_each_philox_output_as_one_decision():
    """Element ``8 c + 2 k + h`` is half ``h`` of Philox output ``k`` for counter ``c``; the two halves of one output
    decide independently (their keep decisions uncorrelated within 6 sigma over 200 k pairs)."""
    seed, p, counters = 2**40 + 17, 0.5, 3
    threshold = keep_threshold(p)
    words = philox_reference(torch.tensor([[c, 0, 0, 0] for c in range(counters)]), (seed & 0xFFFFFFFF, seed >> 32))
    expected = [(int(words[c, k]) >> (16 * h) & 0xFFFF) >= threshold for c in range(counters) for k in range(4)
                for h in range(2)]
    assert keep_mask_reference(seed, 8 * counters, p).tolist() == expected
    mask = keep_mask_reference(20261204, 400_000, 0.3).double()
    low, high = mask[0::2] - mask[0::2].mean(), mask[1::2] - mask[1::2].mean()
    correlation = (low * high).mean() / (low.std() * high.std())
    assert abs(correlation) <= 6 / math.sqrt(len(low)), correlation


def test_cpu_without_the_interpreter_keeps_nn_dropout(monkeypatch):
    monkeypatch.delenv("TRITON_INTERPRET", raising=False)
    x = torch.randn(6, 7)
    layer = MaskedDropout(0.3).train()
    torch.manual_seed(3)
    got = layer(x)
    torch.manual_seed(3)
    assert torch.equal(got, nn.Dropout(0.3).train()(x))
    assert torch.equal(layer.eval()(x), x)
    assert isinstance(fused_dropout.dropout(0.1, fused=False), nn.Dropout)
    assert type(fused_dropout.dropout(0.1, fused=False)) is nn.Dropout
    assert isinstance(fused_dropout.dropout(0.1, fused=True), MaskedDropout)


@needs_triton
def test_kernel_compiles_for_hopper():
    seed, mask = torch.zeros(1, dtype=torch.int64), torch.empty(100, dtype=torch.bool)
    constants = dict(THRESHOLD=keep_threshold(0.1), BLOCK=fused_dropout.BLOCK_COUNTERS)
    compile_for_hopper_with(fused_dropout._keep_mask_kernel, [seed, mask, 100, 3], constants)


def interpreted_checks() -> None:
    """Run under TRITON_INTERPRET=1: the kernel's mask equals the reference's for each case; the layer's output and
    gradient are the input and the upstream gradient times ``mask / (1 - p)`` with the mask of the seed it drew;
    ``torch.compile`` traces the layer into one graph (the custom op's fake)."""
    for seed, numel, p in CASES:
        mask = fused_dropout.dropout_keep_mask(torch.tensor([seed]), [numel], p)
        assert mask.dtype == torch.bool and mask.shape == (numel,)
        assert torch.equal(mask, keep_mask_reference(seed, numel, p)), (seed, numel, p)
    layer = MaskedDropout(0.25).train()
    x = torch.randn(3, 5, 7, requires_grad=True)
    torch.manual_seed(11)
    y = layer(x)
    torch.manual_seed(11)
    seed = int(torch.randint(2**62, (1,)))
    scale = keep_mask_reference(seed, x.numel(), 0.25).view(x.shape) / 0.75
    assert torch.equal(y, x * scale)
    upstream = torch.randn_like(y)
    y.backward(upstream)
    assert torch.equal(x.grad, upstream * scale)
    compiled = torch.compile(lambda t: layer(t) + 1, backend="aot_eager", fullgraph=True)
    torch.manual_seed(11)
    assert torch.equal(compiled(x.detach()), x.detach() * scale + 1)
    shapes = [torch.Size([3, 5, 7]), torch.Size([2, 9]), torch.Size([1])]
    torch.manual_seed(5)
    masks = fused_dropout.keep_masks(shapes, 0.3, x.device)
    torch.manual_seed(5)
    seed = int(torch.randint(2**62, (1,)))
    flat = keep_mask_reference(seed, 112 + 32 + 16, 0.3)  # 105, 18 and 1 elements, each span a multiple of 16
    for (mask, mask_seed, first), shape, offset in zip(masks, shapes, (0, 112, 144)):
        assert mask.shape == shape and mask.storage_offset() == offset == first and int(mask_seed) == seed
        assert torch.equal(mask.flatten(), flat[offset:offset + shape.numel()])
        redrawn = fused_dropout.dropout_keep_mask(mask_seed, list(shape), 0.3, first)  # the slice alone
        assert torch.equal(redrawn, mask)
        assert torch.equal(redrawn.flatten(), keep_mask_reference(seed, shape.numel(), 0.3, first))
    from gpnerf.model.config import TransformerConfig
    from gpnerf.model.field_aggregation import FieldAggregationTransformer

    config = TransformerConfig(d_rgb=8, num_layers=1, num_heads=2, dropout=0.3, num_frequencies=2)
    block = FieldAggregationTransformer(config, True, fold_logit_projections=True, fused_dropout=True).train()
    inputs = [torch.randn(4, 3, 8), torch.randn(4, 3, 5, 8), torch.randn(4, 3, 5, 4), torch.rand(4, 3, 5) > 0.3]
    compiled_block = torch.compile(block, backend="aot_eager", fullgraph=True)  # the block's masks in its one graph
    torch.manual_seed(2)
    compiled_out = compiled_block(*inputs)[0]
    torch.manual_seed(2)
    assert torch.equal(compiled_out, block(*inputs)[0])
    redrawing = FieldAggregationTransformer(
        config, True, fold_logit_projections=True, fused_dropout=True, redraw_dropout_masks=True
    ).train()
    outputs, gradients = [], []
    for run in (torch.compile(redrawing, backend="aot_eager", fullgraph=True), redrawing):  # masks drawn again
        query = inputs[0].clone().requires_grad_(True)
        torch.manual_seed(4)
        outputs.append(run(query, *inputs[1:])[0])
        outputs[-1].square().sum().backward()
        gradients.append([query.grad] + [parameter.grad for parameter in redrawing.parameters()])
        redrawing.zero_grad(set_to_none=True)
    assert torch.equal(*outputs)
    for compiled_gradient, eager_gradient in zip(*gradients):
        assert torch.equal(compiled_gradient, eager_gradient)
    print("interpreted checks passed")


class FixedMaskDropout(nn.Module):
    """A dropout layer with a given keep mask: ``x * mask / (1 - p)``."""

    def __init__(self, mask: torch.Tensor, p: float) -> None:
        super().__init__()
        self.mask, self.p = mask, p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.mask * (1.0 / (1.0 - self.p))


def reference_kernel(seed: torch.Tensor, shape: list[int], p: float, first_element: int = 0) -> torch.Tensor:
    """:func:`fused_dropout.dropout_keep_mask` computed by its PyTorch reference (CPU)."""
    return keep_mask_reference(int(seed), math.prod(shape), p, first_element).view(shape)


def with_fixed_masks(block: nn.Module, masks: list[torch.Tensor]) -> nn.Module:
    """``block`` with its attention, output, hidden and feed-forward output dropout layers (in that order) taking
    ``masks``."""
    block.attn_dropout = FixedMaskDropout(masks[0], block.attn_dropout.p)
    block.out_dropout = FixedMaskDropout(masks[1], block.out_dropout.p)
    block.ff[2] = FixedMaskDropout(masks[2], block.ff[2].p)
    block.ff[4] = FixedMaskDropout(masks[3], block.ff[4].p)
    return block


@pytest.mark.parametrize("redraw", [False, True], ids=["kept", "redrawn"])
@pytest.mark.parametrize("kind", ["field", "ray"])
def test_a_block_draws_its_four_masks_with_one_seed_and_one_kernel(kind, redraw, monkeypatch):
    """A training FAT / RAT block with the fast path's dropout draws all four of its masks by one kernel call (one
    seed), each layer gets its own: the block's output and gradients equal, bit for bit, those of the same block
    whose dropout layers hold those masks. The kernel is replaced by its PyTorch reference (CPU). With ``redraw``
    the backward draws each layer's mask again, one kernel call per layer at the layer's own elements, and autograd
    keeps the seed instead of any mask."""
    from gpnerf.model.config import TransformerConfig
    from gpnerf.model.field_aggregation import FieldAggregationTransformer
    from gpnerf.model.ray_aggregation import RayAggregationTransformer

    monkeypatch.setattr(fused_dropout, "kernels_can_run_on", lambda tensor: True)
    kernel_calls, drawn = [], []
    monkeypatch.setattr(fused_dropout, "dropout_keep_mask", lambda *a: kernel_calls.append(a) or reference_kernel(*a))
    keep_masks = fused_dropout.keep_masks
    monkeypatch.setattr(fused_dropout, "keep_masks", lambda *a: drawn.append(keep_masks(*a)) or drawn[-1])
    config = TransformerConfig(d_rgb=8, num_layers=1, num_heads=2, dropout=0.3, num_frequencies=2)
    torch.manual_seed(0)
    if kind == "field":
        block = FieldAggregationTransformer(
            config, True, fold_logit_projections=True, fused_dropout=True, redraw_dropout_masks=redraw
        )
        inputs = [torch.randn(4, 3, 8), torch.randn(4, 3, 5, 8), torch.randn(4, 3, 5, 4), torch.rand(4, 3, 5) > 0.3]
    else:
        block = RayAggregationTransformer(
            config, compute_dtype_attention=True, fused_dropout=True, redraw_dropout_masks=redraw
        )
        inputs = [torch.randn(4, 3, 8)]
    block.train()
    inputs[0].requires_grad_(True)
    saved_bool_shapes = []

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        if tensor.dtype == torch.bool:
            saved_bool_shapes.append(tuple(tensor.shape))
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        out = block(*inputs)[0]
    assert len(kernel_calls) == 1 and len(drawn) == 1
    masks = [drawn_mask.mask for drawn_mask in drawn[0]]
    mask_shapes = {tuple(m.shape) for m in masks}
    assert bool(mask_shapes & set(saved_bool_shapes)) != redraw  # kept masks are saved; redrawn ones are not
    attention_shape = (4, 3, 5, 8) if kind == "field" else (4, 2, 3, 3)
    assert [tuple(m.shape) for m in masks] == [attention_shape, (4, 3, 8), (4, 3, config.ff_multiplier * 8), (4, 3, 8)]
    assert all(0 < m.float().mean() < 1 for m in masks)
    upstream = torch.randn_like(out)
    out.backward(upstream)
    assert len(kernel_calls) == (5 if redraw else 1)
    if redraw:  # each layer's own elements of the block's stream, with the forward's seed
        assert [(call[1], call[3]) for call in kernel_calls[1:]] == sorted(
            [(list(m.shape), first) for m, _, first in drawn[0]], key=lambda call: -call[1]
        )
        assert all(call[0] is kernel_calls[0][0] for call in kernel_calls[1:])
    gradients = {name: parameter.grad for name, parameter in block.named_parameters()}
    block.zero_grad(set_to_none=True)
    fixed = with_fixed_masks(block, masks)
    query = inputs[0].detach().requires_grad_(True)
    expected = fixed(query, *inputs[1:])[0]
    expected.backward(upstream)
    assert len(kernel_calls) == (5 if redraw else 1)
    assert torch.equal(out, expected)
    assert torch.equal(inputs[0].grad, query.grad)
    for name, parameter in fixed.named_parameters():
        assert torch.equal(gradients[name], parameter.grad), name


def test_a_fast_model_step_is_the_same_with_its_masks_kept_or_redrawn(monkeypatch):
    """``ModelConfig.redraw_dropout_masks`` reaches every FAT and RAT block of a fast model: a training step (dropout
    0.2, coarse + fine, all losses) gives the same losses and gradients, bit for bit, with the masks kept or drawn
    again, the redrawn model calling the kernel once more per dropout layer and pass in the backward. The kernel is
    replaced by its PyTorch reference (CPU)."""
    from dataclasses import replace

    from gpnerf.losses import compute_losses
    from gpnerf.model import GPNeRF
    from model_helpers import make_episode, small_config

    monkeypatch.setattr(fused_dropout, "kernels_can_run_on", lambda tensor: True)
    kernel_calls = []
    monkeypatch.setattr(fused_dropout, "dropout_keep_mask", lambda *a: kernel_calls.append(a) or reference_kernel(*a))
    base = small_config()
    episode = make_episode(seed=1)
    results = []
    for redraw in (False, True):
        config = replace(
            base, implementation="fast", redraw_dropout_masks=redraw, transformer=replace(base.transformer, dropout=0.2)
        )
        torch.manual_seed(0)
        model = GPNeRF(config, num_classes=5).train()
        kernel_calls.clear()
        torch.manual_seed(3)
        total_loss, terms = compute_losses(model(episode), episode, config)
        forward_calls = len(kernel_calls)
        total_loss.backward()
        results.append((
            {"total": total_loss.detach(), **terms},
            {name: parameter.grad for name, parameter in model.named_parameters() if parameter.grad is not None},
            forward_calls, len(kernel_calls),
        ))
    (kept_losses, kept_grads, kept_forward, kept_total), (losses, grads, forward, total) = results
    blocks_per_pass = 2 * base.transformer.num_layers  # FAT + RAT
    assert kept_forward == forward == kept_total == 2 * blocks_per_pass  # coarse and fine passes, one draw per block
    assert total == forward + 4 * forward
    assert kept_losses.keys() == losses.keys() and kept_grads.keys() == grads.keys()
    for name in losses:
        assert torch.equal(kept_losses[name], losses[name]), name
    for name in grads:
        assert torch.equal(kept_grads[name], grads[name]), name


@needs_triton
def test_kernel_under_the_triton_interpreter_matches_the_reference():
    run_interpreted(__file__)


@pytest.mark.gpu
@needs_cuda
def test_kernel_on_the_gpu_matches_the_reference():
    for seed, numel, p in CASES + [(99, 5 * 2**20 + 3, 0.1)]:
        mask = fused_dropout.dropout_keep_mask(torch.tensor([seed], device="cuda"), [numel], p)
        assert torch.equal(mask.cpu(), keep_mask_reference(seed, numel, p)), (seed, numel, p)
        first = 8 * 1001  # a slice starting past one program's elements
        part = fused_dropout.dropout_keep_mask(torch.tensor([seed], device="cuda"), [numel], p, first)
        assert torch.equal(part.cpu(), keep_mask_reference(seed, numel, p, first)), (seed, numel, p, first)
    layer = MaskedDropout(0.1).train()
    x = torch.randn(64, 10, 64, device="cuda", dtype=torch.bfloat16)
    kept = (layer(x) != 0).float().mean().item()
    assert abs(kept - 0.9) < 0.01


if __name__ == "__main__":
    interpreted_checks()

"""The unrolled reductions over views (gpnerf.model.view_reductions) against the plain ops, and the FAT block that
takes them while compiled."""

import torch

from gpnerf.model import field_aggregation, view_reductions
from gpnerf.model.config import TransformerConfig
from gpnerf.model.field_aggregation import FieldAggregationTransformer, softmax, softmax_keep_dtype_reference
from gpnerf.model.view_reductions import (
    unrolled_softmax_over_views,
    unrolled_sum_of_products_over_views,
    unrolled_sum_over_views,
    unrolling,
)
from model_helpers import one_thread  # noqa: F401  (autouse fixture)


def masked_logits(dtype: torch.dtype) -> torch.Tensor:
    """``(3, 4, 10, 16)`` random logits with masked views (``finfo.min``), one point with every view masked."""
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 4, 10, 16, generator=generator, dtype=torch.float64) * 4
    valid = torch.rand(3, 4, 10, generator=generator) > 0.3
    valid[1, 2] = False
    return logits.to(dtype).masked_fill(~valid[..., None], torch.finfo(dtype).min)


def test_unrolled_sum_matches_sum_with_gradients():
    x = torch.randn(3, 4, 10, 16, 2, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(3, 4, 16, 2, dtype=torch.float64)
    got = unrolled_sum_over_views(x)
    (got_grad,) = torch.autograd.grad(got, x, upstream)
    expected = x.sum(2)
    (expected_grad,) = torch.autograd.grad(expected, x, upstream)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)
    assert torch.equal(got_grad, expected_grad)
    bf16 = x.detach().to(torch.bfloat16)
    got = unrolled_sum_over_views(bf16)
    assert got.dtype == torch.bfloat16
    torch.testing.assert_close(got.float(), bf16.sum(2).float(), rtol=1e-2, atol=1e-2)  # bf16 rounding of the sum


def test_unrolled_sum_of_products_matches_the_product_sum_with_gradients():
    x = torch.randn(3, 4, 10, 16, dtype=torch.float64, requires_grad=True)
    y = torch.randn(3, 4, 10, 16, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(3, 4, 16, dtype=torch.float64)
    got = unrolled_sum_of_products_over_views(x, y, torch.float64)
    expected = (x * y).sum(2)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)
    got_grads = torch.autograd.grad(got, (x, y), upstream)
    for got_grad, expected_grad in zip(got_grads, torch.autograd.grad(expected, (x, y), upstream)):
        torch.testing.assert_close(got_grad, expected_grad, rtol=1e-12, atol=1e-12)
    bf16 = unrolled_sum_of_products_over_views(x.detach().bfloat16(), y.detach().bfloat16(), torch.float32)
    assert bf16.dtype == torch.float32
    torch.testing.assert_close(bf16, (x.bfloat16().float() * y.bfloat16().float()).sum(2), rtol=1e-6, atol=1e-6)


def test_unrolled_softmax_matches_softmax_with_masked_views():
    """float64: values and gradients to 1e-12 (the peak's detachment changes no gradient); the all-masked point is
    uniform in both; bf16 with ``keep_dtype``: the float32 reference rounded once, to one bf16 ulp (2^-8 relative)."""
    logits = masked_logits(torch.float64).requires_grad_(True)
    upstream = torch.randn(logits.shape, dtype=torch.float64)
    got = unrolled_softmax_over_views(logits, keep_dtype=True)
    (got_grad,) = torch.autograd.grad(got, logits, upstream)
    expected = torch.softmax(logits, 2)
    (expected_grad,) = torch.autograd.grad(expected, logits, upstream)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(got_grad, expected_grad, rtol=1e-12, atol=1e-12)
    assert torch.allclose(got[1, 2], torch.full_like(got[1, 2], 0.1))
    bf16 = masked_logits(torch.bfloat16)
    got = unrolled_softmax_over_views(bf16, keep_dtype=True)
    assert got.dtype == torch.bfloat16
    torch.testing.assert_close(got.float(), softmax_keep_dtype_reference(bf16, 2).float(), rtol=2**-8, atol=1e-6)
    assert unrolled_softmax_over_views(bf16, keep_dtype=False).dtype == torch.float32
    torch.testing.assert_close(
        unrolled_softmax_over_views(bf16, keep_dtype=False), softmax(bf16.float(), 2, False), rtol=1e-6, atol=1e-7
    )


def test_unrolling_only_while_compiling():
    assert not unrolling(True) and not unrolling(False)
    seen = torch.compile(lambda t: t + unrolling(True), backend="eager", fullgraph=True)(torch.zeros(()))
    assert seen.item() == 1.0
    assert torch.compile(lambda t: t + unrolling(False), backend="eager", fullgraph=True)(torch.zeros(())).item() == 0.0


def test_compiled_block_takes_the_unrolled_forms_with_the_same_results(monkeypatch):
    """A fast FAT block (float32) compiled with ``aot_eager`` traces the unrolled softmax and sums and gives the eager
    block's output and gradients (1e-5: float32 summation order)."""
    calls = []
    for name in ("unrolled_softmax_over_views", "unrolled_sum_over_views", "unrolled_sum_of_products_over_views"):
        original = getattr(view_reductions, name)
        monkeypatch.setattr(field_aggregation, name, lambda *a, _f=original, _n=name: calls.append(_n) or _f(*a))
    torch.manual_seed(0)
    config = TransformerConfig(d_rgb=16, num_layers=1, num_heads=2, dropout=0.0, num_frequencies=2)
    block = FieldAggregationTransformer(
        config, True, fold_logit_projections=True, weighted_position=True, unroll_views=True
    ).train()
    inputs = [torch.randn(4, 3, 16), torch.randn(4, 3, 10, 16), torch.randn(4, 3, 10, 4), torch.rand(4, 3, 10) > 0.3]
    inputs[3][0, 0] = False
    results = {}
    for name, run in (("eager", block), ("compiled", torch.compile(block, backend="aot_eager", fullgraph=True))):
        block.zero_grad(set_to_none=True)
        query = inputs[0].clone().requires_grad_(True)
        out, field_attention = run(query, *inputs[1:])
        (out.square().sum() + field_attention.weighted_position.sum() + field_attention.attention.square().sum()).backward()
        gradients = [query.grad] + [p.grad for p in block.parameters()]
        results[name] = (out, field_attention.attention, field_attention.weighted_position, gradients)
        if name == "eager":
            assert calls == []
    assert sorted(set(calls)) == [
        "unrolled_softmax_over_views", "unrolled_sum_of_products_over_views", "unrolled_sum_over_views"
    ]
    eager, compiled = results["eager"], results["compiled"]
    for got, expected in zip(compiled[:3], eager[:3]):
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    for got, expected in zip(compiled[3], eager[3]):
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)

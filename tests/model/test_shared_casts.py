"""The transformer's Linear weights cast once per step and shared by the passes (``gpnerf.model.shared_casts``).

The cast and the float32 gradient sums are exact (compared bit for bit). In a bf16 training step the model's
gradients with the shared casts stay as close to the float32 reference as without them (the same bound on both).
"""

from dataclasses import replace

import pytest
import torch
from model_helpers import make_episode, one_thread, small_config  # noqa: F401 (one_thread: autouse fixture)

from gpnerf.losses import compute_losses
from gpnerf.model import GPNeRF
from gpnerf.model.shared_casts import SharedCast, linear_parameters, pass_parameters


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float32])
def test_cast_copies_are_exact_and_gradients_sum_in_float32(dtype):
    torch.manual_seed(0)
    params = [torch.randn(5, 3, requires_grad=True), torch.randn(7, requires_grad=True), torch.randn(2, requires_grad=True)]
    outputs = SharedCast.apply(dtype, 2, *params)
    first, second = outputs[:3], outputs[3:]
    for copy in (first, second):
        for cast, param in zip(copy, params):
            assert cast.dtype == dtype and torch.equal(cast, param.to(dtype))
    upstream = [torch.randn(5, 3).to(dtype), torch.randn(5, 3).to(dtype), torch.randn(7).to(dtype)]
    # params[0] in both copies, params[1] in the second only, params[2] in neither
    loss = (first[0].float() * upstream[0].float()).sum() + (second[0].float() * upstream[1].float()).sum()
    loss = loss + (second[1].float() * upstream[2].float()).sum()
    loss.backward()
    assert params[0].grad.dtype == torch.float32
    assert torch.equal(params[0].grad, upstream[0].float() + upstream[1].float())
    assert torch.equal(params[1].grad, upstream[2].float())
    assert params[2].grad is None


def test_pass_parameters_only_under_autocast_with_autograd():
    model = GPNeRF(replace(small_config(), implementation="fast"), 5)
    transformer = model.transformer
    names = linear_parameters(transformer)
    assert names and all(name.endswith(("weight", "bias")) for name in names)
    assert not any("norm" in name for name in names)  # LayerNorm stays float32 (autocast runs it in float32)
    assert pass_parameters(transformer, 2) == [{}, {}]  # no autocast
    with torch.autocast("cpu", dtype=torch.bfloat16):
        with torch.no_grad():
            assert pass_parameters(transformer, 2) == [{}, {}]
        passes = pass_parameters(transformer, 2)
    every = dict(transformer.named_parameters())
    assert [set(p) for p in passes] == [set(every)] * 2
    for copies in passes:
        for name, tensor in copies.items():
            assert tensor.dtype == (torch.bfloat16 if name in names else torch.float32), name
            assert torch.equal(tensor, every[name].to(tensor.dtype)), name


def gradients_against_float32(shared_casts: bool) -> float:
    """Largest relative error of the transformer's parameter gradients in a bf16 fast training step against the
    float32 reference step (norms floored at 1e-3 of the whole gradient's: some are analytically zero)."""
    config = small_config(d_fpn=16, num_heads=4)
    grads = []
    for precision, implementation in (("fp32", "reference"), ("bf16", "fast")):
        torch.manual_seed(1)
        model = GPNeRF(replace(config, implementation=implementation, shared_casts=shared_casts), 5).train()
        episode = make_episode(views=3, rays=12)
        torch.manual_seed(7)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
            out = model(episode)
            total, _ = compute_losses(out, episode, model.config)
        total.backward()
        grads.append({n: p.grad.double() for n, p in model.named_parameters() if p.grad is not None})
    reference, fast = grads
    assert reference.keys() == fast.keys()
    total_norm = torch.stack([g.norm() for g in reference.values()]).norm()
    return max(
        float((fast[n] - g).norm() / torch.maximum(g.norm(), 1e-3 * total_norm))
        for n, g in reference.items() if n.startswith("transformer.")
    )



def test_bf16_training_gradients_stay_as_close_to_float32_with_shared_casts():
    """Both within 0.15 of the float32 gradients, parameter by parameter (0.11 and 0.11 on this configuration: bf16
    products and bf16 encoder features), and the shared casts no further than 1.25x the per-block casts' error."""
    with_casts, without = gradients_against_float32(True), gradients_against_float32(False)
    assert without <= 0.15 and with_casts <= 0.15
    assert with_casts <= 1.25 * without


def test_compiled_blocks_take_the_shared_casts_without_graph_breaks():
    """``fullgraph=True`` under bf16 autocast: the blocks, fold and glue trace with the bf16 copies swapped in, and the
    step's outputs stay within bf16 rounding of the eager step's (1e-2 relative)."""
    import copy

    from gpnerf.model import compile_transformer_blocks

    torch._dynamo.reset()
    torch.manual_seed(0)
    eager = GPNeRF(replace(small_config(d_fpn=16, num_heads=4), implementation="fast"), 5).train()
    compiled = compile_transformer_blocks(copy.deepcopy(eager), encoder=True, backend="aot_eager", fullgraph=True)
    episode = make_episode(views=3, rays=12)
    results = []
    for model in (eager, compiled):
        torch.manual_seed(7)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = model(episode)
            total, _ = compute_losses(out, episode, model.config)
        total.backward()
        results.append((out, {n for n, p in model.named_parameters() if p.grad is not None}))
    (eager_out, eager_grads), (compiled_out, compiled_grads) = results
    assert compiled_grads == eager_grads
    for name in ("rgb_fine", "semantic_rendered", "head_logits"):
        new, ref = getattr(compiled_out, name).detach().double(), getattr(eager_out, name).detach().double()
        assert float((new - ref).norm() / ref.norm()) <= 1e-2, name

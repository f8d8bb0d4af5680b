"""Compiled FAT/RAT blocks, semantic fold, glue, head and losses compute the same training forward, losses, gradients
and render as eager ones.

``backend="aot_eager"`` with ``fullgraph=True``: dynamo must capture each block as one graph (no graph
breaks, which would cost the fusion on a GPU) and AOTAutograd must trace its backward; no C++ or
Triton code generation, so the test runs on CPU without a compiler. Tolerance: fp32,
``||compiled - eager|| / ||eager|| <= 1e-5`` (AOTAutograd may re-associate the backward's sums).
"""

import copy
from dataclasses import replace

import pytest
import torch
from model_helpers import make_episode, small_config

from gpnerf.losses import compile_losses, compute_losses
from gpnerf.model import GPNeRF, compile_transformer_blocks

TOLERANCE = 1e-5
VANISHING = 1e-8
GLUE = ("embed_points", "update_query", "project_positions", "update_query_projected", "read_out", "fold_semantics")


def relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a.double() - b.double()).norm() / b.double().norm().clamp_min(1e-30)).item()


def training_step(model: GPNeRF, losses, episode) -> tuple:
    """The training forward's outputs, the loss terms and the parameters' gradients of one step (seeded)."""
    torch.manual_seed(7)
    out = model(episode)
    total, terms = losses(out, episode, model.config)
    model.zero_grad()
    total.backward()
    return out, terms, {name: p.grad.clone() for name, p in model.named_parameters() if p.grad is not None}


def assert_same_step(ref_out, ref_terms, ref_grads, new_out, new_terms, new_grads, tolerance: float) -> None:
    for name in ("rgb_fine", "depth", "weights", "semantic_rendered", "head_logits", "teacher"):
        assert relative_error(getattr(new_out, name), getattr(ref_out, name)) < tolerance, name
    assert new_terms.keys() == ref_terms.keys() and {"rgb", "sem", "distill_2d", "distill_dgs"} <= ref_terms.keys()
    for name, term in ref_terms.items():
        assert relative_error(new_terms[name], term) < tolerance, name
    assert new_grads.keys() == ref_grads.keys()
    for name, grad in ref_grads.items():
        if grad.abs().max() < VANISHING:  # analytically zero (a conv bias before a normalisation): float32 residue
            assert new_grads[name].abs().max() < VANISHING, name
            continue
        assert relative_error(new_grads[name], grad) < tolerance, name


def test_compiled_blocks_match_eager():
    torch._dynamo.reset()
    torch.manual_seed(0)
    eager = GPNeRF(replace(small_config(d_fpn=16, num_heads=4), implementation="fast"), 5)
    compiled = compile_transformer_blocks(copy.deepcopy(eager), encoder=True, backend="aot_eager", fullgraph=True)
    assert compiled.state_dict().keys() == eager.state_dict().keys()
    compiled_losses = compile_losses(backend="aot_eager", fullgraph=True)
    episode = make_episode(views=3, rays=12)
    (ref_out, ref_terms, ref_grads), (new_out, new_terms, new_grads) = (
        training_step(eager, compute_losses, episode), training_step(compiled, compiled_losses, episode))
    assert_same_step(ref_out, ref_terms, ref_grads, new_out, new_terms, new_grads, TOLERANCE)
    ref_image, new_image = (model.render_image(episode, chunk_rays=200) for model in (eager, compiled))
    # FAT block, RAT block, the semantic fold, the encoder, the projection, embedding, query update, read-out, head,
    # teacher sampling and losses really compiled (no silent eager fallback; fullgraph=True makes a graph break an error)
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] >= 11
    assert compiled.encoder._compiled_call_impl is not None and compiled.head._compiled_call_impl is not None
    glue = (compiled.project_points, compiled.sample_at_pixels, compiled_losses,
            *(getattr(compiled.transformer, name) for name in GLUE))
    assert all(hasattr(function, "_torchdynamo_orig_callable") for function in glue)
    for name in ("rgb", "depth", "semantic_logits"):
        assert relative_error(getattr(new_image, name), getattr(ref_image, name)) < TOLERANCE, name


def saved_bytes(model: GPNeRF, episode) -> int:
    """Bytes of the distinct storages autograd keeps for the backward of one training forward."""
    storages = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storages[tensor.untyped_storage().data_ptr()] = tensor.untyped_storage().nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        torch.manual_seed(7)
        compute_losses(model(episode), episode, model.config)[0].backward()
    return sum(storages.values())


def test_field_memory_budget_keeps_fewer_activations_and_the_same_gradients():
    """With ``field_memory_budget`` the FAT blocks keep fewer bytes for the backward (the partitioner recomputes the
    rest there) and the gradients stay those of the eager model. ``aot_eager_decomp_partition`` runs the min-cut
    partitioner that the budget steers, as inductor does, without generating code."""
    torch.manual_seed(0)
    eager = GPNeRF(replace(small_config(d_fpn=16, num_heads=4), implementation="fast"), 5)
    episode = make_episode(views=3, rays=12)
    kept, grads = {}, {}
    for budget in (1.0, 0.3):
        torch._dynamo.reset()
        model = compile_transformer_blocks(
            copy.deepcopy(eager), field_memory_budget=budget, backend="aot_eager_decomp_partition", fullgraph=True
        )
        kept[budget] = saved_bytes(model, episode)
        grads[budget] = {name: p.grad for name, p in model.named_parameters() if p.grad is not None}
    assert kept[0.3] < 0.9 * kept[1.0]
    saved_bytes(eager, episode)
    for name, p in eager.named_parameters():
        if p.grad is None or p.grad.abs().max() < VANISHING:
            continue
        assert relative_error(grads[0.3][name], p.grad) < TOLERANCE, name
        assert relative_error(grads[1.0][name], p.grad) < TOLERANCE, name


def test_field_memory_budget_must_be_a_fraction():
    model = GPNeRF(replace(small_config(), implementation="fast"), 5)
    for budget in (0.0, 1.5):
        with pytest.raises(ValueError, match="field_memory_budget must be in"):
            compile_transformer_blocks(model, field_memory_budget=budget, backend="aot_eager")


def test_gemm_autotune_sets_inductor_to_autotune_products_and_leave_convolutions_to_aten(monkeypatch):
    import torch._inductor.config as inductor

    monkeypatch.setattr(inductor, "max_autotune_gemm", False)  # restored after the test: the setting is process-wide
    monkeypatch.setattr(inductor, "max_autotune_conv_backends", "ATEN,TRITON")
    model = GPNeRF(replace(small_config(), implementation="fast"), 5)
    compile_transformer_blocks(model, backend="aot_eager")
    assert inductor.max_autotune_gemm is False and inductor.max_autotune_conv_backends == "ATEN,TRITON"
    compile_transformer_blocks(GPNeRF(replace(small_config(), implementation="fast"), 5), gemm_autotune=True,
                               backend="aot_eager")
    assert inductor.max_autotune_gemm is True and inductor.max_autotune_conv_backends == "ATEN"


def compile_calls(monkeypatch, **arguments) -> dict[str, dict]:
    """The ``torch.compile`` keyword arguments ``compile_transformer_blocks(**arguments)`` gives the encoder, the head
    and a FAT block (compilation is lazy: nothing is traced)."""
    calls = []
    real_compile = torch.compile
    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: calls.append((fn, kwargs)) or real_compile(fn, **kwargs))
    model = GPNeRF(replace(small_config(), implementation="fast"), 5)
    compile_transformer_blocks(model, **arguments)
    owner = {id(model.encoder): "encoder", id(model.head): "head", id(model.transformer.field_blocks[0]): "block"}
    return {owner[id(fn.__self__)]: kwargs for fn, kwargs in calls if id(getattr(fn, "__self__", None)) in owner}


def test_convolutions_compile_channels_last_and_the_rest_as_given(monkeypatch):
    mode = "max-autotune-no-cudagraphs"
    calls = compile_calls(monkeypatch, mode=mode, fullgraph=True)
    layout = {**torch._inductor.list_mode_options(mode), "force_layout_optimization": True}
    assert calls == {"encoder": {"fullgraph": True, "options": layout}, "head": {"fullgraph": True, "options": layout},
                     "block": {"mode": mode, "fullgraph": True}}
    options = {"options": {"max_autotune": True, "force_layout_optimization": True}}
    assert compile_calls(monkeypatch, options={"max_autotune": True})["encoder"] == options
    unchanged = compile_calls(monkeypatch, channels_last_convolutions=False, mode=mode)
    assert unchanged.keys() == {"encoder", "head", "block"} and all(kwargs == {"mode": mode} for kwargs in unchanged.values())
    other_backend = compile_calls(monkeypatch, backend="aot_eager")
    assert len(other_backend) == 3 and all(kwargs == {"backend": "aot_eager"} for kwargs in other_backend.values())


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_inductor_compiled_training_step_matches_eager_on_cuda(monkeypatch):
    """inductor's generated kernels (CUDA, float32) for every compiled part and the losses: the same training
    forward, loss terms and gradients as the eager model within 1e-4 relative (inductor fuses and re-associates
    float32 sums). The convolutions run in full float32 (TF32 off): the compiled encoder and head run cuDNN's
    channels-last algorithms, the eager ones its NCHW algorithms, whose TF32 roundings differ by about 5e-4."""
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    torch._dynamo.reset()
    torch.manual_seed(0)
    eager = GPNeRF(replace(small_config(d_fpn=16, num_heads=4), implementation="fast"), 5).cuda()
    compiled = compile_transformer_blocks(copy.deepcopy(eager))
    episode = make_episode(views=3, rays=12).to("cuda")
    assert_same_step(*training_step(eager, compute_losses, episode),
                     *training_step(compiled, compile_losses(), episode), 1e-4)

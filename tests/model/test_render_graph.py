"""render_image(cuda_graph=True) / eval.cuda_graph: whole frames replayed from CUDA graphs against the eager render."""

from dataclasses import replace

import pytest
import torch

from gpnerf.cuda_graphs import GraphCaptureError
from gpnerf.evaluation import render_view
from gpnerf.experiment import EvalConfig
from gpnerf.model import GPNeRF, compile_transformer_blocks
from model_helpers import make_episode, small_config

OUTPUTS = ("rgb", "depth", "semantic_logits", "semantic_features")


def test_cuda_graph_render_off_cuda_raises_and_eval_setting_is_ignored_on_cpu():
    torch.manual_seed(0)
    model = GPNeRF(small_config(), 5).eval()
    episode = make_episode(rays=None)
    with pytest.raises(GraphCaptureError, match="CUDA device"):
        model.render_image(episode, 64, cuda_graph=True)
    expected = model.render_image(episode, 64)
    output = render_view(model, episode, EvalConfig(chunk_rays=64, cuda_graph=True))
    for name in OUTPUTS:
        assert torch.equal(getattr(output, name), getattr(expected, name)), name


def test_moving_the_model_drops_its_render_graphs():
    model = GPNeRF(small_config(), 5)
    model._render_graphs = object()  # stands in for captured graphs, which point at the old parameter memory
    model.to("cpu")
    assert model._render_graphs is None


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("mode", ["perception_head", "label_rendering"])
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_graphed_render_matches_eager_across_frames(mode, precision):
    """24x32 = 768 rays in chunks of 160: four full chunks and one of 128, all in the frame's one graph; a second
    frame with other images and poses replays it (the first frame's outputs, copies, stay as they were). fp32
    within 1e-5 relative; bf16 autocast within the one-bf16-step tolerance of 2e-2 (the graph replays the same
    kernels, so it is usually exact)."""
    torch.manual_seed(0)
    config = small_config()
    config = replace(config, semantic=replace(config.semantic, mode=mode))
    model = GPNeRF(config, 5).cuda().eval()
    eval_config = EvalConfig(chunk_rays=160, precision=precision)
    tolerance = 1e-5 if precision == "fp32" else 2e-2
    first_frame = None
    for seed in (0, 1):
        episode = make_episode(rays=None, seed=seed).to("cuda")
        eager = render_view(model, episode, eval_config)
        graphed = render_view(model, episode, replace(eval_config, cuda_graph=True))
        if first_frame is None:
            first_frame = graphed, {name: None if getattr(graphed, name) is None else getattr(graphed, name).clone()
                                    for name in OUTPUTS}
        for name in OUTPUTS:
            a, b = getattr(eager, name), getattr(graphed, name)
            if a is None:
                assert b is None, name
                continue
            error = float((b - a).norm() / a.norm().clamp_min(1e-12))
            assert error <= tolerance, (seed, name, error)
    output, kept = first_frame
    for name in OUTPUTS:
        assert (getattr(output, name) is None) if kept[name] is None else torch.equal(getattr(output, name), kept[name])
    assert len(model._render_graphs.captures) == 1 and model._render_graphs.eager_calls == 0


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_graphed_render_of_compiled_blocks_matches_eager():
    """Inductor-compiled blocks compile (and synchronise) inside the graph's first warm-up call: the graphed render
    comes first here, as in a trainer's first validation, then the eager render of the same compiled model."""
    torch._dynamo.reset()
    torch.manual_seed(0)
    model = compile_transformer_blocks(GPNeRF(replace(small_config(), implementation="fast"), 5).cuda().eval())
    episode = make_episode(rays=None).to("cuda")
    graphed = model.render_image(episode, 160, cuda_graph=True)
    eager = model.render_image(episode, 160)
    for name in OUTPUTS:
        a, b = getattr(eager, name), getattr(graphed, name)
        assert float((b - a).norm() / a.norm().clamp_min(1e-12)) <= 1e-5, name

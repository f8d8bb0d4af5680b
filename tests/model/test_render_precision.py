"""gpnerf.evaluation.render_view: the one place evaluation, validation and `gpnerf render` pick the render precision."""

import pytest
import torch

from gpnerf.evaluation import render_precision, render_view
from gpnerf.experiment import EvalConfig
from gpnerf.model import GPNeRF
from model_helpers import make_episode, small_config


def relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a.float() - b.float()).norm() / b.float().norm().clamp_min(1e-12))


def test_render_precision_is_bf16_on_cuda_only():
    assert render_precision(EvalConfig(precision="bf16"), torch.device("cuda")) == "bf16"
    assert render_precision(EvalConfig(precision="bf16"), torch.device("cpu")) == "fp32"
    assert render_precision(EvalConfig(), torch.device("cuda")) == "fp32"


def test_render_view_on_cpu_is_the_fp32_render_for_either_setting():
    torch.manual_seed(0)
    model = GPNeRF(small_config(), 5).eval()
    episode = make_episode(rays=None)
    expected = model.render_image(episode, 64)
    for precision in ("fp32", "bf16"):
        output = render_view(model, episode, EvalConfig(chunk_rays=64, precision=precision))
        for name in ("rgb", "depth", "semantic_logits", "semantic_features"):
            assert torch.equal(getattr(output, name), getattr(expected, name)), (precision, name)


def test_running_out_of_memory_names_the_chunk_and_how_to_make_it_smaller(monkeypatch):
    model = GPNeRF(small_config(), 5).eval()
    episode = make_episode(rays=None)

    def render_image_out_of_memory(*args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 23.44 GiB.\nIf reserved but unallocated ...")

    monkeypatch.setattr(model, "render_image", render_image_out_of_memory)
    with pytest.raises(ValueError) as raised:
        render_view(model, episode, EvalConfig(chunk_rays=300))
    message = str(raised.value)
    camera = episode.target_camera
    assert f"rendering a {camera.width}x{camera.height} view in chunks of 300 rays (reference implementation, fp32)" in message
    assert "--chunk-rays N" in message and message.endswith("Tried to allocate 23.44 GiB.")
    assert isinstance(raised.value.__cause__, torch.OutOfMemoryError)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_render_view_bf16_on_cuda_stays_close_to_fp32_and_returns_float32():
    """bf16 tolerance (docs/performance.md): a few 1e-3 on RGB / depth / logits, <= 3e-2 on rendered features."""
    torch.manual_seed(0)
    model = GPNeRF(small_config(), 5).eval().cuda()
    episode = make_episode(rays=None).to("cuda")
    reference = render_view(model, episode, EvalConfig(chunk_rays=256))
    output = render_view(model, episode, EvalConfig(chunk_rays=256, precision="bf16"))
    for name in ("rgb", "depth", "semantic_logits", "semantic_features"):
        assert getattr(output, name).dtype == torch.float32, name
        assert relative_error(getattr(output, name), getattr(reference, name)) <= 3e-2, name

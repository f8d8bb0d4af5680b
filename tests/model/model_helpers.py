"""Helpers for the model tests (imported as `model_helpers`): small random episodes with a rig of cameras looking at +z."""

from dataclasses import replace

import pytest
import torch

from gpnerf.episode import Episode
from gpnerf.geometry import Cameras, intrinsics_from_fov
from gpnerf.model import PRESETS, EncoderConfig, ModelConfig, SamplingConfig, SemanticConfig, TransformerConfig


def make_episode(views: int = 3, height: int = 24, width: int = 32, rays: int | None = 40, num_classes: int = 5, seed: int = 0) -> Episode:
    """Cameras on a short horizontal baseline, all looking along +z at a random "scene"."""
    gen = torch.Generator().manual_seed(seed)
    K = intrinsics_from_fov(width, height, 90.0)[None].repeat(views + 1, 1, 1)
    poses = torch.eye(4).repeat(views + 1, 1, 1)
    poses[:, 0, 3] = torch.linspace(-0.3, 0.3, views + 1)
    poses[:, 1, 3] = torch.rand(views + 1, generator=gen) * 0.1
    cams = Cameras(K, poses, height, width)
    ray_indices = None if rays is None else torch.randperm(height * width, generator=gen)[:rays]
    return Episode(
        source_images=torch.rand(views, 3, height, width, generator=gen),
        source_cameras=cams[list(range(views))],
        target_camera=cams[views],
        near=0.1,
        far=5.0,
        target_image=torch.rand(3, height, width, generator=gen),
        target_depth=torch.rand(height, width, generator=gen) * 3 + 0.5,
        target_semantic=torch.randint(0, num_classes + 1, (height, width), generator=gen),
        ray_indices=ray_indices,
    )


def small_config(
    d_rgb: int = 8, d_fpn: int = 8, num_layers: int = 2, num_heads: int = 2, num_coarse: int = 6, num_importance: int = 3, **semantic
) -> ModelConfig:
    """A few-channel configuration with no dropout (deterministic in train mode), whose float32 passes take the
    kernels with products too (``float32_kernels``: the Triton interpreter, which the CPU tests run them under,
    computes float32 only)."""
    base = PRESETS["tiny-cpu"]
    return replace(
        base,
        encoder=EncoderConfig(stem_channels=4, stage_channels=(4, 8), stage_blocks=(1, 1), d_fpn=d_fpn, num_fpn_levels=3,
                              rgb_decoder_top_stage=1, d_rgb_features=4),
        transformer=TransformerConfig(d_rgb=d_rgb, num_layers=num_layers, num_heads=num_heads, dropout=0.0, num_frequencies=2),
        semantic=SemanticConfig(d_head=8, **semantic),
        sampling=SamplingConfig(num_coarse=num_coarse, num_importance=num_importance),
        float32_kernels=True,
    )


def render_with_kernels_matches(config: ModelConfig, switch_on, tolerance: float, label: object = None) -> None:
    """Render a small episode with two models of ``config`` holding the same weights, one of them changed by
    ``switch_on(model)`` (some blocks' kernels on), and assert RGB, depth and the semantic outputs agree within
    ``tolerance`` relative (the kernel-render checks under the Triton interpreter)."""
    from gpnerf.model import GPNeRF

    plain, fused = GPNeRF(config, 5).eval(), GPNeRF(config, 5).eval()
    fused.load_state_dict(plain.state_dict())
    switch_on(fused)
    episode = make_episode(rays=None, height=16, width=16)
    with torch.no_grad():
        got, expected = fused.render_image(episode, 128), plain.render_image(episode, 128)
    for name in ("rgb", "depth", "semantic_logits", "semantic_features"):
        a, b = getattr(got, name), getattr(expected, name)
        assert a.shape == b.shape, (label, name)
        error = float((a.double() - b.double()).norm() / b.double().norm())
        assert error <= tolerance, (label, name, error)


def gpu_render_with_kernels_matches(config: ModelConfig, chunk: int, compiled: bool = False) -> None:
    """Render a small episode on the GPU under bf16 autocast with ``config``'s kernels on (blocks compiled where
    ``compiled``) and off, same weights, and assert RGB, depth and the semantic outputs agree within 2e-2 relative."""
    from gpnerf.model import GPNeRF, compile_transformer_blocks

    fused = GPNeRF(config, 5).cuda().eval()
    plain = GPNeRF(replace(config, fused_kernels=False), 5).cuda().eval()
    plain.load_state_dict(fused.state_dict())
    if compiled:
        compile_transformer_blocks(fused)
    episode = make_episode(rays=None).to("cuda")
    with torch.autocast("cuda", dtype=torch.bfloat16):
        got, expected = fused.render_image(episode, chunk), plain.render_image(episode, chunk)
    for name in ("rgb", "depth", "semantic_logits", "semantic_features"):
        a, b = getattr(expected, name).float(), getattr(got, name).float()
        assert float((b - a).norm() / a.norm()) <= 2e-2, name


@pytest.fixture(autouse=True)
def one_thread():
    """One CPU thread in the modules that import this fixture: their tensors are tiny, and a second thread only
    contends (10x slower on a loaded 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

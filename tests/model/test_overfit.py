"""The tiny-cpu preset overfits one built-in scene on CPU (fixed source views, a few hundred rays)."""

import math
from dataclasses import replace

import pytest
import torch

from gpnerf.episode import Episode
from gpnerf.losses import compute_losses
from gpnerf.model import PRESETS, GPNeRF
from gpnerf.synthetic import make_room, make_trajectory, render_views

NUM_CLASSES = 20  # the built-in generator's labels are 0..19 with 20 = unlabeled (ignore)


def _evaluate(model: GPNeRF, episode: Episode) -> tuple[float, float]:
    """PSNR (dB) of the rendered target view and pixel accuracy of the head on the rendered features."""
    image = model.render_image(replace(episode, ray_indices=None), chunk_rays=512)
    mse = (image.rgb.clamp(0, 1) - episode.target_image.permute(1, 2, 0)).pow(2).mean().item()
    labels = episode.target_semantic
    valid = labels != NUM_CLASSES
    accuracy = (image.semantic_logits.argmax(0) == labels)[valid].float().mean().item()
    return -10.0 * math.log10(mse), accuracy


@pytest.mark.slow
def test_tiny_preset_overfits_one_scene():
    torch.manual_seed(0)
    height, width, num_views, target = 24, 32, 5, 2
    room = make_room(0)
    cameras = make_trajectory(room, num_views, height, width, hfov_deg=90.0, seed=0)
    views = render_views(room, cameras)
    images = views.rgb.permute(0, 3, 1, 2).float()
    sources = [i for i in range(num_views) if i != target]
    episode = Episode(
        source_images=images[sources], source_cameras=cameras[sources], target_camera=cameras[target],
        near=0.1, far=10.0, target_image=images[target], target_depth=views.depth[target].float(),
        target_semantic=views.semantic[target],
    )
    config = PRESETS["tiny-cpu"]
    model = GPNeRF(config, NUM_CLASSES)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    psnr0, _ = _evaluate(model, episode)
    psnr, accuracy = psnr0, 0.0
    for step in range(1, 401):
        batch = replace(episode, ray_indices=torch.randperm(height * width)[:256])
        total, _ = compute_losses(model(batch), batch, config)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        if step % 50 == 0:
            psnr, accuracy = _evaluate(model, episode)
            if psnr - psnr0 >= 10.0 and accuracy >= 0.9:
                break
    assert psnr - psnr0 >= 10.0, (psnr0, psnr)
    assert accuracy >= 0.9, accuracy

"""Parameter and forward-FLOP counts of a configuration.

FLOPs come from ``torch.utils.flop_counter.FlopCounterMode`` run on the *meta* device (no memory,
no arithmetic), so they count matmul / linear / conv / bmm only: element-wise work (softmax,
norms, the FAT semantic products) and ``grid_sample`` are not included. Rays are counted on a
batch of ``num_probe_rays`` rays and divided by it.
"""

from dataclasses import dataclass

import torch
from torch.utils.flop_counter import FlopCounterMode

from gpnerf.episode import Episode
from gpnerf.geometry import Cameras, intrinsics_from_fov
from gpnerf.model.config import ModelConfig
from gpnerf.model.gpnerf import GPNeRF
from gpnerf.model.encoder import resize


@dataclass
class FlopReport:
    """Forward FLOPs (multiply-add = 2 FLOPs).

    Attributes:
        per_ray: one rendered ray (coarse + fine passes incl. the semantic path).
        encoder_per_view: ResNet + FPN + radiance decoder on one ``height x width`` image.
        head_per_image: the perception head on one feature map (or 0 for label rendering).
        per_image: a full target view: ``views`` source encodings + ``H W`` rays + the head.
    """

    per_ray: float
    encoder_per_view: float
    head_per_image: float
    per_image: float


def parameter_counts(model: GPNeRF) -> dict[str, int]:
    """Parameters per module: encoder parts, transformer parts, head."""
    count = lambda module: sum(p.numel() for p in module.parameters())  # noqa: E731
    enc, tr = model.encoder, model.transformer
    return {
        "encoder.backbone (stem + ResNet stages)": count(enc.stem) + count(enc.stages),
        "encoder.rgb_decoder": count(enc.up_convs) + count(enc.merge_convs) + count(enc.rgb_out),
        "encoder.fpn": count(enc.fpn),
        "transformer.field_blocks (FAT)": count(tr.field_blocks),
        "transformer.ray_blocks (RAT)": count(tr.ray_blocks),
        "transformer.q_fcs": count(tr.q_fcs),
        "transformer.rgbfeat_fc + norm + rgb_fc": count(tr.rgbfeat_fc) + count(tr.norm) + count(tr.rgb_fc),
        "transformer.semantic_adaptor": count(tr.semantic_adaptor),
        "head": count(model.head),
        "total": count(model),
    }


def _probe_episode(views: int, height: int, width: int, rays: int) -> Episode:
    K = intrinsics_from_fov(width, height, 90.0)[None].repeat(views + 1, 1, 1)
    poses = torch.eye(4).repeat(views + 1, 1, 1)
    poses[:, 0, 3] = torch.linspace(-0.5, 0.5, views + 1)
    cams = Cameras(K, poses, height, width)
    return Episode(
        source_images=torch.rand(views, 3, height, width), source_cameras=cams[list(range(views))],
        target_camera=cams[views], near=0.1, far=10.0, ray_indices=torch.arange(rays),
    ).to("meta")


def count_flops(config: ModelConfig, num_classes: int, views: int, height: int, width: int, num_probe_rays: int = 64) -> FlopReport:
    """Forward FLOPs of ``config`` for ``views`` source views of ``height x width`` (eval mode)."""
    with torch.device("meta"):
        model = GPNeRF(config, num_classes).eval()
    episode = _probe_episode(views, height, width, num_probe_rays)
    with torch.no_grad():
        with FlopCounterMode(display=False) as counter:
            encoded = model.encoder(episode.source_images)
        encoder_flops = counter.get_total_flops() / views
        with FlopCounterMode(display=False) as counter:
            model._render_rays(episode, encoded, episode.ray_indices, with_semantics=True)
        per_ray = counter.get_total_flops() / num_probe_rays
        head = 0.0
        if config.semantic.mode == "perception_head":
            feature_map = resize(torch.zeros(1, config.encoder.d_sem, height, width, device="meta"), tuple(encoded.semantic_features.shape[-2:]))
            with FlopCounterMode(display=False) as counter:
                model.head(feature_map, (height, width))
            head = float(counter.get_total_flops())
    per_image = views * encoder_flops + height * width * per_ray + head
    return FlopReport(per_ray=per_ray, encoder_per_view=encoder_flops, head_per_image=head, per_image=per_image)

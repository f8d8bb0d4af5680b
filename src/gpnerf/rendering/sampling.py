"""Sample positions ``t`` along target rays: coarse (stratified or deterministic) and importance.

``t`` is the ray parameter of ``o + t d`` with camera-z(d) = 1, i.e. the z-depth in metres
(:mod:`gpnerf.conventions`). With ``spacing="inverse_depth"`` (released default) samples are
uniform in ``1 / t``, which needs ``near > 0``.
"""

import torch


def _to_space(t: torch.Tensor, spacing: str) -> torch.Tensor:
    return 1.0 / t if spacing == "inverse_depth" else t


def _check(near: float, far: float, spacing: str) -> None:
    if spacing not in ("inverse_depth", "linear"):
        raise ValueError(f"spacing must be 'inverse_depth' or 'linear'; got {spacing!r}.")
    if spacing == "inverse_depth" and near <= 0:
        raise ValueError(f"near must be > 0 for inverse-depth sampling; got {near}. Use spacing='linear' or near > 0.")
    if not near < far:
        raise ValueError(f"near must be < far; got near={near}, far={far}.")


def coarse_samples(
    num_rays: int, num_samples: int, near: float, far: float, spacing: str, stratified: bool,
    device: torch.device | str = "cpu", generator: torch.Generator | None = None,
) -> torch.Tensor:
    """``(rays, samples)`` increasing ``t`` in ``[near, far]``.

    Deterministic: bin edges ``linspace(0, 1, samples)`` mapped to ``[near, far]`` in the chosen
    space (the first sample is ``near``, the last ``far``). Stratified: each sample is jittered
    uniformly between the midpoints around it (NeRF / GNT).
    """
    _check(near, far, spacing)
    s_near, s_far = _to_space(torch.tensor(near), spacing).item(), _to_space(torch.tensor(far), spacing).item()
    u = torch.linspace(0.0, 1.0, num_samples, device=device).expand(num_rays, num_samples)
    s = s_near + (s_far - s_near) * u  # (rays, samples)
    if stratified and num_samples > 1:
        mids = 0.5 * (s[:, 1:] + s[:, :-1])
        upper = torch.cat([mids, s[:, -1:]], dim=-1)
        lower = torch.cat([s[:, :1], mids], dim=-1)
        jitter = torch.rand(s.shape, device=device, generator=generator)
        s = lower + (upper - lower) * jitter
    return _to_space(s, spacing)


def importance_samples(
    t: torch.Tensor, weights: torch.Tensor, num_samples: int, spacing: str, deterministic: bool,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Draw ``(rays, num_samples)`` new ``t`` from the piecewise-constant pdf of ``weights``.

    As released: bins are midpoints of the coarse samples (in the sampling space), bin weights the
    interior coarse weights + 1e-5, inverse-CDF sampling (``linspace`` when deterministic). Weights
    are detached (no gradient through sampling).

    Args:
        t: ``(rays, samples)`` coarse positions, sorted; weights: ``(rays, samples)``.
    """
    s = _to_space(t.detach(), spacing)
    bins = 0.5 * (s[:, 1:] + s[:, :-1])  # (rays, samples - 1)
    w = weights.detach()[:, 1:-1].float() + 1e-5  # (rays, samples - 2)
    if w.shape[-1] == 0:
        raise ValueError(f"importance sampling needs >= 3 coarse samples; got {t.shape[-1]}. Raise sampling.num_coarse.")
    pdf = w / w.sum(dim=-1, keepdim=True)
    cdf = torch.cat([torch.zeros_like(pdf[:, :1]), torch.cumsum(pdf, dim=-1)], dim=-1)  # (rays, samples - 1)
    rays = t.shape[0]
    if deterministic:
        u = torch.linspace(0.0, 1.0, num_samples, device=t.device).expand(rays, num_samples).contiguous()
    else:
        u = torch.rand((rays, num_samples), device=t.device, generator=generator)
    idx = torch.searchsorted(cdf, u, right=True)
    below = (idx - 1).clamp(min=0)
    above = idx.clamp(max=cdf.shape[-1] - 1)
    cdf_lo, cdf_hi = cdf.gather(1, below), cdf.gather(1, above)
    bin_lo, bin_hi = bins.gather(1, below).float(), bins.gather(1, above).float()
    denom = torch.where(cdf_hi - cdf_lo < 1e-5, torch.ones_like(cdf_hi), cdf_hi - cdf_lo)
    s_new = bin_lo + (u - cdf_lo) / denom * (bin_hi - bin_lo)
    return _to_space(s_new, spacing).to(t.dtype)


def merge_samples(t_coarse: torch.Tensor, t_fine: torch.Tensor) -> torch.Tensor:
    """``(rays, S + S')`` sorted union of coarse and importance positions."""
    return merge_samples_with_order(t_coarse, t_fine)[0]


def merge_samples_with_order(t_coarse: torch.Tensor, t_fine: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`merge_samples` and, for each merged position, its index ``(rays, S + S')`` into the concatenation
    ``[t_coarse, t_fine]`` (to put per-sample quantities computed for each part in the merged order)."""
    return torch.sort(torch.cat([t_coarse, t_fine], dim=-1), dim=-1)

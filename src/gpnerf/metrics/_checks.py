"""Input checks shared by the metric modules.

Errors follow "<what> must <expectation>; got <actual>. <how to fix>".
"""

import torch


def require_tensor(name: str, value: object) -> torch.Tensor:
    """Return ``value`` if it is a ``torch.Tensor``, else raise ``TypeError``."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor; got {type(value).__name__}. "
            "Convert it with torch.as_tensor(...)."
        )
    return value


def require_integer_map(name: str, value: object) -> torch.Tensor:
    """Return ``value`` if it is an integer tensor of shape ``(H, W)``."""
    value = require_tensor(name, value)
    if value.dtype.is_floating_point or value.dtype.is_complex or value.dtype == torch.bool:
        raise TypeError(
            f"{name} must have an integer dtype (int64 class or instance ids); got {value.dtype}. "
            "Take the argmax over the class channel first, or cast with .long()."
        )
    if value.ndim != 2:
        raise ValueError(
            f"{name} must have shape (H, W); got {tuple(value.shape)}. Pass one image at a time."
        )
    return value


def require_same_shape(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape; got {tuple(a.shape)} and {tuple(b.shape)}. "
            "Render and load the target at the same resolution."
        )


def require_image(name: str, value: object) -> torch.Tensor:
    """Return ``value`` if it is a floating ``(3, H, W)`` image tensor."""
    value = require_tensor(name, value)
    if not value.dtype.is_floating_point:
        raise TypeError(
            f"{name} must be a floating-point image in [0, 1]; got dtype {value.dtype}. "
            "Convert uint8 images with .float() / 255."
        )
    if value.ndim != 3 or value.shape[0] != 3:
        raise ValueError(
            f"{name} must have shape (3, H, W); got {tuple(value.shape)}. "
            "Pass one view, e.g. images[v] of a (views, 3, H, W) batch."
        )
    return value

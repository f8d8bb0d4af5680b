"""Smooth novel camera paths for `gpnerf render`: interpolate between key poses (world_from_cam, OpenCV)."""

import torch


def _quaternion_from_matrix(rot: torch.Tensor) -> torch.Tensor:
    """``(3, 3)`` rotation -> unit quaternion ``(4,)`` (w, x, y, z), w >= 0."""
    m = rot.double()
    trace = m[0, 0] + m[1, 1] + m[2, 2]
    candidates = torch.stack(
        [
            torch.stack([1 + trace, m[2, 1] - m[1, 2], m[0, 2] - m[2, 0], m[1, 0] - m[0, 1]]),
            torch.stack([m[2, 1] - m[1, 2], 1 + m[0, 0] - m[1, 1] - m[2, 2], m[0, 1] + m[1, 0], m[0, 2] + m[2, 0]]),
            torch.stack([m[0, 2] - m[2, 0], m[0, 1] + m[1, 0], 1 - m[0, 0] + m[1, 1] - m[2, 2], m[1, 2] + m[2, 1]]),
            torch.stack([m[1, 0] - m[0, 1], m[0, 2] + m[2, 0], m[1, 2] + m[2, 1], 1 - m[0, 0] - m[1, 1] + m[2, 2]]),
        ]
    )
    best = candidates.norm(dim=1).argmax()
    q = candidates[best] / candidates[best].norm()
    return q if q[0] >= 0 else -q


def _matrix_from_quaternion(q: torch.Tensor) -> torch.Tensor:
    w, x, y, z = q / q.norm()
    return torch.stack(
        [
            torch.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)]),
            torch.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)]),
            torch.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]),
        ]
    )


def _slerp(q0: torch.Tensor, q1: torch.Tensor, s: float) -> torch.Tensor:
    dot = float((q0 * q1).sum())
    if dot < 0:
        q1, dot = -q1, -dot
    if dot > 0.9995:
        q = q0 + s * (q1 - q0)
        return q / q.norm()
    theta = torch.arccos(torch.tensor(dot, dtype=q0.dtype))
    return (torch.sin((1 - s) * theta) * q0 + torch.sin(s * theta) * q1) / torch.sin(theta)


def interpolate_poses(key_poses: torch.Tensor, num_frames: int) -> torch.Tensor:
    """``num_frames`` poses ``(num_frames, 4, 4)`` moving through ``key_poses`` ``(keys, 4, 4)`` at uniform
    parameter steps: positions linearly, rotations by quaternion slerp. First and last equal the first
    and last key poses."""
    keys = key_poses.shape[0]
    if keys < 2 or num_frames < 2:
        raise ValueError(f"interpolate_poses needs >= 2 key poses and >= 2 frames; got {keys} and {num_frames}.")
    quats = [_quaternion_from_matrix(p[:3, :3]) for p in key_poses]
    out = torch.zeros(num_frames, 4, 4, dtype=torch.float64)
    for i, u in enumerate(torch.linspace(0, keys - 1, num_frames, dtype=torch.float64)):
        k = min(int(u), keys - 2)
        s = float(u - k)
        out[i, :3, :3] = _matrix_from_quaternion(_slerp(quats[k], quats[k + 1], s))
        out[i, :3, 3] = (1 - s) * key_poses[k, :3, 3].double() + s * key_poses[k + 1, :3, 3].double()
        out[i, 3, 3] = 1.0
    return out.to(key_poses.dtype)

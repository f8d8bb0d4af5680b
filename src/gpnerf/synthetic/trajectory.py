"""Handheld-scan-like camera paths inside a procedural room.

A camera path is a smoothed random walk on the floor plan that keeps at least
:data:`MIN_CLEARANCE` metres from every object footprint and wall, at eye height
(1.2-1.8 m), slowly turning to look around, pitched slightly down. Consecutive frames move at most
:data:`MAX_STEP_M` metres and turn at most about :data:`MAX_TURN_RAD` radians, so they overlap.
"""

import math

import numpy as np
import torch

from gpnerf.geometry import Cameras, intrinsics_from_fov
from gpnerf.synthetic.room import Room

MIN_CLEARANCE = 0.35
"""Minimum horizontal distance (metres) from a camera centre to any object footprint or wall."""

MAX_STEP_M = 0.1
"""Largest camera translation between consecutive frames, metres."""

MAX_TURN_RAD = 0.2
"""Largest planned yaw change between consecutive frames, radians (plus a small wobble)."""

EYE_HEIGHT_RANGE = (1.2, 1.8)
"""Camera centre height range, metres above the floor."""

_WALK_CLEARANCE = MIN_CLEARANCE + 0.15
_WALK_STEP = 0.05
_SMOOTH_HALF_WINDOW = 2


def clearance(room: Room, xy: np.ndarray) -> np.ndarray:
    """Horizontal distance (metres) from points ``(n, 2)`` to the nearest wall or object
    footprint; negative inside a footprint or outside the room. Returns ``(n,)``."""
    X, Y, _ = room.size
    best = np.minimum.reduce([xy[:, 0], X - xy[:, 0], xy[:, 1], Y - xy[:, 1]])
    for obj in room.objects:
        b = obj.bounds
        c, s = math.cos(b.yaw), math.sin(b.yaw)
        rel = xy - [b.cx, b.cy]
        lx = np.abs(c * rel[:, 0] + s * rel[:, 1]) - b.hx
        ly = np.abs(-s * rel[:, 0] + c * rel[:, 1]) - b.hy
        outside = np.hypot(np.maximum(lx, 0.0), np.maximum(ly, 0.0))
        inside = np.minimum(np.maximum(lx, ly), 0.0)
        best = np.minimum(best, outside + inside)
    return best


def _walk(room: Room, rng: np.random.Generator, length: float) -> np.ndarray:
    """``(steps, 2)`` random walk from the walkway centre staying ``_WALK_CLEARANCE`` clear."""
    position = np.array(room.walkway, dtype=np.float64)
    heading = rng.uniform(-math.pi, math.pi)
    path = [position.copy()]
    for _ in range(int(math.ceil(length / _WALK_STEP))):
        heading += rng.normal(0.0, 0.2)
        turns = [heading + sign * k * 0.3 for k in range(12) for sign in ((1,) if k == 0 else (1, -1))]
        candidates = position + _WALK_STEP * np.stack([np.cos(turns), np.sin(turns)], axis=-1)
        ok = clearance(room, candidates) >= _WALK_CLEARANCE
        if ok.any():
            k = int(np.argmax(ok))
            heading, position = turns[k], candidates[k]
        else:
            heading += math.pi
        path.append(position.copy())
    return np.array(path)


def _smooth(path: np.ndarray) -> np.ndarray:
    padded = np.concatenate([path[:1].repeat(_SMOOTH_HALF_WINDOW, 0), path, path[-1:].repeat(_SMOOTH_HALF_WINDOW, 0)])
    window = 2 * _SMOOTH_HALF_WINDOW + 1
    kernel = np.ones(window) / window
    return np.stack([np.convolve(padded[:, i], kernel, mode="valid") for i in range(2)], axis=-1)


def _resample(path: np.ndarray, num: int) -> np.ndarray:
    """``(num, 2)`` points evenly spaced by arc length along ``path``."""
    seg = np.linalg.norm(np.diff(path, axis=0), axis=-1)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    if arc[-1] < 1e-9:
        return np.repeat(path[:1], num, axis=0)
    target = np.linspace(0.0, arc[-1], num)
    return np.stack([np.interp(target, arc, path[:, i]) for i in range(2)], axis=-1)


def _world_from_cam(position: np.ndarray, yaw: np.ndarray, pitch: np.ndarray, roll: np.ndarray) -> np.ndarray:
    """``(n, 4, 4)`` OpenCV-axes poses looking along (yaw, pitch) with roll about the view axis."""
    forward = np.stack([np.cos(pitch) * np.cos(yaw), np.cos(pitch) * np.sin(yaw), np.sin(pitch)], -1)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right, axis=-1, keepdims=True)
    down = np.cross(forward, right)
    cr, sr = np.cos(roll)[:, None], np.sin(roll)[:, None]
    right, down = cr * right + sr * down, -sr * right + cr * down
    pose = np.tile(np.eye(4), (len(yaw), 1, 1))
    pose[:, :3, 0], pose[:, :3, 1], pose[:, :3, 2], pose[:, :3, 3] = right, down, forward, position
    return pose


def make_trajectory(
    room: Room, num_views: int, height: int, width: int, hfov_deg: float = 90.0, seed: int = 0
) -> Cameras:
    """A smooth handheld-scan camera path of ``num_views`` frames inside ``room``.

    Args:
        room: the room (cameras stay :data:`MIN_CLEARANCE` from its objects and walls).
        num_views: frames (>= 1).
        height, width: image size in pixels.
        hfov_deg: horizontal field of view; intrinsics from :func:`gpnerf.geometry.intrinsics_from_fov`.
        seed: varies the path for one room.

    Returns:
        CPU :class:`~gpnerf.geometry.Cameras` (float32 ``world_from_cam``, OpenCV axes).
    """
    if num_views < 1:
        raise ValueError(f"num_views must be >= 1; got {num_views}.")
    rng = np.random.default_rng(np.random.SeedSequence([room.seed & 0xFFFFFFFFFFFFFFFF, seed & 0xFFFFFFFFFFFFFFFF, 0x7AA]))
    length = min(MAX_STEP_M * (num_views - 1), 6.0)
    xy = _resample(_smooth(_walk(room, rng, length)), num_views) if num_views > 1 else np.array([room.walkway])
    if (clearance(room, xy) < MIN_CLEARANCE).any():
        xy = np.repeat(np.array([room.walkway]), num_views, axis=0)
    s = np.linspace(0.0, 1.0, num_views)
    phases = rng.uniform(0.0, 2.0 * math.pi, size=4)
    sweep = min(rng.uniform(1.2, 2.0) * math.pi, MAX_TURN_RAD * (num_views - 1)) * rng.choice([-1.0, 1.0])
    wobble = min(0.15, 0.5 * MAX_TURN_RAD * (num_views - 1))
    yaw = rng.uniform(-math.pi, math.pi) + sweep * s + wobble * np.sin(2 * math.pi * s + phases[0])
    pitch = -rng.uniform(0.12, 0.35) + 0.08 * np.sin(2 * math.pi * s + phases[1])
    roll = 0.03 * np.sin(2 * math.pi * s + phases[2])
    z = np.clip(rng.uniform(1.35, 1.65) + 0.1 * np.sin(2 * math.pi * s + phases[3]), *EYE_HEIGHT_RANGE)
    position = np.concatenate([xy, z[:, None]], axis=-1)
    world_from_cam = torch.from_numpy(_world_from_cam(position, yaw, pitch, roll)).float()
    K = intrinsics_from_fov(width, height, hfov_deg).expand(num_views, 3, 3).contiguous()
    return Cameras(K, world_from_cam, height, width)

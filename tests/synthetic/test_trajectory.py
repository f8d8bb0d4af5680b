import math

import numpy as np
import torch

from gpnerf.geometry import intrinsics_from_fov
from gpnerf.synthetic import make_room, make_trajectory
from gpnerf.synthetic.trajectory import EYE_HEIGHT_RANGE, MAX_STEP_M


def _distance_to_part(point, part):
    """Euclidean distance from a 3D point to a part's bounding prism (0 inside)."""
    cx, cy, cz = part.center
    hx, hy, hz = part.half_size
    yaw = part.yaw if part.kind == "box" else 0.0
    rel = np.asarray(point) - [cx, cy, cz]
    c, s = math.cos(yaw), math.sin(yaw)
    local = np.array([c * rel[0] + s * rel[1], -s * rel[0] + c * rel[1], rel[2]])
    return float(np.linalg.norm(np.maximum(np.abs(local) - [hx, hy, hz], 0.0)))


def test_cameras_inside_room_clear_of_objects_and_smooth():
    for seed in range(12):
        room = make_room(seed)
        cams = make_trajectory(room, 30, 24, 32, seed=seed)
        X, Y, Z = room.size
        centers = cams.centers.double().numpy()
        assert (centers[:, 0] > 0.3).all() and (centers[:, 0] < X - 0.3).all()
        assert (centers[:, 1] > 0.3).all() and (centers[:, 1] < Y - 0.3).all()
        assert (centers[:, 2] >= EYE_HEIGHT_RANGE[0] - 1e-6).all() and (centers[:, 2] <= EYE_HEIGHT_RANGE[1] + 1e-6).all()
        for center in centers:
            for obj in room.objects:
                for part in obj.parts:
                    assert _distance_to_part(center, part) >= 0.3, f"seed {seed}: camera too close to {obj.name}"
        steps = np.linalg.norm(np.diff(centers, axis=0), axis=-1)
        assert steps.max() <= MAX_STEP_M + 0.02
        forward = cams.world_from_cam[:, :3, 2].double().numpy()
        angles = np.degrees(np.arccos(np.clip((forward[1:] * forward[:-1]).sum(-1), -1, 1)))
        assert angles.max() < 20.0, "consecutive frames must overlap"


def test_poses_are_rigid_opencv_and_intrinsics_match():
    room = make_room(5)
    cams = make_trajectory(room, 8, 24, 32, hfov_deg=90.0, seed=1)
    rot = cams.world_from_cam[:, :3, :3]
    assert torch.allclose(rot @ rot.transpose(-1, -2), torch.eye(3).expand(8, 3, 3), atol=1e-5)
    assert torch.allclose(torch.linalg.det(rot), torch.ones(8), atol=1e-5)
    # camera y (down) points mostly towards -z (world up is +z)
    assert (cams.world_from_cam[:, 2, 1] < -0.8).all()
    assert torch.equal(cams.K[0], intrinsics_from_fov(32, 24, 90.0))


def test_trajectory_seed_changes_path():
    room = make_room(2)
    a = make_trajectory(room, 10, 24, 32, seed=0)
    b = make_trajectory(room, 10, 24, 32, seed=0)
    c = make_trajectory(room, 10, 24, 32, seed=1)
    assert torch.equal(a.world_from_cam, b.world_from_cam)
    assert not torch.equal(a.world_from_cam, c.world_from_cam)

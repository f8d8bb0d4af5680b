import math

import numpy as np
import pytest

from gpnerf.data.labels import SCANNET20
from gpnerf.synthetic import make_room
from gpnerf.synthetic.room import FIRST_OBJECT_INSTANCE_ID, Prism, _Layout, _reserve_walkway
from gpnerf.synthetic.writer import default_num_test_scenes, scene_names, scene_seed


def _part_rect(part):
    """Footprint corners (4, 2), the two in-plane axes and the height interval of a part's
    bounding prism (boxes exactly; cylinders and spheres by their axis-aligned bounds)."""
    cx, cy, cz = part.center
    hx, hy, hz = part.half_size
    yaw = part.yaw if part.kind == "box" else 0.0
    ex = np.array([math.cos(yaw), math.sin(yaw)])
    ey = np.array([-math.sin(yaw), math.cos(yaw)])
    corners = np.array([[cx, cy] + sx * hx * ex + sy * hy * ey for sx in (-1, 1) for sy in (-1, 1)])
    return corners, (ex, ey), (cz - hz, cz + hz)


def _overlap_depth(a, b):
    """Smallest penetration depth of two part prisms over all separating axes (<= 0: apart)."""
    ca, axes_a, za = _part_rect(a)
    cb, axes_b, zb = _part_rect(b)
    depth = min(za[1], zb[1]) - max(za[0], zb[0])
    for axis in axes_a + axes_b:
        pa, pb = ca @ axis, cb @ axis
        depth = min(depth, min(pa.max(), pb.max()) - max(pa.min(), pb.min()))
    return depth


def test_same_seed_same_room_and_different_seed_different_room():
    assert make_room(11) == make_room(11)
    a, b = make_room(11), make_room(12)
    assert a != b
    assert a.size != b.size


def test_overlap_helper_detects_overlap():
    room = make_room(3)
    part = room.objects[0].parts[0]
    assert _overlap_depth(part, part) > 0.0


@pytest.mark.parametrize("seed", range(50))
def test_no_interpenetration_and_inside_room(seed):
    room = make_room(seed)
    X, Y, Z = room.size
    parts = [(obj.instance_id, part) for obj in room.objects for part in obj.parts]
    for _, part in parts:
        corners, _, (z0, z1) = _part_rect(part)
        assert corners.min() >= -1e-6 and corners[:, 0].max() <= X + 1e-6 and corners[:, 1].max() <= Y + 1e-6
        assert z0 >= -1e-6 and z1 <= Z + 1e-6
    for i, (inst_a, a) in enumerate(parts):
        for inst_b, b in parts[i + 1 :]:
            if inst_a != inst_b:
                assert _overlap_depth(a, b) <= 1e-5, f"seed {seed}: instances {inst_a} and {inst_b} interpenetrate"


def test_instance_ids_unique_and_labels_valid():
    for seed in range(10):
        room = make_room(seed)
        ids = [obj.instance_id for obj in room.objects]
        assert len(ids) == len(set(ids))
        assert min(ids) >= FIRST_OBJECT_INSTANCE_ID
        instances = room.instances()
        assert instances[1] == 1 and instances[2] == SCANNET20.ignore_index
        assert all(0 <= c <= SCANNET20.ignore_index for c in instances.values())


def test_default_dataset_covers_every_class():
    num_scenes = 20
    rooms = [make_room(scene_seed(0, split, index)) for _, split, index in scene_names(num_scenes, default_num_test_scenes(num_scenes))]
    present = set().union(*(room.class_ids() for room in rooms))
    missing = {SCANNET20.class_names[c] for c in range(SCANNET20.num_classes)} - {SCANNET20.class_names[c] for c in present}
    assert missing <= {"shower curtain"}, f"classes missing from the default 20-scene set: {missing}"
    assert len({room.room_type for room in rooms}) >= 4
    counts = [sum(obj.class_id == SCANNET20.class_names.index("chair") for obj in room.objects) for room in rooms]
    assert max(counts) >= 2, "rooms should hold several instances of a class"


def test_full_room_has_no_walkway_and_says_so():
    layout = _Layout(np.random.default_rng(0), (3.0, 3.0, 2.5))
    layout.obstacles.append(Prism(1.5, 1.5, 1.5, 1.5, 0.0, 0.0, 2.5))
    with pytest.raises(ValueError, match="must leave a free 1.1 m square of floor"):
        _reserve_walkway(layout)

"""Built-in procedural layout (scene.json / split.json) and the NICE-SLAM reader on the real sample."""

import json

import pytest
import torch

from data_fixtures import REAL_SLAM, write_builtin_scene
from gpnerf.data.errors import DataFormatError
from gpnerf.data.formats.builtin import load_builtin, load_builtin_scene
from gpnerf.data.formats.niceslam import load_niceslam
from gpnerf.data.labels import SCANNET20
from gpnerf.geometry import pixel_grid, project, unproject


def test_builtin_split_and_scene(builtin_root):
    (scene,) = load_builtin(builtin_root, "train")
    assert scene.name == "room_a" and scene.layout == "builtin" and len(scene) == 30
    assert scene.label_space is SCANNET20 and (scene.near, scene.far) == (0.1, 5.0)
    assert torch.equal(scene.K, torch.tensor([[16.0, 0, 15.5], [0, 16.0, 11.5], [0, 0, 1]]))
    frame = scene.frame(12)
    assert set(frame.semantic.unique().tolist()) == {0, 1, 4, 20}
    assert frame.instance.dtype == torch.int64 and frame.depth.shape == (24, 32)
    assert [s.name for s in load_builtin(builtin_root, "test")] == ["room_b"]


def test_builtin_scene_json_wrong_keys(builtin_root):
    path = builtin_root / "room_a" / "scene.json"
    meta = json.loads(path.read_text())
    meta["fov"] = meta.pop("hfov_deg")
    path.write_text(json.dumps(meta))
    with pytest.raises(DataFormatError, match=r"scene\.json must have exactly the keys .* missing \['hfov_deg'\], extra \['fov'\]"):
        load_builtin_scene(builtin_root / "room_a")


def test_builtin_split_overlap(builtin_root):
    (builtin_root / "split.json").write_text(
        json.dumps({"format": "gpnerf-synth-split", "train": ["room_a", "room_b"], "test": ["room_b"]})
    )
    with pytest.raises(DataFormatError, match=r"split\.json train and test must be disjoint; got \['room_b'\]"):
        load_builtin(builtin_root, "train")


def test_builtin_label_out_of_range(tmp_path):
    folder = write_builtin_scene(tmp_path / "room", num_frames=3, labels=(0, 21, 20))
    with pytest.raises(DataFormatError, match=r"semantic_class_0\.png label ids must lie in \[0, 19\] or be 20 .*got \[21\]"):
        load_builtin_scene(folder).frame(0)


@pytest.mark.skipif(not REAL_SLAM.is_dir(), reason="real Replica sample not present")
def test_real_sample_depth_reprojection():
    scene = load_niceslam(REAL_SLAM)
    assert len(scene) == 4 and (scene.height, scene.width) == (680, 1200)
    assert torch.equal(scene.K, torch.tensor([[600.0, 0, 599.5], [0, 600.0, 339.5], [0, 0, 1]]))
    first, last = scene.frame(0), scene.frame(3)
    depth = first.depth.reshape(-1).double()
    valid = depth > 0
    points = unproject(pixel_grid(scene.height, scene.width)[valid].double(), depth[valid],
                       first.K.double(), first.world_from_cam.double())
    uv, z = project(points, last.K.double(), last.world_from_cam.double())
    u, v = uv[:, 0].round().long(), uv[:, 1].round().long()
    inside = (z > 0) & (u >= 0) & (u < scene.width) & (v >= 0) & (v < scene.height)
    observed = last.depth[v[inside], u[inside]].double()
    seen = observed > 0
    disagreement = (observed[seen] - z[inside][seen]).abs().median().item()
    assert seen.sum() > 0.5 * valid.sum()
    assert disagreement < 0.005  # metres; the reference reports ~0.6 mm

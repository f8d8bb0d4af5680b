"""Replica (Semantic-NeRF layout) reader: order, decoys, encodings, label map, intrinsics, splits."""

import numpy as np
import pytest
import torch
from PIL import Image

from data_fixtures import circle_poses, write_sequence
from gpnerf.data.errors import DataMissingError
from gpnerf.data.formats.replica import ReplicaConfig, load_replica, load_replica_sequence, replica_split_scenes
from gpnerf.data.labels import REPLICA51, REPLICA51_RAW_IDS, replica_raw_to_class
from gpnerf.geometry import project


def test_numeric_order_decoy_ignored_and_encodings(replica_root):
    scene = load_replica_sequence(replica_root / "office_4" / "Sequence_1", "office_4/Sequence_1")
    assert scene.frame_ids == list(range(12))  # numeric: 2 before 10
    frame = scene.frame(10)
    assert frame.frame_id == 10
    assert frame.image.dtype == torch.float32 and frame.image.shape == (3, 48, 64)
    assert frame.image[0, 0, 0].item() == pytest.approx(10 / 255)  # R channel encodes the frame id
    assert frame.depth.dtype == torch.float32
    assert frame.depth[5, 5].item() == pytest.approx((500 + 100 * 10) / 1000)  # mm -> m
    assert frame.depth[0, 0].item() == 0.0
    assert frame.semantic.dtype == torch.int64 and frame.instance.dtype == torch.int64
    assert scene.label_space is REPLICA51 and scene.ignore_index == 51
    # stripes of raw ids (0, 1, 3, 40, 98, 101) -> (51, 51, 0, 22, 50, 51); the decoy (value 200) never appears
    assert set(frame.semantic.unique().tolist()) == {51, 0, 22, 50}


def test_raw_label_map_values():
    raw = np.array([3, 98, 40, 0, 1, 101, 255, 20])
    assert replica_raw_to_class(raw).tolist() == [0, 50, 22, 51, 51, 51, 51, REPLICA51_RAW_IDS.index(20)]
    assert REPLICA51.num_classes == 51 and len(set(REPLICA51_RAW_IDS)) == 51


@pytest.mark.parametrize(
    "variant, expected",
    [("true", (320, 320, 319.5, 239.5)), ("sray", (320, 320, 319.5, 229.5)), ("gpnerf", (320, 319.5, 320, 229.5))],
)
def test_intrinsics_at_640x480(tmp_path, variant, expected):
    folder = write_sequence(tmp_path / "office_4" / "Sequence_1", 2, 480, 640, (3, 40))
    scene = load_replica_sequence(folder, "office_4/Sequence_1", ReplicaConfig(intrinsics=variant))
    fx, fy, cx, cy = expected
    assert torch.equal(scene.K, torch.tensor([[fx, 0, cx], [0, fy, cy], [0, 0, 1.0]]))
    assert (scene.height, scene.width) == (480, 640)


def test_intrinsics_scale_with_width(replica_root):
    scene = load_replica_sequence(replica_root / "room_2" / "Sequence_1", "room_2/Sequence_1")
    s = 64 / 640
    assert torch.allclose(scene.K, torch.tensor([[320 * s, 0, 319.5 * s], [0, 320 * s, 239.5 * s], [0, 0, 1.0]]))


def test_point_ahead_of_camera_projects_to_principal_point(tmp_path):
    folder = write_sequence(tmp_path / "seq", 2, 480, 640, (3,))
    scene = load_replica_sequence(folder, "seq")
    pose = scene.world_from_cam[0]
    assert torch.allclose(pose.double(), torch.from_numpy(circle_poses(2)[0]), atol=1e-6)  # c2w used as is
    point = pose[:3, 3] + 2.0 * pose[:3, 2]  # 2 m along the optical axis (+z, OpenCV)
    uv, depth = project(point[None], scene.K, pose)
    assert torch.allclose(uv[0], torch.tensor([319.5, 239.5]), atol=1e-3)
    assert depth.item() == pytest.approx(2.0, abs=1e-5)


def test_default_split_is_gsnerf_and_loads_sequences(replica_root):
    assert replica_split_scenes("train") == ("office_0", "office_1", "office_2", "office_3", "room_0", "room_1")
    scenes = load_replica(replica_root, "test")
    assert [s.name for s in scenes] == ["office_4/Sequence_1", "office_4/Sequence_2", "room_2/Sequence_1"]
    assert all((s.near, s.far) == (0.1, 6.0) for s in scenes)


def test_gpnerf_split_warns_about_leak():
    with pytest.warns(UserWarning, match="also in training"):
        names = replica_split_scenes("test", ReplicaConfig(split="gpnerf"))
    assert names == ("office_0", "room_0")


def test_missing_split_scene_names_folder(replica_root):
    with pytest.raises(DataMissingError, match=r"office_0.*got nothing there"):
        load_replica(replica_root, "train")


def test_frames_are_read_lazily(replica_root, monkeypatch):
    scene = load_replica_sequence(replica_root / "office_4" / "Sequence_1", "office_4/Sequence_1")
    opened = []
    original = Image.open

    def recording_open(path, *args, **kwargs):
        opened.append(str(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(Image, "open", recording_open)
    scene.frame(7)
    assert len(opened) == 4
    assert all(name.endswith("_7.png") for name in opened)

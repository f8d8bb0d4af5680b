"""The remaining error messages of the readers, one test each (pattern: what must hold; got what)."""

import json

import numpy as np
import pytest
from PIL import Image

from data_fixtures import (
    REPLICA_RAW_IDS,
    circle_poses,
    write_builtin_scene,
    write_png,
    write_scannet_scene,
    write_sequence,
    write_trajectory,
    write_tsv,
)
from gpnerf.data.errors import DataFormatError, DataMissingError
from gpnerf.data.formats.builtin import load_builtin, load_builtin_scene
from gpnerf.data.formats.detect import SceneEntry, load_entry, load_path
from gpnerf.data.formats.niceslam import load_niceslam
from gpnerf.data.formats.replica import (
    ReplicaConfig,
    load_replica,
    load_replica_sequence,
    replica_intrinsics,
    replica_split_scenes,
)
from gpnerf.data.formats.scannet import load_scannet, load_scannet_scene
from gpnerf.data.validate import validate_frames


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda m: m.update(format="other"), r"'format' must be 'gpnerf-synth'; got 'other'"),
        (lambda m: m.update(label_space="replica51"), r"must use label_space 'scannet20' with its 20 class names; got 'replica51'"),
        (lambda m: m.update(ignore_index=255), r"ignore_index must be 20; got 255"),
        (lambda m: m.update(intrinsics={"f": 1}), r"intrinsics must have keys fx, fy, cx, cy; got \['f'\]"),
        (lambda m: m.update(num_frames=99), r"num_frames must match the 4 rgb files; got 99"),
        (lambda m: m.update(height=10), r"says 10x32 but the rgb frames are 24x32"),
    ],
)
def test_builtin_scene_json_checks(tmp_path, edit, message):
    folder = write_builtin_scene(tmp_path / "room", num_frames=4)
    meta = json.loads((folder / "scene.json").read_text())
    edit(meta)
    (folder / "scene.json").write_text(json.dumps(meta))
    with pytest.raises(DataFormatError, match=message):
        load_builtin_scene(folder)


def test_builtin_json_files(tmp_path):
    folder = write_builtin_scene(tmp_path / "room", num_frames=2)
    (folder / "scene.json").write_text("{not json")
    with pytest.raises(DataFormatError, match=r"scene\.json must be valid JSON; got"):
        load_builtin_scene(folder)
    (folder / "scene.json").write_text("[1, 2]")
    with pytest.raises(DataFormatError, match=r"scene\.json must hold a JSON object; got list"):
        load_builtin_scene(folder)
    (folder / "scene.json").unlink()
    with pytest.raises(DataMissingError, match=r"built-in scene\.json must be a file at"):
        load_builtin_scene(folder)
    (tmp_path / "split.json").write_text(json.dumps({"train": ["room"]}))
    with pytest.raises(DataFormatError, match=r"split\.json must be \{'format': 'gpnerf-synth-split', 'train': \[names\], 'test': \[names\]\}; got keys \['train'\]"):
        load_builtin(tmp_path, "train")


def test_builtin_split_name(builtin_root):
    with pytest.raises(ValueError, match="split must be 'train' or 'test'; got 'val'"):
        load_builtin(builtin_root, "val")


def test_replica_switch_values(tmp_path):
    with pytest.raises(ValueError, match=r"Replica intrinsics must be one of \['gpnerf', 'sray', 'true'\]; got 'x'"):
        replica_intrinsics(480, 640, "x")
    with pytest.raises(ValueError, match=r"Replica split must be one of \['gpnerf', 'gsnerf'\]; got 'sray'"):
        replica_split_scenes("test", ReplicaConfig(split="sray"))
    with pytest.raises(ValueError, match="split must be 'train' or 'test'; got 'val'"):
        replica_split_scenes("val")
    for name in ("office_4", "room_2"):
        (tmp_path / name).mkdir()
    with pytest.raises(DataMissingError, match=r"office_4 must hold one of \['Sequence_1', 'Sequence_2'\]; got none"):
        load_replica(tmp_path, "test")


def test_missing_file_after_indexing(tmp_path):
    folder = write_sequence(tmp_path / "seq", 3, 8, 8, REPLICA_RAW_IDS)
    scene = load_replica_sequence(folder, "seq")
    (folder / "rgb" / "rgb_1.png").unlink()
    with pytest.raises(DataMissingError, match=r"Image file must exist at .*rgb_1\.png; got nothing there"):
        scene.frame(1)


def test_unreadable_first_frame_header(tmp_path):
    folder = write_sequence(tmp_path / "seq", 3, 8, 8, REPLICA_RAW_IDS)
    (folder / "rgb" / "rgb_0.png").write_bytes(b"\x89PNG garbage")
    with pytest.raises(DataFormatError, match=r"rgb_0\.png must be a readable image; got UnidentifiedImageError"):
        load_replica_sequence(folder, "seq")


def test_scannet_pose_file_shape_and_rotation(tmp_path):
    folder = write_scannet_scene(tmp_path / "scene0000_00", 2, invalid=())
    write_tsv(tmp_path / "scannetv2-labels.combined.tsv")
    (folder / "pose" / "1.txt").write_text("1 0 0 0\n0 1 0 0\n0 0 1 0\n")
    with pytest.raises(DataFormatError, match=r"pose/1\.txt must hold a 4x4 matrix \(4 lines of 4 numbers\); got 3 lines"):
        load_scannet_scene(folder)
    np.savetxt(folder / "pose" / "1.txt", np.diag([2.0, 1.0, 1.0, 1.0]))
    with pytest.raises(DataFormatError, match=r"pose/1\.txt: pose rotation must be orthonormal"):
        load_scannet_scene(folder)
    (folder / "pose" / "1.txt").unlink()
    (folder / "pose" / "0.txt").unlink()
    with pytest.raises(DataFormatError, match=r"pose must hold <i>\.txt poses; got none\. The scene is empty"):
        load_scannet_scene(folder)


def test_scannet_wrong_size_frame_and_missing_scene(tmp_path):
    folder = write_scannet_scene(tmp_path / "scene0000_00", 2, invalid=())
    write_tsv(tmp_path / "scannetv2-labels.combined.tsv")
    write_png(folder / "depth" / "1.png", np.full((30, 40), 500, np.uint16))
    with pytest.raises(DataFormatError, match=r"depth/1\.png must be 60x80 \(H x W\) like frame 0; got 30x40"):
        load_scannet_scene(folder).frame(1)
    with pytest.raises(DataMissingError, match=r"ScanNet scene folder must exist at .*scene0999_00"):
        load_scannet(tmp_path, ("scene0999_00",))


def test_niceslam_consistency(tmp_path):
    folder = tmp_path / "slam"
    (folder / "results").mkdir(parents=True)
    for i in range(2):
        Image.fromarray(np.zeros((8, 12, 3), np.uint8)).save(folder / "results" / f"frame{i:06d}.jpg")
        write_png(folder / "results" / f"depth{i:06d}.png", np.full((8, 12), 6553, np.uint16))
    camera = {"w": 12, "h": 8, "fx": 6.0, "fy": 6.0, "cx": 5.5, "cy": 3.5, "scale": 6553.5}
    (folder / "cam_params.json").write_text(json.dumps({"camera": camera}))
    write_trajectory(folder / "traj.txt", circle_poses(2))
    scene = load_niceslam(folder)
    assert scene.frame(1).depth[0, 0].item() == pytest.approx(6553 / 6553.5)
    write_png(folder / "results" / "depth000001.png", np.full((4, 12), 6553, np.uint16))
    with pytest.raises(DataFormatError, match=r"depth000001\.png must be 8x12 like the colour frames; got 4x12"):
        scene.frame(1)
    (folder / "results" / "depth000001.png").unlink()
    with pytest.raises(DataFormatError, match=r"must hold one depth<i>\.png per frame<i>\.jpg; got 1 depth and 2 colour files"):
        load_niceslam(folder)
    (folder / "results" / "depth000000.png").unlink()
    write_trajectory(folder / "traj.txt", circle_poses(1))
    with pytest.raises(DataFormatError, match=r"traj\.txt must hold a pose for frame 1; got 1 lines"):
        load_niceslam(folder)
    write_trajectory(folder / "traj.txt", circle_poses(2))
    (folder / "cam_params.json").write_text(json.dumps({"camera": dict(camera, w=16)}))
    with pytest.raises(DataFormatError, match=r"cam_params\.json says 8x16 but .*frame000000\.jpg is 8x12"):
        load_niceslam(folder)
    for path in (folder / "results").iterdir():
        path.unlink()
    with pytest.raises(DataFormatError, match=r"results must hold frame<i>\.jpg files; got none\. The scene is empty"):
        load_niceslam(folder)


def test_detect_and_validate_arguments(builtin_root, tmp_path):
    assert [s.name for s in load_path(builtin_root)] == ["room_a", "room_b"]
    with pytest.raises(ValueError, match=r"layout must be one of \('builtin', 'replica', 'scannet', 'niceslam'\); got 'colmap'"):
        load_entry(SceneEntry("colmap", "x", tmp_path))
    scene = load_path(builtin_root / "room_a")[0]
    with pytest.raises(ValueError, match="stride must be >= 1; got 0"):
        validate_frames(SceneEntry("builtin", "room_a", builtin_root / "room_a"), scene, 0)
    with pytest.raises(KeyError, match="Scene 'room_a' has no frame id 99"):
        scene.index_of(99)

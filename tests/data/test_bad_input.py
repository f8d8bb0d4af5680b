"""Bad data gives ONE clear gpnerf error (ValueError / FileNotFoundError subclass) naming the file."""

import json

import numpy as np
import pytest
import torch
from PIL import ImageFile

from data_fixtures import REPLICA_RAW_IDS, write_png, write_scannet_scene, write_sequence, write_tsv
from gpnerf.data.errors import DataFormatError, DataMissingError
from gpnerf.data.formats.detect import discover
from gpnerf.data.formats.niceslam import load_niceslam
from gpnerf.data.formats.replica import load_replica_sequence
from gpnerf.data.formats.scannet import load_scannet_scene
from gpnerf.data.scene import FrameMaps, Scene


@pytest.fixture
def seq(tmp_path):
    return write_sequence(tmp_path / "office_4" / "Sequence_1", 6, 12, 16, REPLICA_RAW_IDS, decoy=False)


def _load(folder):
    return load_replica_sequence(folder, "office_4/Sequence_1")


def _clean(error):
    """A clean error: no chained exception from PIL / numpy internals."""
    assert error.__cause__ is None and error.__suppress_context__
    return str(error)


def test_error_classes_derive_from_builtins():
    assert issubclass(DataFormatError, ValueError) and issubclass(DataMissingError, FileNotFoundError)


def test_missing_sequence_folder(tmp_path):
    with pytest.raises(DataMissingError, match=r"replica sequence must be a folder at .*nowhere; got nothing there"):
        _load(tmp_path / "nowhere")


def test_missing_rgb_folder(seq):
    for path in (seq / "rgb").iterdir():
        path.unlink()
    (seq / "rgb").rmdir()
    with pytest.raises(DataMissingError, match=r"rgb folder must be a folder at .*Sequence_1/rgb"):
        _load(seq)


def test_missing_trajectory(seq):
    (seq / "traj_w_c.txt").unlink()
    with pytest.raises(DataMissingError, match=r"trajectory must be a file at .*traj_w_c\.txt"):
        _load(seq)


def test_mismatched_frame_counts(seq):
    (seq / "depth" / "depth_4.png").unlink()
    with pytest.raises(DataFormatError, match=r"Sequence_1/depth must hold one depth_<i>\.png per rgb frame \(6\); got 5 \(first mismatching id: 4\)"):
        _load(seq)


def test_trajectory_line_count(seq):
    lines = (seq / "traj_w_c.txt").read_text().splitlines()
    (seq / "traj_w_c.txt").write_text("\n".join(lines[:5]) + "\n")
    with pytest.raises(DataFormatError, match=r"traj_w_c\.txt must hold one pose per frame \(6 lines\); got 5"):
        _load(seq)


def test_malformed_trajectory_line(seq):
    lines = (seq / "traj_w_c.txt").read_text().splitlines()
    lines[1] = "1 2 3"
    (seq / "traj_w_c.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError, match=r"traj_w_c\.txt line 2 must hold 16 numbers; got 3"):
        _load(seq)


def test_gap_in_frame_ids(seq):
    for sub, prefix in (("rgb", "rgb"), ("depth", "depth"), ("semantic_class", "semantic_class"), ("semantic_instance", "semantic_instance")):
        (seq / sub / f"{prefix}_2.png").unlink()
    with pytest.raises(DataFormatError, match=r"frame ids must be 0\.\.4 without gaps; got 5 files, missing e\.g\. \[2\]"):
        _load(seq)


def test_truncated_image(seq):
    path = seq / "rgb" / "rgb_3.png"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    scene = _load(seq)
    with pytest.raises(DataFormatError) as info:
        scene.frame(3)
    assert "rgb_3.png must be a complete, readable image" in _clean(info.value)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    scene.frame(2)  # other frames still load


def test_unreadable_image(seq):
    (seq / "depth" / "depth_1.png").write_bytes(b"not an image at all")
    with pytest.raises(DataFormatError) as info:
        _load(seq).frame(1)
    assert "depth_1.png must be a complete, readable image; got UnidentifiedImageError" in _clean(info.value)


def test_wrong_depth_dtype(seq):
    write_png(seq / "depth" / "depth_0.png", np.full((12, 16), 9, np.uint8))
    with pytest.raises(DataFormatError, match=r"depth_0\.png must be a single-channel 16-bit PNG; got PIL mode 'L'"):
        _load(seq).frame(0)


def test_colour_label_map_rejected(seq):
    write_png(seq / "semantic_class" / "semantic_class_0.png", np.zeros((12, 16, 3), np.uint8))
    with pytest.raises(DataFormatError, match=r"semantic_class_0\.png must be a single-channel integer PNG .*got PIL mode 'RGB'"):
        _load(seq).frame(0)


def test_grey_rgb_rejected(seq):
    write_png(seq / "rgb" / "rgb_0.png", np.zeros((12, 16), np.uint8))
    with pytest.raises(DataFormatError, match=r"rgb_0\.png must be an 8-bit RGB image; got PIL mode 'L'"):
        _load(seq).frame(0)


def test_wrong_size_depth(seq):
    write_png(seq / "depth" / "depth_2.png", np.full((6, 8), 700, np.uint16))
    with pytest.raises(DataFormatError, match=r"depth_2\.png must be 12x16 \(H x W, the size of the rgb frames\); got 6x8"):
        _load(seq).frame(2)


@pytest.mark.parametrize(
    "value, reason",
    [(float("nan"), "pose must be finite; got NaN/inf"), (2.0, r"pose rotation must be orthonormal")],
)
def test_bad_pose(seq, value, reason):
    poses = np.loadtxt(seq / "traj_w_c.txt")
    poses[2, 0] = value
    np.savetxt(seq / "traj_w_c.txt", poses)
    with pytest.raises(DataFormatError, match=rf"traj_w_c\.txt line 3: {reason}"):
        _load(seq)


def test_reflection_and_last_row(seq):
    poses = np.loadtxt(seq / "traj_w_c.txt").reshape(-1, 4, 4)
    poses[1, :3, 0] *= -1
    poses[4, 3, 0] = 0.5
    np.savetxt(seq / "traj_w_c.txt", poses.reshape(-1, 16))
    with pytest.raises(DataFormatError, match=r"line 2: pose rotation must have determinant \+1"):
        _load(seq)
    poses[1, :3, 0] *= -1
    np.savetxt(seq / "traj_w_c.txt", poses.reshape(-1, 16))
    with pytest.raises(DataFormatError, match=r"line 5: pose last row must be 0 0 0 1"):
        _load(seq)


def test_empty_scene(tmp_path):
    (tmp_path / "seq" / "rgb").mkdir(parents=True)
    (tmp_path / "seq" / "traj_w_c.txt").write_text("")
    with pytest.raises(DataFormatError, match=r"seq/rgb must hold rgb_<i>\.png frames; got none\. The scene is empty"):
        _load(tmp_path / "seq")


def test_scannet_label_beyond_table(tmp_path):
    folder = write_scannet_scene(tmp_path / "scene0000_00", 2, invalid=())
    write_tsv(tmp_path / "scannetv2-labels.combined.tsv")
    write_png(folder / "label-filt" / "1.png", np.full((121, 162), 1400, np.uint16))
    scene = load_scannet_scene(folder)
    with pytest.raises(DataFormatError, match=r"label-filt/1\.png raw label ids must be < 1358 .*got max 1400"):
        scene.frame(1)


def test_scannet_missing_label_table(tmp_path):
    folder = write_scannet_scene(tmp_path / "scene0000_00", 2, invalid=())
    with pytest.raises(DataMissingError, match=r"ScanNet label table must exist at .*scannetv2-labels\.combined\.tsv"):
        load_scannet_scene(folder)


def test_scannet_all_poses_invalid(tmp_path):
    folder = write_scannet_scene(tmp_path / "scene0000_00", 2, invalid=(0, 1))
    write_tsv(tmp_path / "scannetv2-labels.combined.tsv")
    with pytest.warns(UserWarning), pytest.raises(DataFormatError, match=r"pose must hold at least one finite pose; got none"):
        load_scannet_scene(folder)


def test_scannet_missing_colour_file(tmp_path):
    folder = write_scannet_scene(tmp_path / "scene0000_00", 3, invalid=())
    write_tsv(tmp_path / "scannetv2-labels.combined.tsv")
    (folder / "color" / "2.jpg").unlink()
    with pytest.raises(DataFormatError, match=r"color must hold <i>\.jpg for every pose file \(3\); got 1 missing, e\.g\. .*color/2\.jpg"):
        load_scannet_scene(folder)


def test_scannet_depth_aspect(tmp_path):
    folder = write_scannet_scene(tmp_path / "scene0000_00", 2, depth_hw=(60, 60), invalid=())
    write_tsv(tmp_path / "scannetv2-labels.combined.tsv")
    with pytest.raises(DataFormatError, match=r"depth/0\.png must have the colour frames' aspect ratio \(162x121\); got 60x60"):
        load_scannet_scene(folder)


def test_bad_label_table(tmp_path):
    from gpnerf.data.labels import read_scannet_label_table

    path = tmp_path / "t.tsv"
    path.write_text("name\tvalue\n")
    with pytest.raises(DataFormatError, match=r"t\.tsv must be tab-separated with a header containing 'id' and 'nyu40id'"):
        read_scannet_label_table(path)
    path.write_text("id\tnyu40id\n3\tx\n")
    with pytest.raises(ValueError, match=r"t\.tsv line 2 must hold integer id and nyu40id"):
        read_scannet_label_table(path)
    path.write_text("id\tnyu40id\n3\t41\n")
    with pytest.raises(ValueError, match=r"line 2 must have id >= 0 and nyu40id in \[0, 40\]; got 3, 41"):
        read_scannet_label_table(path)
    path.write_text("id\tnyu40id\n")
    with pytest.raises(ValueError, match=r"must hold at least one label row"):
        read_scannet_label_table(path)
    with pytest.raises(DataMissingError, match=r"ScanNet label table must exist at .*absent\.tsv"):
        read_scannet_label_table(tmp_path / "absent.tsv")


def test_niceslam_errors(tmp_path):
    (tmp_path / "slam" / "results").mkdir(parents=True)
    with pytest.raises(DataMissingError, match=r"NICE-SLAM camera file must be a file at .*cam_params\.json"):
        load_niceslam(tmp_path / "slam")
    (tmp_path / "slam" / "cam_params.json").write_text(json.dumps({"camera": {"w": 16}}))
    (tmp_path / "slam" / "traj.txt").write_text("")
    with pytest.raises(DataFormatError, match=r"cam_params\.json must hold camera\.\{w, h, fx, fy, cx, cy, scale\}"):
        load_niceslam(tmp_path / "slam")


def test_unrecognised_folder(tmp_path):
    (tmp_path / "random").mkdir()
    with pytest.raises(DataMissingError, match=r"random must hold one of the layouts builtin, replica, scannet, niceslam"):
        discover(tmp_path / "random")
    with pytest.raises(DataMissingError, match=r"Data path must be a folder; got nothing at"):
        discover(tmp_path / "absent")


def test_scene_frames_must_share_one_size():
    def read_maps(index):
        return FrameMaps(torch.zeros(3, 4 + index, 5), None, None, None)

    scene = Scene("s", "test", [0, 1], torch.eye(3), torch.eye(4).repeat(2, 1, 1), 4, 5, 0.1, 1.0, None,
                  False, False, False, read_maps)
    scene.frame(0)
    with pytest.raises(ValueError, match=r"Scene 's' frame 1 must be 4x5; got 5x5\. All frames of a scene must share one size"):
        scene.frame(1)


def test_scene_checks():
    with pytest.raises(ValueError, match=r"Scene 's' must hold at least one frame; got none"):
        Scene("s", "test", [], torch.eye(3), torch.zeros(0, 4, 4), 4, 5, 0.1, 1.0, None, False, False, False, None)
    with pytest.raises(ValueError, match=r"Scene 's' needs 0 <= near < far; got near=2.0, far=1.0"):
        Scene("s", "test", [0], torch.eye(3), torch.eye(4)[None], 4, 5, 2.0, 1.0, None, False, False, False, None)
    with pytest.raises(ValueError, match=r"world_from_cam must have shape \(1, 4, 4\); got \(2, 4, 4\)"):
        Scene("s", "test", [0], torch.eye(3), torch.eye(4).repeat(2, 1, 1), 4, 5, 0.1, 1.0, None, False, False, False, None)

"""`gpnerf inspect`: summary on clean data; every pre-flight problem reported with path and reason."""

import json

import numpy as np
import pytest
import tyro

from data_fixtures import REAL_SLAM, write_png
from gpnerf.commands.inspect import Inspect
from gpnerf.data.validate import validate_path


def test_clean_builtin(builtin_root, capsys):
    Inspect(builtin_root, stats_every=5).run()
    out = capsys.readouterr().out
    assert "layout: builtin" in out and "scenes: 2" in out and "train: 1 scenes, test: 1 scenes" in out
    assert "room_a" in out and "24x32" in out and "16.000, 16.000, 15.500, 11.500" in out
    assert "0.500 - 3.000" in out  # depth 500 + 100 i mm over sampled frames 0, 5, ..., 25 (0 = no hit excluded)
    assert "on a subsample of 12 frames (1 in every 5 frames)" in out
    assert "wall" in out and "(ignore)" in out and "25.00 %" in out
    assert "no problems found" in out


@pytest.mark.skipif(not REAL_SLAM.is_dir(), reason="real Replica sample not present")
def test_real_niceslam_sample(capsys):
    Inspect(REAL_SLAM, stats_every=1).run()
    out = capsys.readouterr().out
    assert "layout: niceslam" in out and "680x1200" in out and "classes: no semantic labels" in out


def test_scannet_invalid_pose_is_a_note(scannet_root, capsys):
    Inspect(scannet_root, stats_every=3).run()
    out = capsys.readouterr().out
    assert "layout: scannet" in out and "scene0376_02" in out
    assert "note:" in out and "non-finite pose; frame 1 skipped" in out


def test_replica_root(replica_root, capsys):
    Inspect(replica_root).run()
    out = capsys.readouterr().out
    assert "layout: replica" in out and "office_4/Sequence_2" in out and "replica51" in out


def _break(root):
    """The six problems of reliability.md test 6, spread over two scenes and split.json."""
    room_a, room_b = root / "room_a", root / "room_b"
    rgb = room_a / "rgb" / "rgb_3.png"
    rgb.write_bytes(rgb.read_bytes()[: rgb.stat().st_size // 2])
    write_png(room_a / "depth" / "depth_5.png", np.full((12, 16), 900, np.uint16))
    poses = np.loadtxt(room_a / "traj_w_c.txt")
    poses[1, 5] = np.nan
    np.savetxt(room_a / "traj_w_c.txt", poses)
    poses = np.loadtxt(room_b / "traj_w_c.txt")
    poses[3, 0] *= 1.5
    np.savetxt(room_b / "traj_w_c.txt", poses)
    write_png(room_b / "semantic_class" / "semantic_class_6.png", np.full((24, 32), 25, np.uint8))
    (root / "split.json").write_text(json.dumps({"format": "gpnerf-synth-split", "train": ["room_a", "room_b"], "test": ["room_b"]}))


def test_all_six_problems_reported(builtin_root, capsys):
    _break(builtin_root)
    scenes, problems, notes = validate_path(builtin_root)
    text = "\n".join(str(p) for p in problems)
    expected = [
        "rgb_3.png must be a complete, readable image",
        "depth_5.png must be 24x32 (H x W, the size of the rgb frames); got 12x16",
        "room_a/traj_w_c.txt: line 2: pose must be finite",
        "room_b/traj_w_c.txt: line 4: pose rotation must be orthonormal",
        "semantic_class_6.png label ids must lie in [0, 19] or be 20 (ignore); got [25]",
        "split.json: scenes ['room_b'] are in both the train and the test split",
    ]
    for fragment in expected:
        assert fragment in text
    assert f"{builtin_root / 'room_a'}: {builtin_root / 'room_a'}" not in text  # the path is not repeated
    assert len(problems) == 6 and len(scenes) == 2 and notes == []
    with pytest.raises(SystemExit) as info:
        Inspect(builtin_root).run()
    assert info.value.code == 1
    out = capsys.readouterr().out
    assert "6 problem(s)" in out and all(fragment in out for fragment in expected)


def test_unrecognised_path_exits_nonzero(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        Inspect(tmp_path / "absent").run()
    assert info.value.code == 1
    assert "Data path must be a folder; got nothing at" in capsys.readouterr().out


def test_bad_arguments(builtin_root):
    with pytest.raises(ValueError, match="stats_every and check_every must be >= 1; got 0, 1"):
        Inspect(builtin_root, stats_every=0).run()


def test_command_line_parsing(builtin_root):
    command = tyro.cli(Inspect, args=[str(builtin_root), "--stats-every", "3"])
    assert command.path == builtin_root and command.stats_every == 3 and command.check_every == 1

import json
from pathlib import Path

import numpy as np
from PIL import Image

from gpnerf.data.labels import SCANNET20
from gpnerf.synthetic import generate_dataset
from gpnerf.synthetic.writer import default_num_test_scenes, scene_seed

SCENE_KEYS = {
    "format", "generator_version", "seed", "height", "width", "hfov_deg", "intrinsics", "near", "far",
    "label_space", "class_names", "ignore_index", "num_frames", "instances", "room_type",
}


def _tiny(out: Path, seed: int = 0, scenes: int = 2) -> Path:
    return generate_dataset(out, num_scenes=scenes, num_views=3, seed=seed, height=12, width=16)


def _all_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_arguments_identical_bytes_different_seed_different_data(tmp_path):
    a = _all_bytes(_tiny(tmp_path / "a"))
    b = _all_bytes(_tiny(tmp_path / "b"))
    c = _all_bytes(_tiny(tmp_path / "c", seed=1))
    assert a == b
    assert a.keys() == c.keys()
    assert a["train_000/rgb/rgb_0.png"] != c["train_000/rgb/rgb_0.png"]


def test_layout_dtypes_and_scene_json(tmp_path):
    out = _tiny(tmp_path / "d")
    split = json.loads((out / "split.json").read_text())
    assert split == {"format": "gpnerf-synth-split", "train": ["train_000"], "test": ["test_000"]}
    for scene in ("train_000", "test_000"):
        root = out / scene
        meta = json.loads((root / "scene.json").read_text())
        assert set(meta) == SCENE_KEYS
        assert meta["format"] == "gpnerf-synth" and meta["label_space"] == "scannet20"
        assert meta["class_names"] == list(SCANNET20.class_names) and meta["ignore_index"] == 20
        assert meta["num_frames"] == 3 and meta["height"] == 12 and meta["width"] == 16
        assert set(meta["intrinsics"]) == {"fx", "fy", "cx", "cy"}
        assert meta["intrinsics"]["cx"] == 7.5 and meta["intrinsics"]["fx"] == 8.0
        assert 0 < meta["near"] < meta["far"]
        poses = np.loadtxt(root / "traj_w_c.txt")
        assert poses.shape == (3, 16)
        assert np.allclose(poses[:, 12:], [0, 0, 0, 1])
        for i in range(3):
            rgb = Image.open(root / "rgb" / f"rgb_{i}.png")
            depth = Image.open(root / "depth" / f"depth_{i}.png")
            sem = Image.open(root / "semantic_class" / f"semantic_class_{i}.png")
            inst = Image.open(root / "semantic_instance" / f"semantic_instance_{i}.png")
            assert rgb.mode == "RGB" and rgb.size == (16, 12)
            assert depth.mode == "I;16" and np.array(depth).dtype == np.uint16
            assert sem.mode == "L" and inst.mode == "I;16"
            depth_m = np.array(depth) / 1000.0
            assert (depth_m > meta["near"]).all() and (depth_m < meta["far"]).all()
            classes = np.array(sem)
            assert classes.max() <= 20
            ids = {str(v) for v in np.unique(np.array(inst))}
            assert ids <= set(meta["instances"])
            for v in np.unique(np.array(inst)):
                assert set(np.unique(classes[np.array(inst) == v])) == {meta["instances"][str(v)]}
        assert not (out / f".tmp-{scene}").exists()


def test_split_seeds_disjoint_and_default_ratio():
    train = {scene_seed(0, "train", i) for i in range(500)}
    test = {scene_seed(0, "test", i) for i in range(500)}
    assert not train & test
    assert [default_num_test_scenes(n) for n in (1, 2, 5, 6, 20)] == [0, 1, 1, 2, 4]


def test_resume_removes_stale_temp_and_keeps_complete_scenes(tmp_path):
    out = _tiny(tmp_path / "r")
    stale = out / ".tmp-train_000"
    stale.mkdir()
    (stale / "junk").write_text("half a scene")
    before = (out / "train_000" / "rgb" / "rgb_0.png").stat().st_mtime_ns
    _tiny(out)
    assert not stale.exists()
    assert (out / "train_000" / "rgb" / "rgb_0.png").stat().st_mtime_ns == before

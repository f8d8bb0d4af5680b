"""ScanNet (S-Ray export layout): label table, frame order, invalid poses, resize and intrinsics."""

import numpy as np
import pytest
import torch

from data_fixtures import K_COLOR, SHARED_TSV, write_scannet_scene, write_tsv
from gpnerf.data.formats.scannet import (
    ScanNetConfig,
    gaussian_blur,
    load_scannet_scene,
    resize_color,
    resize_nearest,
    scannet_intrinsics,
    sray_blur_kernel,
)
from gpnerf.data.formats.scannet_scenes import SCANNET_TEST_SCENES, SCANNET_TRAIN_SCENES
from gpnerf.data.labels import SCANNET20, nyu40_class_lookup, read_scannet_label_table
from gpnerf.geometry import scale_intrinsics


def _load(folder, **config):
    with pytest.warns(UserWarning, match=r"pose[/\\]1\.txt: non-finite pose; frame 1 skipped"):
        return load_scannet_scene(folder, ScanNetConfig(**config))


def test_numeric_order_skips_invalid_pose(scannet_root):
    scene = _load(scannet_root / "scene0376_02", width=40)
    assert scene.frame_ids == [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]


def test_lexicographic_order_switch(scannet_root):
    scene = _load(scannet_root / "scene0376_02", width=40, frame_order="lexicographic")
    assert scene.frame_ids == [0, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9]
    assert scene.frame(1).image[0, 0, 0].item() == pytest.approx(10 / 255, abs=2 / 255)  # file 10.jpg


def test_labels_through_minimal_table(scannet_root):
    scene = _load(scannet_root / "scene0376_02", width=40)
    frame = scene.frame(0)
    assert (scene.height, scene.width) == (30, 40)  # floor(40 * 121 * 972 / (162 * 968))
    assert scene.label_space is SCANNET20
    # stripes of raw (0, 1, 2, 3, 22, 1357) -> (20, 0, 4, 1, 20, 20), nearest-resized
    raw = resize_nearest(np.broadcast_to(np.repeat([0, 1, 2, 3, 22, 1357], 27)[None, :162], (121, 162)), 30, 40)
    expected = {0: 20, 1: 0, 2: 4, 3: 1, 22: 20, 1357: 20}
    assert frame.semantic.dtype == torch.int64
    assert frame.semantic.tolist() == np.vectorize(expected.get)(raw).tolist()
    assert frame.depth.shape == (30, 40)
    assert frame.depth[1, 1].item() == pytest.approx(0.300)  # frame 0: 300 mm
    assert frame.depth[0, 0].item() == 0.0


@pytest.mark.skipif(not SHARED_TSV.is_file(), reason="real ScanNet label table not present")
def test_real_table_last_row_wins():
    table = read_scannet_label_table(SHARED_TSV)
    assert len(table) == 1358
    assert (table[107], table[188], table[385]) == (38, 38, 3)
    classes = nyu40_class_lookup()[table]
    assert (classes[188], classes[385]) == (20, 2)
    assert (classes[1], classes[2], classes[3], classes[22], classes[0]) == (0, 4, 1, 20, 20)


@pytest.mark.skipif(not SHARED_TSV.is_file(), reason="real ScanNet label table not present")
def test_frame_labels_through_real_table(scannet_root):
    scene = _load(scannet_root / "scene0376_02", width=40, label_table=SHARED_TSV)
    assert set(scene.frame(0).semantic.unique().tolist()) == {20, 0, 4, 1}


def test_full_size_resize_and_intrinsics(tmp_path):
    folder = write_scannet_scene(tmp_path / "scannet" / "scene0000_00", 2, (968, 1296), (480, 640), invalid=())
    write_tsv(tmp_path / "scannet" / "scannetv2-labels.combined.tsv")
    scene = load_scannet_scene(folder)
    assert (scene.height, scene.width) == (240, 320)
    ratio = 320 / 1296
    expected = torch.tensor(K_COLOR[:3, :3], dtype=torch.float32)
    expected[:2] *= ratio
    assert torch.allclose(scene.K, expected)
    assert scene.K[0, 0].item() == pytest.approx(1170.187988 * ratio, rel=1e-6)
    assert scene.K[1, 2].item() == pytest.approx(483.75 * ratio, rel=1e-6)
    frame = scene.frame(1)
    assert frame.image.shape == (3, 240, 320) and frame.depth.shape == (240, 320) and frame.semantic.shape == (240, 320)
    # the blue channel is a constant 7 (JPEG +-2): blur + bilinear keep it
    assert torch.allclose(frame.image[2], torch.full((240, 320), 7 / 255), atol=3 / 255)
    exact = load_scannet_scene(folder, ScanNetConfig(intrinsics_scaling="exact")).K
    assert torch.allclose(exact, scale_intrinsics(torch.tensor(K_COLOR[:3, :3]).float(), ratio, 240 / 968))
    assert exact[0, 2].item() == pytest.approx((647.75 + 0.5) * ratio - 0.5)


def test_intrinsics_switch_rejects_unknown():
    with pytest.raises(ValueError, match="intrinsics_scaling must be 'sray' or 'exact'; got 'half'"):
        scannet_intrinsics(torch.eye(3), (968, 1296), (240, 320), "half")


def test_nearest_resize_uses_floor_of_scaled_index():
    array = np.arange(6)[None, :].repeat(2, 0)
    assert resize_nearest(array, 1, 3).tolist() == [[0, 2, 4]]


def test_gaussian_blur_preserves_constant_and_mass():
    image = torch.zeros(1, 15, 15)
    image[0, 7, 7] = 1.0
    blurred = gaussian_blur(image, sigma=1.35, kernel=7)
    assert blurred.sum().item() == pytest.approx(1.0, abs=1e-6)
    assert blurred[0, 7, 7] == blurred.max()
    assert torch.allclose(gaussian_blur(torch.full((3, 9, 9), 0.3), 1.35, 7), torch.full((3, 9, 9), 0.3))


def test_scene_lists():
    assert len(SCANNET_TRAIN_SCENES) == 198 and len(set(SCANNET_TRAIN_SCENES)) == 198
    assert "scene0001_00" not in SCANNET_TRAIN_SCENES and "scene0160_00" not in SCANNET_TRAIN_SCENES
    assert len(SCANNET_TEST_SCENES) == 10 and "scene0376_02" in SCANNET_TEST_SCENES
    assert not set(SCANNET_TRAIN_SCENES) & set(SCANNET_TEST_SCENES)


def test_sray_blur_kernel_and_colour_resize():
    ratio = 320 / 1296
    assert sray_blur_kernel((1 / ratio) / 3) == 7
    assert sray_blur_kernel(1.0) == 5  # ceil(4.33) = 5, odd
    image = torch.zeros(3, 8, 8)
    image[:, :, 4:] = 1.0
    out = resize_color(image, 4, 4, 0.5)  # sigma 2/3, kernel 3
    assert out.shape == (3, 4, 4)
    assert torch.equal(out * 255, (out * 255).round())  # 8-bit levels
    assert out[0, 0, 0] == 0.0 and out[0, 0, 3] == 1.0 and 0.0 < out[0, 0, 1] < out[0, 0, 2] < 1.0

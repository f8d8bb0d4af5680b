"""Checkpoint files: atomic save, safe load, strict loading, latest-picking and retention (reliability #2-#5)."""

import logging
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gpnerf.engine import checkpoint as ckpt
from gpnerf.engine.checkpoint import (
    FORMAT_VERSION,
    apply_retention,
    checkpoint_path,
    find_latest_checkpoint,
    load_checkpoint,
    load_model_weights,
    load_state_strict,
    remove_stale_temp_files,
    save_checkpoint,
)
from gpnerf.engine.errors import CheckpointCorruptError, CheckpointMismatchError, CheckpointMissingError
from toy import ToyModel


def payload(step: int, model: torch.nn.Module | None = None) -> dict:
    """A minimal valid trainer payload."""
    model = model or ToyModel()
    return {
        "format_version": FORMAT_VERSION,
        "step": step,
        "model": model.state_dict(),
        "optimizer": {},
        "scheduler": {},
        "rng": [],
        "config": {"a": 1},
        "gpnerf_version": "0.1.0",
        "git_commit": "unknown",
    }


class ExplodingPickle:
    """Raises while being pickled, i.e. in the middle of torch.save."""

    def __reduce__(self):
        raise RuntimeError("boom mid-save")


def test_failed_save_keeps_previous_checkpoint_and_no_tmp(tmp_path):
    path = checkpoint_path(tmp_path, 5)
    save_checkpoint(payload(5), path)
    before = path.read_bytes()
    bad = payload(6)
    bad["config"] = {"x": ExplodingPickle()}
    with pytest.raises(RuntimeError, match="boom mid-save"):
        save_checkpoint(bad, path)
    assert path.read_bytes() == before
    assert load_checkpoint(path)["step"] == 5
    assert list(tmp_path.glob("*.tmp")) == [] and list(tmp_path.glob(".*.tmp")) == []
    with pytest.raises(RuntimeError, match="boom mid-save"):
        save_checkpoint(bad, tmp_path / "fresh.ckpt")
    assert not (tmp_path / "fresh.ckpt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_sigkill_during_save_leaves_previous_checkpoint(tmp_path):
    path = checkpoint_path(tmp_path, 1)
    save_checkpoint(payload(1), path)
    script = f"""
import os, signal, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from gpnerf.engine.checkpoint import save_checkpoint
from test_checkpoint import payload
class Kill:
    def __reduce__(self):
        os.kill(os.getpid(), signal.SIGKILL)
p = payload(2)
p["config"] = {{"x": Kill()}}
save_checkpoint(p, {str(path)!r})
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == -9
    assert load_checkpoint(path)["step"] == 1
    stale = list(tmp_path.glob(".*.tmp"))
    assert len(stale) == 1
    assert find_latest_checkpoint(tmp_path)[0] == path
    assert remove_stale_temp_files(tmp_path) == stale
    assert list(tmp_path.glob(".*.tmp")) == []


def test_weights_only_round_trip_has_only_plain_types(tmp_path):
    path = tmp_path / "a.ckpt"
    model = ToyModel()
    save_checkpoint(payload(3, model), path)
    loaded = torch.load(path, weights_only=True)
    allowed = (dict, list, tuple, str, int, float, bool, type(None), torch.Tensor)

    def walk(value):
        assert isinstance(value, allowed), type(value)
        if isinstance(value, dict):
            for k, v in value.items():
                walk(k), walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(loaded)
    for key, value in model.state_dict().items():
        assert torch.equal(loaded["model"][key], value)


def test_strict_loading_names_both_key_sets(tmp_path):
    source = ToyModel()
    state = source.state_dict()
    renamed = dict(state)
    renamed["encoder.weights"] = renamed.pop("encoder.weight")
    with pytest.raises(CheckpointMismatchError, match=r"missing keys .*\['encoder.weight'\].*unexpected keys .*\['encoder.weights'\]"):
        load_state_strict(ToyModel(), renamed, source="x.ckpt")
    dropped = dict(state)
    dropped.pop("head.bias")
    with pytest.raises(CheckpointMismatchError, match=r"in x.ckpt .*missing keys .*\['head.bias'\].*unexpected keys .*\[\]"):
        load_state_strict(ToyModel(), dropped, source="x.ckpt")
    reshaped = dict(state)
    reshaped["head.weight"] = torch.zeros(2, 8)
    with pytest.raises(CheckpointMismatchError, match=r"head.weight: model \(1, 8\) vs file \(2, 8\)"):
        load_state_strict(ToyModel(), reshaped, source="x.ckpt")
    target = ToyModel()
    path = tmp_path / "w.ckpt"
    save_checkpoint(payload(7, source), path)
    assert load_model_weights(target, path) == 7
    assert all(torch.equal(a, b) for a, b in zip(target.state_dict().values(), state.values()))


def test_unreadable_files_name_the_path(tmp_path):
    with pytest.raises(CheckpointMissingError, match=f"checkpoint must be a file at {tmp_path / 'none.ckpt'}"):
        load_checkpoint(tmp_path / "none.ckpt")
    good = tmp_path / "good.ckpt"
    save_checkpoint(payload(1), good)
    truncated = tmp_path / "trunc.ckpt"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(CheckpointCorruptError, match=f"checkpoint {truncated} must be a readable torch file.*truncated"):
        load_checkpoint(truncated)
    garbage = tmp_path / "garbage.ckpt"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointCorruptError, match=f"checkpoint {garbage} must be a readable torch file"):
        load_checkpoint(garbage)
    a_list = tmp_path / "list.ckpt"
    torch.save([1, 2], a_list)
    with pytest.raises(CheckpointCorruptError, match=f"checkpoint {a_list} must hold a dict; got list"):
        load_checkpoint(a_list)
    bare = tmp_path / "bare.ckpt"
    torch.save(ToyModel().state_dict(), bare)
    with pytest.raises(CheckpointCorruptError, match=f"checkpoint {bare} must have keys .*got no \\['config'"):
        load_checkpoint(bare)
    future = tmp_path / "future.ckpt"
    torch.save({**payload(1), "format_version": 99}, future)
    with pytest.raises(CheckpointCorruptError, match=f"checkpoint {future} must have format_version 1; got 99"):
        load_checkpoint(future)


def test_latest_picks_step_10_and_logs_why(tmp_path, caplog):
    save_checkpoint(payload(10), tmp_path / "step-10.ckpt")
    save_checkpoint(payload(11), tmp_path / "step-11.ckpt")
    data = (tmp_path / "step-11.ckpt").read_bytes()
    (tmp_path / "step-11.ckpt").write_bytes(data[: len(data) // 3])
    save_checkpoint(payload(12), tmp_path / "step-abc.ckpt")
    (tmp_path / "step-12.ckpt.tmp").write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="gpnerf.engine"):
        path, loaded = find_latest_checkpoint(tmp_path)
    assert path == tmp_path / "step-10.ckpt" and loaded["step"] == 10
    text = caplog.text
    assert "step-11.ckpt" in text and "truncated or corrupt" in text
    assert "step-abc.ckpt: name does not match" in text
    assert "step-12.ckpt.tmp: name does not match" in text


def test_latest_rejects_step_mismatch_and_empty_folders(tmp_path, caplog):
    save_checkpoint(payload(3), tmp_path / "step-000000005.ckpt")
    with caplog.at_level(logging.WARNING, logger="gpnerf.engine"):
        with pytest.raises(CheckpointMissingError, match=r"must hold a valid step-<digits>.ckpt; got none \(skipped: step-000000005.ckpt: stored step 3"):
            find_latest_checkpoint(tmp_path)
    with pytest.raises(CheckpointMissingError, match=f"checkpoint folder must exist at {tmp_path / 'no'}"):
        find_latest_checkpoint(tmp_path / "no")


def test_retention_deletes_only_after_new_checkpoint_reloads(tmp_path, monkeypatch):
    for step in (1, 2, 3):
        save_checkpoint(payload(step), checkpoint_path(tmp_path, step))
    newest = checkpoint_path(tmp_path, 4)
    save_checkpoint(payload(4), newest)
    real_load = ckpt.load_checkpoint

    def failing_load(path, map_location="cpu"):
        raise CheckpointCorruptError(f"checkpoint {path} must be a readable torch file; got simulated failure")

    monkeypatch.setattr(ckpt, "load_checkpoint", failing_load)
    with pytest.raises(CheckpointCorruptError, match="simulated failure"):
        apply_retention(tmp_path, newest, keep_last=2)
    assert len(list(tmp_path.glob("step-*.ckpt"))) == 4
    monkeypatch.setattr(ckpt, "load_checkpoint", real_load)
    deleted = apply_retention(tmp_path, newest, keep_last=2)
    assert sorted(p.name for p in deleted) == ["step-000000001.ckpt", "step-000000002.ckpt"]
    assert sorted(p.name for p in tmp_path.glob("step-*.ckpt")) == ["step-000000003.ckpt", "step-000000004.ckpt"]
    assert apply_retention(tmp_path, newest, keep_last=0) == []

"""Run directories, TensorBoard/metrics logging, progress bar switches, trainer-config validation."""

import json
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import gpnerf
from gpnerf.engine.errors import ConfigError
from gpnerf.engine.logger import RunLogger
from gpnerf.engine.progress import ProgressBar, progress_enabled
from gpnerf.engine.run_dir import RunDir, git_commit
from gpnerf.engine.trainer import Trainer, TrainerConfig
from toy import ToyModel, ToyTask


@dataclass(frozen=True)
class Experiment:
    """A toy experiment config nesting the trainer config, as `gpnerf train` will."""

    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    num_source_views: int = 10


def test_run_dir_layout_and_reload(tmp_path):
    config = Experiment(trainer=TrainerConfig(max_steps=5, seed=3), num_source_views=4)
    run = RunDir.create(tmp_path, "toy", config, timestamp="2026-01-01_000000")
    again = RunDir.create(tmp_path, "toy", config, timestamp="2026-01-01_000000")
    assert run.path == tmp_path / "toy" / "2026-01-01_000000"
    assert again.path == tmp_path / "toy" / "2026-01-01_000000-1"
    assert run.checkpoints_dir.is_dir()
    reopened = RunDir.open(run.path)
    assert reopened.load_config(Experiment) == config
    info = reopened.run_info()
    assert info["gpnerf_version"] == gpnerf.__version__
    assert info["git_commit"] == git_commit()
    commit = git_commit()
    assert commit == "unknown" or len(commit) == 40


def test_run_dir_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"run dir must contain config.json at {tmp_path / 'config.json'}"):
        RunDir.open(tmp_path)
    with pytest.raises(ValueError, match="experiment name must be a non-empty folder name without '/'; got 'a/b'"):
        RunDir.create(tmp_path, "a/b", Experiment())
    run = RunDir.create(tmp_path, "toy", Experiment())
    data = json.loads(run.config_path.read_text())
    data["trainer"]["max_stepz"] = 1
    run.config_path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match=rf"config.trainer must only have keys.*\['max_stepz'\].*\(in {run.config_path}\)"):
        run.load_config(Experiment)


def test_logger_writes_tensorboard_scalars_images_and_jsonl(tmp_path):
    logger = RunLogger(tmp_path / "tb", tmp_path / "metrics.jsonl")
    logger.log_scalars(1, {"train/loss": torch.tensor(0.5), "train/nan": float("nan")})
    logger.log_image(1, "val/rgb", torch.rand(6, 8, 3))
    logger.log_image(1, "val/depth", np.random.rand(6, 8).astype(np.float32))
    with pytest.raises(ValueError, match=r"image 'bad' must have shape \(H, W\), \(H, W, 3\) or \(3, H, W\); got \(2, 2, 2, 2\)"):
        logger.log_image(1, "bad", torch.rand(2, 2, 2, 2))
    logger.close()
    events = EventAccumulator(str(tmp_path / "tb"))
    events.Reload()
    assert events.Scalars("train/loss")[0].value == 0.5
    assert set(events.Tags()["images"]) == {"val/rgb", "val/depth"}
    record = json.loads((tmp_path / "metrics.jsonl").read_text())
    assert record["train/loss"] == 0.5 and record["train/nan"] == "nan" and record["step"] == 1


def test_disabled_logger_writes_nothing(tmp_path):
    logger = RunLogger(tmp_path / "tb", tmp_path / "m.jsonl", enabled=False)
    logger.log_scalars(0, {"a": 1.0})
    logger.log_image(0, "x", torch.rand(3, 4, 4))
    logger.close()
    assert list(tmp_path.iterdir()) == []


def test_trainer_logs_validation_images(tmp_path):
    config = TrainerConfig(max_steps=2, log_every=1, val_every=2, save_every=0, progress="off")
    run = RunDir.create(tmp_path, "toy", config)
    with Trainer(config, ToyTask(), ToyModel(), run_dir=run) as trainer:
        trainer.train()
    events = EventAccumulator(str(run.tensorboard_dir))
    events.Reload()
    assert events.Tags()["images"] == ["val/pred"]
    assert "val/mse" in events.Tags()["scalars"] and "train/rays_per_sec" in events.Tags()["scalars"]


def test_progress_switches(capsys):
    assert progress_enabled("on", is_main=True) and not progress_enabled("on", is_main=False)
    assert not progress_enabled("off", is_main=True)
    assert not progress_enabled("auto", is_main=True)
    with ProgressBar(4, 0, enabled=True) as bar:
        bar.update(2, 0.125, 1000.0)
    assert "0.125" in capsys.readouterr().err
    with ProgressBar(4, 0, enabled=False) as bar:
        bar.update(2, 0.125, None)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_steps": 0}, "trainer.max_steps must be >= 1; got 0"),
        ({"log_every": 0}, "trainer.log_every must be >= 1"),
        ({"max_consecutive_nonfinite": 0}, "trainer.max_consecutive_nonfinite must be >= 1"),
        ({"save_every": -1}, "trainer.save_every must be >= 0; got -1. Use 0 to disable."),
        ({"seed": -2}, "trainer.seed must be >= 0"),
    ],
)
def test_trainer_config_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TrainerConfig(**kwargs)


def test_public_api_names_exist():
    import gpnerf.engine as engine

    assert sorted(engine.__all__) == sorted(set(engine.__all__))
    for name in engine.__all__:
        assert getattr(engine, name) is not None


def test_git_commit_falls_back_to_the_environment_outside_a_checkout(monkeypatch, tmp_path):
    import gpnerf.engine.run_dir as run_dir_module

    monkeypatch.setattr(run_dir_module.gpnerf, "__file__", str(tmp_path / "gpnerf" / "__init__.py"))
    (tmp_path / "gpnerf").mkdir()
    monkeypatch.delenv("GPNERF_GIT_COMMIT", raising=False)
    assert git_commit() == "unknown"
    monkeypatch.setenv("GPNERF_GIT_COMMIT", "a" * 40)
    assert git_commit() == "a" * 40

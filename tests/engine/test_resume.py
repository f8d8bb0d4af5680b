"""Resume equivalence (reliability #1) on CPU: 2k steps straight == k steps, save, fresh objects, load, k more."""

import json
from dataclasses import replace

import pytest
import torch

from gpnerf.engine.config_io import dataclass_to_dict
from gpnerf.engine.errors import CheckpointMismatchError, CheckpointMissingError
from gpnerf.engine.optim import OPTIM_PRESETS
from gpnerf.engine.run_dir import RunDir
from gpnerf.engine.trainer import Trainer, TrainerConfig
from toy import ToyModel, ToyTask

K = 6
CONFIG = TrainerConfig(max_steps=2 * K, seed=7, log_every=1, val_every=4, save_every=0, keep_last=2, progress="off")


def fresh_trainer(run: RunDir, init_seed: int) -> tuple[Trainer, ToyTask]:
    """Everything built anew, as a new process would (a different init, so loading must overwrite it)."""
    torch.manual_seed(init_seed)
    task = ToyTask()
    return Trainer(CONFIG, task, ToyModel(), run_dir=run), task


def assert_state_equal(a, b) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            assert_state_equal(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_state_equal(x, y)
    elif torch.is_tensor(a):
        assert torch.equal(a, b)
    else:
        assert a == b


def test_resume_continues_bitwise(tmp_path):
    straight_run = RunDir.create(tmp_path, "straight", CONFIG)
    straight, straight_task = fresh_trainer(straight_run, init_seed=1)
    straight_history = straight.train()
    straight.close()

    split_run = RunDir.create(tmp_path, "split", CONFIG)
    first, first_task = fresh_trainer(split_run, init_seed=1)
    first_history = first.train(until=K)
    saved = first.save()
    first.close()
    del first

    second, second_task = fresh_trainer(split_run, init_seed=99)
    assert not torch.equal(second.model.encoder.weight, straight.model.encoder.weight)
    assert second.resume(split_run.path) == saved
    assert second.step == K
    second_history = second.train()
    second.close()

    straight_losses = [r.loss for r in straight_history]
    split_losses = [r.loss for r in first_history + second_history]
    assert split_losses == straight_losses
    assert len(set(straight_losses)) == 2 * K
    for a, b in zip(straight_task.batches, first_task.batches + second_task.batches):
        assert torch.equal(a, b)
    assert_state_equal(second.model.state_dict(), straight.model.state_dict())
    assert_state_equal(second.optimizer.state_dict(), straight.optimizer.state_dict())
    assert_state_equal(second.scheduler.state_dict(), straight.scheduler.state_dict())
    assert torch.equal(second.generator.get_state(), straight.generator.get_state())

    val_steps = [json.loads(l)["step"] for l in split_run.metrics_path.read_text().splitlines() if '"val"' in l]
    assert val_steps == [4, 8, 12]
    names = sorted(p.name for p in split_run.checkpoints_dir.glob("*.ckpt"))
    assert names == ["step-000000006.ckpt", "step-000000012.ckpt"]
    payload = torch.load(split_run.checkpoints_dir / names[-1], weights_only=True)
    assert payload["config"] == dataclass_to_dict(CONFIG)
    assert payload["git_commit"] == split_run.run_info()["git_commit"]


def test_resume_rejects_other_parameter_groups_and_missing_runs(tmp_path):
    run = RunDir.create(tmp_path, "exp", CONFIG)
    trainer, _ = fresh_trainer(run, init_seed=0)
    path = trainer.save()
    trainer.close()

    class OneGroupTask(ToyTask):
        def parameter_groups(self, model):
            return {"encoder": list(model.parameters())}

    other = Trainer(CONFIG, OneGroupTask(), ToyModel())
    with pytest.raises(CheckpointMismatchError, match=r"optimizer parameter groups in .*step-000000000.ckpt must match"):
        other.resume(path)
    with pytest.raises(CheckpointMissingError, match="must hold a valid step-<digits>.ckpt; got none"):
        other.resume(RunDir.create(tmp_path, "empty", CONFIG).path)


def test_released_preset_trains_and_logs(tmp_path):
    config = TrainerConfig(
        max_steps=3, optim=OPTIM_PRESETS["released-code"], log_every=1, val_every=3, save_every=0, progress="on"
    )
    run = RunDir.create(tmp_path, "preset", config)
    with Trainer(config, ToyTask(), ToyModel(), run_dir=run) as trainer:
        history = trainer.train()
    assert [r.step for r in history] == [0, 1, 2] and not any(r.skipped for r in history)
    records = [json.loads(l) for l in run.metrics_path.read_text().splitlines()]
    train = [r for r in records if r["event"] == "train"]
    assert [r["step"] for r in train] == [1, 2, 3]
    assert train[0]["train/lr/head"] == 5e-3 and train[0]["train/rays_per_sec"] > 0
    assert {"train/loss", "train/mse", "train/skipped_steps"} <= train[0].keys()


def test_time_limit_stops_with_a_checkpoint_and_resume_continues(tmp_path):
    straight_run = RunDir.create(tmp_path, "straight", CONFIG)
    straight, _ = fresh_trainer(straight_run, init_seed=1)
    straight_losses = [r.loss for r in straight.train()]
    straight.close()

    limited = replace(CONFIG, max_minutes=1e-9)  # up after the first step
    run = RunDir.create(tmp_path, "limited", limited)
    torch.manual_seed(1)
    first = Trainer(limited, ToyTask(), ToyModel(), run_dir=run)
    first_history = first.train()
    first.close()
    assert [r.step for r in first_history] == [0]
    assert sorted(p.name for p in run.checkpoints_dir.glob("*.ckpt")) == ["step-000000001.ckpt"]
    events = [json.loads(line) for line in run.metrics_path.read_text().splitlines()]
    assert any(e.get("event") == "time_limit" for e in events)

    second, _ = fresh_trainer(run, init_seed=99)
    second.resume(run.path)
    rest = second.train()
    second.close()
    assert [r.loss for r in first_history + rest] == straight_losses


def test_time_limit_must_be_positive():
    with pytest.raises(ValueError, match="max_minutes"):
        TrainerConfig(max_minutes=0)

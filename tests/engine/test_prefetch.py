"""Batches built ahead by worker threads (gpnerf.engine.prefetch) give the training of the reference order.

The toy task splits its batch into a host build and a device copy. Training with ``prefetch_batches`` 0 (each batch
built at the start of its step, from the trainer's re-seeded generator) and 2 (worker threads, one generator per
step) must reach bitwise the same parameters, take the same batches, build none past ``max_steps`` and raise a
failed build at the step that needs it, after the step before has finished.
"""

import threading
from dataclasses import dataclass, field, replace

import pytest
import torch

from gpnerf.engine.prefetch import BatchPrefetcher
from gpnerf.engine.run_dir import RunDir
from gpnerf.engine.trainer import Trainer, TrainerConfig
from toy import ToyModel, ToyTask

CONFIG = TrainerConfig(max_steps=9, seed=3, log_every=1, val_every=0, save_every=0, progress="off")


@dataclass
class SplitToyTask(ToyTask):
    """The toy task with ``build_batch`` in two halves; records which thread built which step and which steps
    were moved to the device. ``fail_at``: the host build of that step raises."""

    fail_at: int | None = None
    built: list[tuple[int, str]] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)

    def build_host_batch(self, step: int, generator: torch.Generator) -> dict:
        if step == self.fail_at:
            raise OSError(f"frame of step {step}: cannot decode")
        self.built.append((step, threading.current_thread().name))
        x = torch.randn(16, 4, generator=generator)
        return {"step": step, "x": x, "y": torch.sin(x.sum(dim=1, keepdim=True))}

    def batch_to_device(self, batch: dict) -> dict:
        self.moved.append(batch["step"])
        self.batches.append(batch["x"])
        return batch

    def build_batch(self, step: int, generator: torch.Generator) -> dict:
        return self.batch_to_device(self.build_host_batch(step, generator))


def train(prefetch: int, task: SplitToyTask | None = None, run: RunDir | None = None) -> tuple[Trainer, SplitToyTask]:
    """A trainer of ``task`` (a fresh SplitToyTask) with ``prefetch_batches=prefetch``, from the same initial weights."""
    torch.manual_seed(0)
    task = task or SplitToyTask()
    return Trainer(replace(CONFIG, prefetch_batches=prefetch), task, ToyModel(), run_dir=run), task


def test_prefetched_training_equals_the_reference_order():
    reference, reference_task = train(0)
    reference_history = reference.train()
    prefetched, task = train(2)
    assert prefetched.prefetcher is not None and reference.prefetcher is None
    history = prefetched.train()
    prefetched.close()
    assert [r.loss for r in history] == [r.loss for r in reference_history]
    for a, b in zip(prefetched.model.parameters(), reference.model.parameters()):
        assert torch.equal(a, b)
    assert len(task.batches) == len(reference_task.batches) == CONFIG.max_steps
    for a, b in zip(task.batches, reference_task.batches):
        assert torch.equal(a, b)
    assert task.moved == list(range(CONFIG.max_steps))  # each step's batch moved once, none past the end
    assert sorted(step for step, _ in task.built) == list(range(CONFIG.max_steps))
    workers = {name for step, name in task.built if step > 0}
    assert workers and all(name.startswith("gpnerf-batches") for name in workers)
    assert all(name == threading.current_thread().name for _, name in reference_task.built)


def test_a_task_without_host_batches_trains_as_before():
    trainer = Trainer(replace(CONFIG, prefetch_batches=2), ToyTask(), ToyModel())
    assert trainer.prefetcher is None
    assert len(trainer.train()) == CONFIG.max_steps


def test_resumed_prefetched_training_continues_exactly(tmp_path):
    straight, _ = train(2)
    straight.train()
    straight.close()
    run = RunDir.create(tmp_path, "split", CONFIG)
    first, _ = train(2, run=run)
    first.train(until=4)
    path = first.save()
    first.close()
    second, task = train(2)
    second.resume(path)
    second.train()
    second.close()
    for a, b in zip(second.model.parameters(), straight.model.parameters()):
        assert torch.equal(a, b)
    assert task.moved == list(range(4, CONFIG.max_steps))


def test_a_failed_build_raises_at_its_own_step():
    trainer, task = train(2, SplitToyTask(fail_at=5))
    with pytest.raises(OSError, match="frame of step 5"):
        trainer.train()
    trainer.close()
    assert trainer.step == 5  # steps 0-4 finished, as in the reference order
    reference, _ = train(0, SplitToyTask(fail_at=5))
    with pytest.raises(OSError, match="frame of step 5"):
        reference.train()
    assert reference.step == 5
    for a, b in zip(trainer.model.parameters(), reference.model.parameters()):
        assert torch.equal(a, b)


def test_prefetcher_takes_steps_out_of_order_and_rejects_no_depth():
    built = []
    prefetcher = BatchPrefetcher(lambda step: built.append(step) or step * 10, lambda batch: batch + 1, 2, end=6)
    assert [prefetcher.take(step) for step in (0, 1)] == [1, 11]
    prefetcher.stage(2)
    assert prefetcher.take(4) == 41  # staged batch of another step dropped, step 4 built or taken from a worker
    assert prefetcher.take(1) == 11  # back to an earlier step (a resume)
    prefetcher.stage(6)  # past the end: nothing
    assert prefetcher.staged is None
    prefetcher.close()
    assert max(built) <= 5
    with pytest.raises(ValueError, match="prefetch depth must be >= 1"):
        BatchPrefetcher(lambda step: step, lambda batch: batch, 0, end=3)


def test_prefetching_defaults_to_cuda_only_and_rejects_negative_depths():
    assert Trainer(CONFIG, SplitToyTask(), ToyModel()).prefetcher is None  # CPU: None means 0
    with pytest.raises(ValueError, match="prefetch_batches must be >= 0 or None"):
        replace(CONFIG, prefetch_batches=-1)

"""DDP on CPU: two gloo processes (torch.multiprocessing.spawn, file:// init, one thread each)."""

import copy
import json
import os
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from gpnerf.engine.distributed import DistContext, init_distributed, shutdown_distributed
from gpnerf.engine.run_dir import RunDir
from gpnerf.engine.trainer import Trainer, TrainerConfig
from toy import ToyModel, ToyTask

STEPS = 4
CONFIG = TrainerConfig(max_steps=STEPS, seed=5, log_every=1, val_every=2, save_every=2, keep_last=0, progress="off")


def worker(rank: int, world_size: int, init_file: str, run_path: str, out_dir: str) -> None:
    torch.set_num_threads(1)
    ctx = init_distributed("cpu", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    try:
        torch.manual_seed(100 + rank)
        task = ToyTask(inject={2: "nan_loss"} if rank == 1 else {}, use_global_rngs=False)
        trainer = Trainer(CONFIG, task, ToyModel(dropout=0.0), run_dir=RunDir.open(Path(run_path)), dist=ctx)
        synced = {k: v.clone() for k, v in trainer.model.state_dict().items()}

        generator = torch.Generator().manual_seed(1234 + rank)
        batch = task.build_batch(0, generator)
        local = copy.deepcopy(trainer.model)
        task.training_step(local, batch)[0].backward()
        local_grads = [p.grad.clone() for p in local.parameters()]
        loss, _ = task.training_step(trainer.wrapped_model, batch)
        loss.backward()
        ddp_grads = [p.grad.clone() for p in trainer.model.parameters()]
        trainer.optimizer.zero_grad(set_to_none=True)

        history = trainer.train()
        trainer.close()
        torch.save(
            {
                "synced": synced,
                "local_grads": local_grads,
                "ddp_grads": ddp_grads,
                "final": trainer.model.state_dict(),
                "skipped": [r.skipped for r in history],
                "first_batch": task.batches[1],
            },
            Path(out_dir) / f"rank{rank}.pt",
        )
    finally:
        shutdown_distributed()


@pytest.mark.slow
def test_two_gloo_ranks_average_gradients_and_stay_equal(tmp_path):
    run = RunDir.create(tmp_path / "outputs", "ddp", CONFIG)
    out = tmp_path / "out"
    out.mkdir()
    mp.spawn(worker, args=(2, str(tmp_path / "init"), str(run.path), str(out)), nprocs=2, join=True)
    r0, r1 = (torch.load(out / f"rank{r}.pt", weights_only=True) for r in (0, 1))

    for key in r0["synced"]:
        assert torch.equal(r0["synced"][key], r1["synced"][key])
    for g0, g1, local0, local1 in zip(r0["ddp_grads"], r1["ddp_grads"], r0["local_grads"], r1["local_grads"]):
        assert not torch.allclose(local0, local1)
        torch.testing.assert_close(g0, (local0 + local1) / 2, rtol=1e-6, atol=1e-7)
        torch.testing.assert_close(g1, g0, rtol=0, atol=0)

    for key in r0["final"]:
        assert torch.equal(r0["final"][key], r1["final"][key])
    assert any(not torch.equal(r0["final"][k], r0["synced"][k]) for k in r0["final"])
    assert not torch.equal(r0["first_batch"], r1["first_batch"])
    assert r0["skipped"] == r1["skipped"] == [False, False, True, False]

    records = [json.loads(l) for l in run.metrics_path.read_text().splitlines()]
    assert [r["step"] for r in records if r["event"] == "train"] == [1, 2, 3, 4]
    assert [r["step"] for r in records if r["event"] == "val"] == [2, 4]
    assert [r["step"] for r in records if r["event"] == "nonfinite"] == [2]
    assert sorted(p.name for p in run.checkpoints_dir.iterdir()) == ["step-000000002.ckpt", "step-000000004.ckpt"]
    payload = torch.load(run.checkpoints_dir / "step-000000004.ckpt", weights_only=True)
    assert len(payload["rng"]) == 2
    assert not torch.equal(payload["rng"][0]["generator"], payload["rng"][1]["generator"])


def test_init_distributed_single_process_and_errors(monkeypatch):
    for var in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("NCCL_NVLS_ENABLE", raising=False)
    ctx = init_distributed("cpu")
    assert ctx == DistContext() and ctx.is_main and not ctx.is_distributed
    assert os.environ["NCCL_NVLS_ENABLE"] == "0"
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match=r"rank must lie in \[0, world_size=2\); got 2"):
        init_distributed("cpu", rank=2, world_size=2)
    with pytest.raises(ValueError, match="device_type must be 'cpu' or 'cuda'; got 'mps'"):
        init_distributed("mps")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="device_type 'cuda' must have a CUDA device; got none"):
            init_distributed("cuda")


RESUME_CONFIG = TrainerConfig(max_steps=6, seed=11, log_every=1, val_every=0, save_every=0, progress="off")


def run_phase(ctx: DistContext, run: RunDir | None, until: int, resume: bool, init_seed: int) -> dict:
    """Fresh objects; optionally resume from ``run``; train to ``until``; save there if stopping early."""
    torch.manual_seed(init_seed)
    trainer = Trainer(RESUME_CONFIG, ToyTask(), ToyModel(), run_dir=run, dist=ctx)
    if resume:
        trainer.resume(run.path)
    history = trainer.train(until=until)
    if until < RESUME_CONFIG.max_steps:
        trainer.save()
    trainer.close()
    return {"losses": [r.loss for r in history], "final": trainer.model.state_dict(), "optim": trainer.optimizer.state_dict()}


def resume_worker(rank: int, world_size: int, init_file: str, run_path: str, out_dir: str, second: bool) -> None:
    torch.set_num_threads(1)
    ctx = init_distributed("cpu", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    try:
        run = RunDir.open(Path(run_path))
        if second:
            results = {"second": run_phase(ctx, run, RESUME_CONFIG.max_steps, resume=True, init_seed=1000 + rank)}
        else:
            results = {
                "straight": run_phase(ctx, None, RESUME_CONFIG.max_steps, resume=False, init_seed=7),
                "first": run_phase(ctx, run, 3, resume=False, init_seed=7),
            }
        torch.save(results, Path(out_dir) / f"{'second' if second else 'first'}.rank{rank}")
    finally:
        shutdown_distributed()


@pytest.mark.slow
def test_ddp_resume_continues_bitwise(tmp_path):
    run = RunDir.create(tmp_path, "split", RESUME_CONFIG)
    for second in (False, True):
        args = (2, str(tmp_path / f"init-{second}"), str(run.path), str(tmp_path), second)
        mp.spawn(resume_worker, args=args, nprocs=2, join=True)
    losses = []
    for rank in (0, 1):
        before = torch.load(tmp_path / f"first.rank{rank}", weights_only=True)
        full, first = before["straight"], before["first"]
        second = torch.load(tmp_path / f"second.rank{rank}", weights_only=True)["second"]
        assert first["losses"] + second["losses"] == full["losses"]
        for key in full["final"]:
            assert torch.equal(second["final"][key], full["final"][key])
        for index, state in full["optim"]["state"].items():
            for key, value in state.items():
                assert torch.equal(second["optim"]["state"][index][key], value)
        losses.append(full["losses"])
    assert losses[0] != losses[1]

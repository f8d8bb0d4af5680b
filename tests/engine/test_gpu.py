"""CUDA-only checks: bf16 autocast in the forward, fp32 weights, and resume within 1e-6 (reliability #1, GPU)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import gpnerf

from gpnerf.engine.distributed import DistContext
from gpnerf.engine.run_dir import RunDir
from gpnerf.engine.trainer import Trainer, TrainerConfig
from toy import ToyModel, ToyTask

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA"),
]


class CudaToyTask(ToyTask):
    """ToyTask with batches moved to the GPU; records whether autocast was on and the output dtype."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen: list[tuple[bool, torch.dtype]] = []

    def build_batch(self, step, generator):
        batch = super().build_batch(step, generator)
        return {k: v.cuda() if torch.is_tensor(v) else v for k, v in batch.items()}

    def training_step(self, model, batch):
        self.seen.append((torch.is_autocast_enabled("cuda"), model(batch["x"]).dtype))
        return super().training_step(model, batch)

    def validate(self, model, step):
        return {}


def cuda_ctx() -> DistContext:
    return DistContext(device=torch.device("cuda", 0))


def test_bf16_autocast_on_cuda():
    config = TrainerConfig(max_steps=5, mixed_precision="bf16", val_every=0, save_every=0, progress="off")
    task = CudaToyTask()
    with Trainer(config, task, ToyModel(), dist=cuda_ctx()) as trainer:
        history = trainer.train()
    assert task.seen == [(True, torch.bfloat16)] * 5
    assert all(p.dtype == torch.float32 and p.is_cuda for p in trainer.model.parameters())
    assert all(torch.isfinite(torch.tensor(r.loss)) and not r.skipped for r in history)


def test_resume_on_cuda_within_tolerance(tmp_path):
    torch.backends.cudnn.deterministic = True
    torch.use_deterministic_algorithms(True, warn_only=True)
    config = TrainerConfig(max_steps=10, val_every=0, save_every=0, progress="off")

    def build(run, seed):
        torch.manual_seed(seed)
        return Trainer(config, CudaToyTask(), ToyModel(), run_dir=run, dist=cuda_ctx())

    straight = build(None, 1)
    straight.train()
    run = RunDir.create(tmp_path, "gpu", config)
    first = build(run, 1)
    first.train(until=5)
    first.save()
    first.close()
    second = build(run, 2)
    second.resume(run.path)
    second.train()
    second.close()
    for (name, a), b in zip(straight.model.state_dict().items(), second.model.state_dict().values()):
        assert (a - b).abs().max().item() <= 1e-6, name


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs 2 GPUs")
def test_torchrun_nccl_two_gpus(tmp_path):
    run = RunDir.create(tmp_path, "nccl", TrainerConfig())
    out = tmp_path / "out"
    out.mkdir()
    worker = Path(__file__).parent / "torchrun_worker.py"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", str(worker), str(run.path), str(out)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(gpnerf.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    r0, r1 = (torch.load(out / f"rank{r}.pt", weights_only=True) for r in (0, 1))
    assert (r0["device"], r1["device"]) == ("cuda:0", "cuda:1")
    for key in r0["final"]:
        assert torch.equal(r0["final"][key], r1["final"][key])
    assert sorted(p.name for p in run.checkpoints_dir.iterdir()) == ["step-000000003.ckpt", "step-000000006.ckpt"]
    train_steps = [json.loads(l)["step"] for l in run.metrics_path.read_text().splitlines() if '"train"' in l]
    assert train_steps == [1, 2, 3, 4, 5, 6]

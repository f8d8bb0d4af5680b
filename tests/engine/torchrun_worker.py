"""Entry point for ``torchrun --nproc_per_node=N torchrun_worker.py RUN_DIR OUT_DIR`` (used by test_gpu.py).

Each rank trains the toy task on its own GPU (NCCL) or CPU (gloo) and saves its final weights to OUT_DIR/rank<r>.pt.
"""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))

from gpnerf.engine.distributed import init_distributed, shutdown_distributed  # noqa: E402
from gpnerf.engine.run_dir import RunDir  # noqa: E402
from gpnerf.engine.trainer import Trainer, TrainerConfig  # noqa: E402
from toy import ToyModel, ToyTask  # noqa: E402


class DeviceToyTask(ToyTask):
    """ToyTask whose batches live on ``device``."""

    def __init__(self, device: torch.device):
        super().__init__(use_global_rngs=False)
        self.device = device

    def build_batch(self, step, generator):
        batch = super().build_batch(step, generator)
        return {k: v.to(self.device) if torch.is_tensor(v) else v for k, v in batch.items()}

    def validate(self, model, step):
        return {}


def main(run_path: str, out_dir: str) -> None:
    ctx = init_distributed()
    try:
        torch.manual_seed(100 + ctx.rank)
        config = TrainerConfig(max_steps=6, log_every=1, val_every=0, save_every=3, keep_last=0, progress="off")
        trainer = Trainer(config, DeviceToyTask(ctx.device), ToyModel(dropout=0.0), run_dir=RunDir.open(Path(run_path)), dist=ctx)
        trainer.train()
        trainer.close()
        state = {k: v.cpu() for k, v in trainer.model.state_dict().items()}
        torch.save({"final": state, "device": str(ctx.device)}, Path(out_dir) / f"rank{ctx.rank}.pt")
    finally:
        shutdown_distributed()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

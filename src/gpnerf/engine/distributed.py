"""Process-group setup for DDP: torchrun (``env://``) or an explicit ``file://`` init (tests), and small helpers.

One process per device. Backend ``nccl`` on CUDA, ``gloo`` on CPU. Rank 0 alone writes files. Each rank draws
its own batches (seeded from ``(seed, rank, step)``); DDP averages gradients, so weights stay equal across ranks.
"""

import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel


@dataclass(frozen=True)
class DistContext:
    """Where this process sits in the job."""

    rank: int = 0
    """Global rank in [0, world_size)."""
    world_size: int = 1
    """Number of processes."""
    local_rank: int = 0
    """Rank on this host; picks the CUDA device."""
    device: torch.device = torch.device("cpu")
    """Device this process trains on."""

    @property
    def is_main(self) -> bool:
        """True on rank 0, the only rank that writes checkpoints, logs and config."""
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        """True when a process group with more than one rank is in use."""
        return self.world_size > 1


def init_distributed(
    device_type: str = "cuda" if torch.cuda.is_available() else "cpu",
    init_method: str | None = None,
    rank: int | None = None,
    world_size: int | None = None,
) -> DistContext:
    """Start the process group if needed and return this process's :class:`DistContext`.

    Without ``init_method``, reads ``RANK``/``WORLD_SIZE``/``LOCAL_RANK`` set by torchrun (``env://``); with
    neither those variables nor arguments it returns a single-process context. Sets ``NCCL_NVLS_ENABLE=0`` if
    unset (NVLink multicast breaks on the multi-GPU hosts we use).
    """
    os.environ.setdefault("NCCL_NVLS_ENABLE", "0")
    if device_type not in ("cpu", "cuda"):
        raise ValueError(f"device_type must be 'cpu' or 'cuda'; got {device_type!r}.")
    if device_type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device_type 'cuda' must have a CUDA device; got none. Use device_type='cpu'.")
    if rank is None:
        rank = int(os.environ.get("RANK", "0"))
    if world_size is None:
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", str(rank)))
    if not 0 <= rank < world_size:
        raise ValueError(f"rank must lie in [0, world_size={world_size}); got {rank}. Check RANK and WORLD_SIZE.")
    if device_type == "cuda":
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    if world_size > 1 and not dist.is_initialized():
        dist.init_process_group(
            backend="nccl" if device_type == "cuda" else "gloo",
            init_method=init_method or "env://",
            rank=rank,
            world_size=world_size,
        )
    return DistContext(rank=rank, world_size=world_size, local_rank=local_rank, device=device)


def shutdown_distributed() -> None:
    """Destroy the process group if one is running."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def wrap_model(model: nn.Module, ctx: DistContext) -> nn.Module:
    """Move ``model`` to ``ctx.device`` and wrap it in DDP when distributed (rank 0's weights are broadcast).

    The returned module is what ``TrainTask.training_step`` receives: calling it runs the forward through DDP so
    that backward all-reduces (averages) gradients. The unwrapped model stays reachable as ``.module``.
    """
    model.to(ctx.device)
    if not ctx.is_distributed:
        return model
    device_ids = [ctx.device.index] if ctx.device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=device_ids)


def any_rank(flag: bool, ctx: DistContext) -> bool:
    """True if ``flag`` is True on any rank (an all-reduce MAX; no communication when not distributed)."""
    if not ctx.is_distributed:
        return flag
    value = torch.tensor([1.0 if flag else 0.0], device=ctx.device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item() > 0)


def all_gather_objects(obj: Any, ctx: DistContext) -> list[Any]:
    """``[obj of rank 0, obj of rank 1, ...]`` (just ``[obj]`` when not distributed)."""
    if not ctx.is_distributed:
        return [obj]
    gathered: list[Any] = [None] * ctx.world_size
    dist.all_gather_object(gathered, obj)
    return gathered


def broadcast_object(obj: Any, ctx: DistContext) -> Any:
    """Rank 0's ``obj`` on every rank."""
    if not ctx.is_distributed:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier(ctx: DistContext) -> None:
    """Wait for all ranks (no-op when not distributed)."""
    if ctx.is_distributed:
        dist.barrier()

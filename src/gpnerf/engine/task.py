"""The protocol a training task implements so the model-agnostic :class:`~gpnerf.engine.trainer.Trainer` can run it."""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import torch
from torch import nn


@runtime_checkable
class TrainTask(Protocol):
    """What the trainer needs from a task (GP-NeRF training, fine-tuning, or a toy in tests).

    Optional extras, used when present: ``rays_per_step: int`` (rays one rank renders per step, for rays/s),
    ``describe_batch(batch) -> str`` (ids named in non-finite reports),
    ``validation_images(model, step) -> Mapping[str, Tensor]`` (images logged to TensorBoard at validation), and
    the two halves of ``build_batch``, with which the trainer builds batches ahead (:mod:`gpnerf.engine.prefetch`):
    ``build_host_batch(step, generator) -> batch`` (on the host, called from worker threads: thread-safe, no CUDA
    calls, randomness only from ``generator``) and ``batch_to_device(batch) -> batch`` (the copy to the device, on
    the trainer's thread); ``build_batch(s, g)`` must equal ``batch_to_device(build_host_batch(s, g))``.
    """

    def parameter_groups(self, model: nn.Module) -> Mapping[str, Sequence[nn.Parameter]]:
        """Group name (``encoder``, ``transformer``, ``head``) -> parameters of the unwrapped ``model``.

        Every trainable parameter must be in exactly one group; each group gets its lr from ``OptimConfig.lr``.
        """
        ...

    def build_batch(self, step: int, generator: torch.Generator) -> Any:
        """The batch of optimizer step ``step`` on this rank, drawing randomness only from ``generator``.

        The trainer re-seeds ``generator`` from ``(seed, rank, step)`` before each call, so batches are a pure
        function of those three numbers and a resumed run continues exactly.
        """
        ...

    def training_step(self, model: nn.Module, batch: Any) -> tuple[torch.Tensor, Mapping[str, float | torch.Tensor]]:
        """Forward ``batch`` by calling ``model(...)`` (the DDP-wrapped model under DDP: call it, don't reach into
        submodules for the forward) and return ``(total loss (scalar tensor), {term name: value})``."""
        ...

    def validate(self, model: nn.Module, step: int) -> Mapping[str, float]:
        """Metrics on held-out data, with the unwrapped ``model`` in eval mode under ``torch.no_grad()``.

        Runs on rank 0 only; it must not use collective communication.
        """
        ...

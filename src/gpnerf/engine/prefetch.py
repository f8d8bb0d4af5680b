"""Training batches built ahead of the step that uses them, so the host's data work overlaps the device's step.

Without it (:class:`~gpnerf.engine.trainer.TrainerConfig` ``prefetch_batches=0``, the reference order) the trainer
builds step ``s + 1``'s batch after reading step ``s``'s non-finite verdict, which waits for the device to finish
step ``s``: the device idles while the host decodes frames, stacks them and copies them over. With a task that
splits its batch into a host part and a device copy (``build_host_batch`` and ``batch_to_device``,
:class:`gpnerf.engine.task.TrainTask`):

* worker threads build the host batches of the next ``depth`` steps (decoding and stacking release the GIL), each
  from a generator seeded by ``(seed, rank, step)`` as the reference order seeds the trainer's, so every step gets
  the batch it would have got;
* the trainer stages step ``s + 1``'s batch on the device while the device still runs step ``s`` (:meth:`stage`,
  called between the update's launch and the verdict's read): the copy is queued behind step ``s``, the host does
  not wait for it. Workers never touch CUDA (a CUDA graph capture forbids other threads' CUDA calls); staging runs
  on the trainer's thread, never during a capture.

A worker's exception is raised by :meth:`take` for the step whose batch failed, where the reference order would
have raised it. tests/engine/test_prefetch.py holds training with and without prefetching to the same parameters.
"""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class BatchPrefetcher:
    """The batches of steps ``[0, end)`` built ``depth`` steps ahead by ``depth`` worker threads.

    Args:
        build_host_batch: ``step -> host batch`` (pure in ``step``, thread-safe, no CUDA calls).
        to_device: ``host batch -> device batch`` (may queue a non-blocking copy on the current stream).
        depth: how many steps ahead the workers build (>= 1).
        end: one past the last step that can run (no batch is built for it or later).
    """

    def __init__(self, build_host_batch: Callable[[int], Any], to_device: Callable[[Any], Any], depth: int,
                 end: int) -> None:
        if depth < 1:
            raise ValueError(f"prefetch depth must be >= 1; got {depth}")
        self.build_host_batch = build_host_batch
        self.to_device = to_device
        self.depth = depth
        self.end = end
        self.pool = ThreadPoolExecutor(max_workers=depth, thread_name_prefix="gpnerf-batches")
        self.host: dict[int, Future] = {}
        self.staged: tuple[int, Any] | None = None

    def take(self, step: int) -> Any:
        """Step ``step``'s device batch: the staged one, or built now; the workers start on the steps after it."""
        staged, self.staged = self.staged, None
        self._forget_outside(step)
        if staged is not None and staged[0] == step:
            batch = staged[1]
        else:
            future = self.host.pop(step, None)
            batch = self.to_device(future.result() if future is not None else self.build_host_batch(step))
        self._schedule(step + 1)
        return batch

    def stage(self, step: int) -> None:
        """Copy step ``step``'s host batch to the device now (waiting for its worker if needed); a failed build is
        left for :meth:`take` to raise. Nothing for a step not scheduled (none is at or past ``end``)."""
        future = self.host.get(step)
        if future is None or future.exception() is not None:
            return
        self.staged = (step, self.to_device(self.host.pop(step).result()))

    def close(self) -> None:
        """Drop every pending build; running ones finish in their threads."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.host.clear()
        self.staged = None

    def _schedule(self, first: int) -> None:
        for step in range(first, min(first + self.depth, self.end)):
            if step not in self.host:
                self.host[step] = self.pool.submit(self.build_host_batch, step)

    def _forget_outside(self, step: int) -> None:
        """Drop builds of steps outside ``[step, step + depth]`` (a resume moved the trainer back or forth)."""
        for other in [s for s in self.host if not step <= s <= step + self.depth]:
            self.host.pop(other).cancel()

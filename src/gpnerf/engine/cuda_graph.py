"""A training step's forward, losses and backward captured in a CUDA graph and replayed.

At 512 rays a GP-NeRF training step launches about 7,000 small kernels, and the host takes longer to
launch them than the GPU takes to run them (docs/performance.md). :class:`GraphedTrainingStep`
captures ``forward(batch)`` (which returns ``loss, terms``) and ``loss.backward()`` once per batch
*signature* and then replays the graph: one launch instead of thousands.

* **Signature**: the structure of the batch (dataclasses, dicts, lists), each tensor's shape, dtype
  and device, and every non-tensor value that enters the computation (``near``, ``far``, image
  sizes). A dataclass names the fields that only describe the batch (scene name, frame ids) in a
  ``DESCRIPTIVE_FIELDS`` class attribute; they are left out of the signature and never read.
* **Inputs and outputs are static**: a replay copies the batch's tensors into the tensors the graph
  was captured with, and the loss, the terms and every parameter's ``.grad`` are the captured
  outputs, overwritten by the next replay. ``.grad`` is re-pointed at the graph's gradients after
  each replay, so ``zero_grad(set_to_none=True)`` in between is harmless.
* **Warm-up without side effects**: before a capture, ``warmup_steps`` eager steps run on a side
  stream (cuDNN / cuBLAS / compile initialisation). The CUDA random state and the module buffers
  (BatchNorm running statistics) are restored afterwards, and the gradients are dropped, so the
  first replayed step starts from the same state as an eager step would.
* **Randomness** comes from the default CUDA generator (dropout, stratified jitter): graph-safe,
  each replay advances its offset as the eager step would.

The function must not synchronise with the host (``.item()``, boolean-mask indexing,
``nonzero``, a checked ``torch.linalg.inv``), must not have data-dependent shapes, and must read
host-side values only from the batch signature (a Python random number drawn inside it is frozen at
capture). The last warm-up step runs with ``torch.cuda.set_sync_debug_mode("error")``, so a
synchronisation raises :class:`GraphCaptureError` naming the operation before any capture; a capture
that fails otherwise raises it too. The eager path stays the reference:
``tests/engine/test_cuda_graph.py`` checks loss and gradients of replays against eager steps on the
GPU, and the signature logic on any device.
"""

import dataclasses
import logging
from contextlib import contextmanager, nullcontext
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

log = logging.getLogger("gpnerf.engine")

StepOutput = tuple[torch.Tensor, dict[str, Any]]


class GraphCaptureError(RuntimeError):
    """The training step could not be captured in a CUDA graph."""


@contextmanager
def _host_syncs_raise() -> Iterator[None]:
    """Make a host synchronisation (``.item()``, ``nonzero``, a checked inverse) raise, naming the operation."""
    previous = torch.cuda.get_sync_debug_mode()
    torch.cuda.set_sync_debug_mode("error")
    try:
        yield
    except RuntimeError as error:
        raise GraphCaptureError(
            f"the training step synchronises with the host, which a CUDA graph cannot capture: {error}. "
            "Train with trainer.cuda_graph False, or remove the synchronisation."
        ) from error
    finally:
        torch.cuda.set_sync_debug_mode(previous)


def batch_signature(batch: Any) -> tuple[Hashable, list[torch.Tensor]]:
    """``(signature, tensors)``: a hashable description of everything in ``batch`` that a captured graph
    depends on, and the batch's tensors in a fixed order (the order :func:`rebuild_batch` consumes).

    Tensors contribute ``(shape, dtype, device)``; dataclasses (minus ``DESCRIPTIVE_FIELDS``), dicts,
    lists and tuples their structure; other values themselves (lists inside them as tuples).
    """
    tensors: list[torch.Tensor] = []
    return _signature(batch, tensors), tensors


def _signature(value: Any, tensors: list[torch.Tensor]) -> Hashable:
    if isinstance(value, torch.Tensor):
        tensors.append(value)
        return ("tensor", tuple(value.shape), value.dtype, value.device)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        skipped = getattr(type(value), "DESCRIPTIVE_FIELDS", ())
        fields = [f.name for f in dataclasses.fields(value) if f.name not in skipped]
        return (type(value), tuple((name, _signature(getattr(value, name), tensors)) for name in fields))
    if isinstance(value, dict):
        return (dict, tuple((key, _signature(item, tensors)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(_signature(item, tensors) for item in value))
    hash(value)  # a TypeError here names an unhashable value the step would depend on
    return ("value", value)


def rebuild_batch(batch: Any, tensors: Iterator[torch.Tensor]) -> Any:
    """``batch`` with its tensors replaced, in :func:`batch_signature` order, by the next of ``tensors``."""
    if isinstance(batch, torch.Tensor):
        return next(tensors)
    if dataclasses.is_dataclass(batch) and not isinstance(batch, type):
        skipped = getattr(type(batch), "DESCRIPTIVE_FIELDS", ())
        changes = {f.name: rebuild_batch(getattr(batch, f.name), tensors)
                   for f in dataclasses.fields(batch) if f.name not in skipped}
        return dataclasses.replace(batch, **changes)
    if isinstance(batch, dict):
        return {key: rebuild_batch(item, tensors) for key, item in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(rebuild_batch(item, tensors) for item in batch)
    return batch


@dataclass
class _Capture:
    """One captured step: the graph, its static inputs and outputs, and the gradients it writes."""

    graph: torch.cuda.CUDAGraph
    inputs: list[torch.Tensor]
    loss: torch.Tensor
    terms: dict[str, Any]
    grads: list[torch.Tensor | None]


class GraphedTrainingStep:
    """``loss, terms = step(batch)`` runs ``forward(batch)`` and ``loss.backward()`` as a CUDA graph replay.

    Args:
        forward: ``batch -> (loss, terms)`` with autocast (if any) inside; ``terms`` maps names to tensors.
        module: the module whose parameters receive gradients and whose buffers the warm-up restores.
        warmup_steps: eager steps before each capture (at least 1).
        max_graphs: captured signatures kept; a batch with another signature beyond them runs eagerly
            (logged once): each graph holds its own activation memory.
    """

    def __init__(self, forward: Callable[[Any], StepOutput], module: nn.Module, warmup_steps: int = 2,
                 max_graphs: int = 2) -> None:
        if warmup_steps < 1 or max_graphs < 1:
            raise ValueError(f"warmup_steps and max_graphs must be >= 1; got {warmup_steps} and {max_graphs}.")
        self.forward = forward
        self.module = module
        self.parameters = [p for p in module.parameters() if p.requires_grad]
        self.warmup_steps = warmup_steps
        self.max_graphs = max_graphs
        self.captures: dict[Hashable, _Capture] = {}
        self.eager_steps = 0
        """Steps run eagerly because ``max_graphs`` signatures were already captured."""

    def __call__(self, batch: Any) -> StepOutput:
        signature, tensors = batch_signature(batch)
        if not tensors or any(t.device.type != "cuda" for t in tensors):
            raise GraphCaptureError("a CUDA-graphed training step needs every batch tensor on a CUDA device.")
        capture = self.captures.get(signature)
        if capture is None:
            if len(self.captures) >= self.max_graphs:
                return self._eager(batch)
            capture = self.captures[signature] = self._capture(batch, tensors)
        for static, new in zip(capture.inputs, tensors):
            static.copy_(new, non_blocking=True)
        capture.graph.replay()
        for parameter, grad in zip(self.parameters, capture.grads):
            parameter.grad = grad
        return capture.loss, capture.terms

    def _eager(self, batch: Any) -> StepOutput:
        if self.eager_steps == 0:
            log.warning("CUDA graphs: %d batch signatures are captured (max_graphs); other batches run eagerly",
                        self.max_graphs)
        self.eager_steps += 1
        for parameter in self.parameters:
            parameter.grad = None
        loss, terms = self.forward(batch)
        loss.backward()
        return loss, terms

    def _capture(self, batch: Any, tensors: list[torch.Tensor]) -> _Capture:
        inputs = [t.detach().clone() for t in tensors]
        static_batch = rebuild_batch(batch, iter(inputs))
        rng_state = torch.cuda.get_rng_state(inputs[0].device)
        buffers = [b.detach().clone() for b in self.module.buffers()]
        side = torch.cuda.Stream(inputs[0].device)
        side.wait_stream(torch.cuda.current_stream(inputs[0].device))
        with torch.cuda.stream(side):
            for index in range(self.warmup_steps):
                for parameter in self.parameters:
                    parameter.grad = None
                last = index == self.warmup_steps - 1
                with _host_syncs_raise() if last else nullcontext():  # a sync breaks the capture: find it first
                    loss, _ = self.forward(static_batch)
                    loss.backward()
        torch.cuda.current_stream(inputs[0].device).wait_stream(side)
        torch.cuda.synchronize(inputs[0].device)
        with torch.no_grad():
            for saved, buffer in zip(buffers, self.module.buffers()):
                buffer.copy_(saved)
        torch.cuda.set_rng_state(rng_state, inputs[0].device)
        for parameter in self.parameters:
            parameter.grad = None
        graph = torch.cuda.CUDAGraph()
        try:
            with torch.cuda.graph(graph):
                loss, terms = self.forward(static_batch)
                loss.backward()
        except RuntimeError as error:
            raise GraphCaptureError(
                f"capturing the training step in a CUDA graph failed: {error}. The step must not synchronise with "
                "the host or have data-dependent shapes; train with trainer.cuda_graph False. A failed capture can "
                "leave this process's CUDA random generator unusable: restart the process."
            ) from error
        grads = [p.grad for p in self.parameters]
        log.info("CUDA graphs: captured the training step for batch signature %d", len(self.captures) + 1)
        terms = {name: value.detach() if torch.is_tensor(value) else value for name, value in terms.items()}
        return _Capture(graph, inputs, loss.detach(), terms, grads)

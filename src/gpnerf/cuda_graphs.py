"""CUDA graphs for GP-NeRF's launch-bound work: the training step and the render of a frame.

At 512 rays a training step launches about 7,000 small kernels, and the host takes longer to launch
them than the GPU takes to run them (docs/performance.md); a 4,800-ray render chunk
launches about 1,400 (compiled blocks) to 2,800 (eager), and a frame's encoder and head about 650 more, which
the GPU would wait for (it has nothing queued before them).
:class:`GraphedFunction` captures ``function(*inputs)`` once per *signature* and then replays it: one
launch instead of thousands. :class:`GraphedTrainingStep` builds the training step on it: forward,
losses and ``backward`` in one graph, the gradients left in each parameter's ``.grad``.

* **Signature**: the structure of the inputs (dataclasses, dicts, lists), each tensor's shape, dtype
  and device, every non-tensor value that enters the computation (``near``, ``far``, image sizes),
  and the context the graph bakes in (grad mode, CUDA autocast and its dtype, the module's
  train/eval mode). A dataclass names the fields that only describe an input (scene name, frame ids)
  in a ``DESCRIPTIVE_FIELDS`` class attribute; they are left out of the signature and never read.
* **Inputs and outputs are static**: a replay copies the inputs' tensors into the tensors the graph
  was captured with; the outputs are the captured tensors, overwritten by the next replay (clone what
  must outlive it).
* **Warm-up without side effects**: before a capture, ``warmup_steps`` eager calls run on a side
  stream (cuDNN / cuBLAS / torch.compile initialisation), then one more with host synchronisations
  raising (below). The CUDA random state and the module's
  buffers (BatchNorm running statistics) are restored afterwards, so the first replay starts from the
  state an eager call would have seen.
* **Randomness** comes from the default CUDA generator (dropout, stratified jitter): graph-safe, each
  replay advances its offset as the eager call would.

The function must not synchronise with the host (``.item()``, boolean-mask indexing, ``nonzero``, a
checked ``torch.linalg.inv``), must not have data-dependent shapes, and must read host-side values
only from the signature (a Python random number drawn inside it is frozen at capture). The extra
warm-up call runs with ``torch.cuda.set_sync_debug_mode("error")`` (after the others, since
torch.compile's own compilation may synchronise), so a synchronisation raises
:class:`GraphCaptureError` naming the operation before any capture; a capture that fails otherwise
raises it too. The eager call stays the reference: ``tests/engine/test_cuda_graph.py`` and
``tests/model/test_render_graph.py`` check replays against it on the GPU, and the signatures anywhere.
"""

import dataclasses
import logging
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

log = logging.getLogger("gpnerf")


class GraphCaptureError(RuntimeError):
    """A function could not be captured in a CUDA graph."""


def batch_signature(batch: Any) -> tuple[Hashable, list[torch.Tensor]]:
    """``(signature, tensors)``: a hashable description of everything in ``batch`` that a captured graph
    depends on, and the batch's tensors in a fixed order (the order :func:`rebuild_batch` consumes).

    Tensors contribute ``(shape, dtype, device)``; dataclasses (minus ``DESCRIPTIVE_FIELDS``), dicts,
    lists and tuples their structure; other values themselves.
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
    hash(value)  # a TypeError here names an unhashable value the function would depend on
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


@contextmanager
def _host_syncs_raise() -> Iterator[None]:
    """Make a host synchronisation (``.item()``, ``nonzero``, a checked inverse) raise, naming the operation."""
    previous = torch.cuda.get_sync_debug_mode()
    torch.cuda.set_sync_debug_mode("error")
    try:
        yield
    except RuntimeError as error:
        raise GraphCaptureError(
            f"the function synchronises with the host, which a CUDA graph cannot capture: {error}. "
            "Turn the CUDA graph option off (trainer.cuda_graph, eval.cuda_graph), or remove the synchronisation."
        ) from error
    finally:
        torch.cuda.set_sync_debug_mode(previous)


@dataclass
class _Capture:
    """One captured call: the graph, its static inputs and its static outputs."""

    graph: torch.cuda.CUDAGraph
    inputs: list[torch.Tensor]
    outputs: Any


class GraphedFunction:
    """``outputs = graphed(*inputs)`` replays ``function(*inputs)`` from a CUDA graph captured once per signature.

    Args:
        function: ``*inputs -> outputs`` (any nesting of tensors, dataclasses, dicts, lists; every input
            tensor on CUDA). Outputs are valid until the next call.
        module: the module whose buffers the warm-up restores.
        warmup_steps: eager calls before each capture (at least 1), before the one that checks for host syncs.
        max_graphs: captured signatures kept; a call with another signature beyond them runs eagerly
            (logged once): each graph keeps its own activation memory.
    """

    def __init__(self, function: Callable[..., Any], module: nn.Module, warmup_steps: int = 1,
                 max_graphs: int = 2) -> None:
        if warmup_steps < 1 or max_graphs < 1:
            raise ValueError(f"warmup_steps and max_graphs must be >= 1; got {warmup_steps} and {max_graphs}.")
        self.function = function
        self.module = module
        self.warmup_steps = warmup_steps
        self.max_graphs = max_graphs
        self.captures: dict[Hashable, _Capture] = {}
        self.eager_calls = 0
        """Calls run eagerly because ``max_graphs`` signatures were already captured."""

    def __call__(self, *inputs: Any) -> Any:
        signature, tensors = batch_signature(inputs)
        if not tensors or any(t.device.type != "cuda" for t in tensors):
            raise GraphCaptureError("a CUDA-graphed function needs every input tensor on a CUDA device.")
        key = (signature, torch.is_grad_enabled(), torch.is_autocast_enabled("cuda"),
               torch.get_autocast_dtype("cuda"), self.module.training)
        capture = self.captures.get(key)
        if capture is None:
            if len(self.captures) >= self.max_graphs:
                if self.eager_calls == 0:
                    log.warning("CUDA graphs: %d signatures are captured (max_graphs); other calls run eagerly",
                                self.max_graphs)
                self.eager_calls += 1
                return self.function(*inputs)
            capture = self.captures[key] = self._capture(inputs, tensors)
        for static, new in zip(capture.inputs, tensors):
            static.copy_(new, non_blocking=True)
        capture.graph.replay()
        return capture.outputs

    def _capture(self, inputs: tuple, tensors: list[torch.Tensor]) -> _Capture:
        device = tensors[0].device
        static_tensors = [t.detach().clone() for t in tensors]
        static_inputs = rebuild_batch(inputs, iter(static_tensors))
        rng_state = torch.cuda.get_rng_state(device)
        buffers = [b.detach().clone() for b in self.module.buffers()]
        side = torch.cuda.Stream(device)
        side.wait_stream(torch.cuda.current_stream(device))
        with torch.cuda.stream(side):
            for _ in range(self.warmup_steps):  # torch.compile, cuDNN / cuBLAS initialisation (these may sync)
                self.function(*static_inputs)
            with _host_syncs_raise():  # a sync breaks the capture: name it first
                self.function(*static_inputs)
        torch.cuda.current_stream(device).wait_stream(side)
        torch.cuda.synchronize(device)
        with torch.no_grad():
            for saved, buffer in zip(buffers, self.module.buffers()):
                buffer.copy_(saved)
        torch.cuda.set_rng_state(rng_state, device)
        graph = torch.cuda.CUDAGraph()
        try:
            with torch.cuda.graph(graph):
                outputs = self.function(*static_inputs)
        except RuntimeError as error:
            raise GraphCaptureError(
                f"capturing in a CUDA graph failed: {error}. The function must not synchronise with the host or "
                "have data-dependent shapes; turn the CUDA graph option off. A failed capture can leave this "
                "process's CUDA random generator unusable: restart the process."
            ) from error
        log.info("CUDA graphs: captured signature %d of %s", len(self.captures) + 1,
                 getattr(self.function, "__qualname__", "the function"))
        return _Capture(graph, static_tensors, outputs)


StepOutput = tuple[torch.Tensor, dict[str, Any]]


class GraphedTrainingStep:
    """``loss, terms = step(batch)`` runs ``forward(batch)`` and ``loss.backward()`` as one CUDA graph replay.

    The parameters' ``.grad`` are the graph's gradient tensors, re-pointed after each replay (so
    ``zero_grad(set_to_none=True)`` in between is harmless); a replay overwrites them, it does not accumulate.

    Args:
        forward: ``batch -> (loss, terms)`` with autocast (if any) inside; ``terms`` maps names to values.
        module: the module whose parameters receive gradients and whose buffers the warm-up restores.
        warmup_steps, max_graphs: as :class:`GraphedFunction`.
    """

    def __init__(self, forward: Callable[[Any], StepOutput], module: nn.Module, warmup_steps: int = 1,
                 max_graphs: int = 2) -> None:
        self.forward = forward
        self.parameters = [p for p in module.parameters() if p.requires_grad]
        self.graphed = GraphedFunction(self._forward_backward, module, warmup_steps, max_graphs)

    def _forward_backward(self, batch: Any) -> tuple[torch.Tensor, dict[str, Any], list[torch.Tensor | None]]:
        for parameter in self.parameters:  # backward allocates fresh gradients (in the graph's pool when capturing)
            parameter.grad = None
        loss, terms = self.forward(batch)
        loss.backward()
        terms = {name: value.detach() if torch.is_tensor(value) else value for name, value in terms.items()}
        return loss.detach(), terms, [parameter.grad for parameter in self.parameters]

    def __call__(self, batch: Any) -> StepOutput:
        loss, terms, grads = self.graphed(batch)
        for parameter, grad in zip(self.parameters, grads):
            parameter.grad = grad
        return loss, terms

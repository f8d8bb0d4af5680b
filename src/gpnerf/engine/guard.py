"""Non-finite guard: find NaN/inf loss terms and gradients, count consecutive bad steps, abort after K.

The trainer always runs backward (so DDP ranks stay in lock-step), then asks :func:`find_nonfinite`; if anything
is non-finite on any rank, it zeroes the gradients and skips both the optimizer and the scheduler step, and calls
:meth:`NonFiniteGuard.record_bad`, which raises :class:`NonFiniteLossError` on the K-th bad step in a row.
"""

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import torch

from gpnerf.engine.errors import NonFiniteLossError

log = logging.getLogger("gpnerf.engine")


@dataclass(frozen=True)
class NonFiniteReport:
    """What was non-finite at one step: loss-term names (``"loss"`` is the total) and parameter names."""

    step: int
    """0-based index of the optimizer step."""
    terms: tuple[str, ...]
    """Loss terms that were NaN or inf (``loss`` = the total returned by the task)."""
    grads: tuple[str, ...]
    """Parameters whose gradient held a NaN or inf."""
    batch: str = ""
    """The task's description of the batch (e.g. scene and view ids), if it gives one."""

    def describe(self) -> str:
        """One line for logs and errors."""
        text = f"step {self.step}: non-finite loss terms {list(self.terms)}, non-finite gradients {list(self.grads)}"
        return text + (f", batch {self.batch}" if self.batch else "")


@dataclass
class NonFiniteScreen:
    """The device half of :func:`find_nonfinite`: every checked tensor screened, nothing copied to the host yet.

    :attr:`found_inf` can gate a fused optimizer step on the device before the host has looked (see
    :func:`gpnerf.engine.update.guarded_update`); :meth:`resolve` makes the one host copy and the exact verdict.
    """

    terms: list[tuple[str, float | torch.Tensor]]
    """``("loss", total)`` then the task's terms, in order."""
    grads: list[tuple[str, torch.Tensor]]
    """Parameters that have a gradient, with it."""
    suspicious: torch.Tensor | None
    """``(tensors,)`` bool on the device: the tensor's L1 norm is not finite (a superset of the non-finite ones);
    None when nothing was a tensor."""
    host_bad: bool
    """A term given as a Python number is not finite."""

    @property
    def tensors(self) -> list[torch.Tensor]:
        return [value.detach() for _, value in self.terms if torch.is_tensor(value)] + [g for _, g in self.grads]

    def found_inf(self) -> torch.Tensor:
        """float32 scalar on the device, 1.0 when anything may be non-finite (the screen, so possibly a finite
        tensor whose norm overflows), else 0.0; no host synchronisation."""
        if self.suspicious is None:
            raise ValueError("found_inf needs at least one tensor among the loss, its terms and the gradients.")
        found = self.suspicious.any().float()  # a device kernel: no host value enters, so no copy and no sync
        return found.fill_(1.0) if self.host_bad else found

    def resolve(self) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        """``(bad_terms, bad_grads, flagged)``: exactly the non-finite term names (``"loss"`` is the total) and
        parameter names, and whether the screen flagged anything (then :meth:`found_inf` was 1). One host copy."""
        suspicious = [] if self.suspicious is None else self.suspicious.cpu().tolist()
        flags = iter(confirm_nonfinite(suspicious, self.tensors))
        bad_terms = [
            name for name, value in self.terms
            if (next(flags) if torch.is_tensor(value) else not math.isfinite(float(value)))
        ]
        bad_grads = [name for name, _ in self.grads if next(flags)]
        return tuple(bad_terms), tuple(bad_grads), self.host_bad or any(suspicious)


def screen_nonfinite(
    loss: torch.Tensor, terms: Mapping[str, float | torch.Tensor], named_params: Iterable[tuple[str, torch.nn.Parameter]]
) -> NonFiniteScreen:
    """Screen the loss, its terms and every gradient on the device (:func:`screen_tensors`); no host copy."""
    term_items = [("loss", loss)] + list(terms.items())
    with_grad = [(n, p.grad) for n, p in named_params if p.grad is not None]
    host_bad = any(not math.isfinite(float(value)) for _, value in term_items if not torch.is_tensor(value))
    screen = NonFiniteScreen(term_items, with_grad, None, host_bad)
    tensors = screen.tensors
    screen.suspicious = screen_tensors(tensors) if tensors else None
    return screen


def find_nonfinite(
    loss: torch.Tensor, terms: Mapping[str, float | torch.Tensor], named_params: Iterable[tuple[str, torch.nn.Parameter]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names of the non-finite loss terms (``"loss"`` for the total) and of parameters with non-finite gradients.

    One device-to-host transfer for all tensor checks (one synchronisation per step, not one per term), and a
    handful of device kernels: :func:`nonfinite_flags` screens every tensor with one multi-tensor L1 norm.
    """
    bad_terms, bad_grads, _ = screen_nonfinite(loss, terms, named_params).resolve()
    return bad_terms, bad_grads


def screen_tensors(tensors: Sequence[torch.Tensor]) -> torch.Tensor:
    """``(len(tensors),)`` bool on the first tensor's device: the tensor's L1 norm is not finite. Every tensor
    holding a NaN or inf is flagged (a NaN or inf element makes the norm NaN or inf), and so is a finite one whose
    norm overflows. One ``torch._foreach_norm`` call, no host synchronisation."""
    norms = torch._foreach_norm([t if t.is_floating_point() else t.float() for t in tensors], 1)
    return ~torch.isfinite(torch.stack([n.float().to(tensors[0].device) for n in norms]))


def nonfinite_flags(tensors: Sequence[torch.Tensor]) -> list[bool]:
    """For each tensor, whether it holds a NaN or an inf (exactly ``not torch.isfinite(t).all()``).

    Screen: :func:`screen_tensors` and one host copy. Only tensors it flags, including finite ones whose norm
    overflows, are checked element-wise, so the result is exact. :func:`nonfinite_flags_reference` is the plain
    per-tensor check it must agree with.
    """
    if not tensors:
        return []
    return confirm_nonfinite(screen_tensors(tensors).cpu().tolist(), tensors)


def confirm_nonfinite(suspicious: Sequence[bool], tensors: Sequence[torch.Tensor]) -> list[bool]:
    """The exact verdict for screened tensors: only those the screen flagged are checked element-wise."""
    return [bool(s) and not bool(torch.isfinite(t).all()) for s, t in zip(suspicious, tensors)]


def nonfinite_flags_reference(tensors: Sequence[torch.Tensor]) -> list[bool]:
    """Plain per-tensor reference of :func:`nonfinite_flags`: ``not torch.isfinite(t).all()`` for each tensor."""
    return [not bool(torch.isfinite(t).all()) for t in tensors]


@dataclass
class NonFiniteGuard:
    """Counts consecutive non-finite steps; raises on the ``max_consecutive``-th one in a row."""

    max_consecutive: int = 5
    """Abort when this many steps in a row were non-finite."""
    consecutive: list[NonFiniteReport] = field(default_factory=list)
    """Reports of the current run of bad steps (cleared by a finite step)."""
    total_skipped: int = 0
    """All skipped steps so far in this process."""

    def record_good(self) -> None:
        """A finite step ran: reset the consecutive count."""
        self.consecutive.clear()

    def record_bad(self, report: NonFiniteReport) -> None:
        """Log ``report``; raise :class:`NonFiniteLossError` if it is the ``max_consecutive``-th in a row."""
        self.consecutive.append(report)
        self.total_skipped += 1
        log.warning(
            "skipped optimizer and scheduler step (%d in a row of at most %d): %s",
            len(self.consecutive),
            self.max_consecutive,
            report.describe(),
        )
        if len(self.consecutive) >= self.max_consecutive:
            history = "; ".join(r.describe() for r in self.consecutive)
            raise NonFiniteLossError(
                f"training steps must have finite losses and gradients; got {len(self.consecutive)} non-finite steps "
                f"in a row, the last at step {report.step} with loss terms {list(report.terms)} and gradients of "
                f"{list(report.grads)} ({history}). Lower the learning rates, enable optim.grad_clip_max_norm, or "
                f"check the data of these batches."
            )

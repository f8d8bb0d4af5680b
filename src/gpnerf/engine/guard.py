"""Non-finite guard: find NaN/inf loss terms and gradients, count consecutive bad steps, abort after K.

The trainer always runs backward (so DDP ranks stay in lock-step), then asks :func:`find_nonfinite`; if anything
is non-finite on any rank, it zeroes the gradients and skips both the optimizer and the scheduler step, and calls
:meth:`NonFiniteGuard.record_bad`, which raises :class:`NonFiniteLossError` on the K-th bad step in a row.
"""

import logging
import math
from collections.abc import Iterable, Mapping
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


def find_nonfinite(
    loss: torch.Tensor, terms: Mapping[str, float | torch.Tensor], named_params: Iterable[tuple[str, torch.nn.Parameter]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names of the non-finite loss terms (``"loss"`` for the total) and of parameters with non-finite gradients.

    One device-to-host transfer for all tensor checks (one synchronisation per step, not one per term).
    """
    term_items = [("loss", loss)] + list(terms.items())
    with_grad = [(n, p.grad) for n, p in named_params if p.grad is not None]
    checked = [value.detach() for _, value in term_items if torch.is_tensor(value)] + [g for _, g in with_grad]
    flags = iter(torch.stack([torch.isfinite(t).all().to(loss.device) for t in checked]).cpu().tolist())
    bad_terms = [
        name for name, value in term_items
        if not (next(flags) if torch.is_tensor(value) else math.isfinite(float(value)))
    ]
    bad_grads = [name for name, _ in with_grad if not next(flags)]
    return tuple(bad_terms), tuple(bad_grads)


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

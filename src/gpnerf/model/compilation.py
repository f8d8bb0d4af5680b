"""torch.compile for the model's hot loop: each FAT and RAT block, the semantic fold and the glue around them,
compiled on their own.

Compiling the whole transformer stack traces 8 unrolled layers plus the semantic fold for every sample count (48
coarse, 64 fine) and mode (train, eval): minutes of compile time, more than the benchmark suite's limit
(docs/benchmarks.md). One block is small and identical across layers, so inductor fuses its per-view elementwise chain
(``K - Q + P``, the masked softmax over views, the ``(V + P) A`` sum) once per block type, and the other layers reuse
the compiled code (parameters are graph inputs). The fast path's semantic fold
(:func:`gpnerf.model.folded_semantics.fold_semantic_path`) is compiled as one function: its per-layer float32
accumulation of ``(rays, samples, views, d_rgb)`` weights becomes a fused pass over the attention maps instead of
several full-size temporaries per layer (24 % of the eager render's kernel time, docs/performance.md). The glue
between them is compiled too: the point projection where its kernel does not run
(:func:`gpnerf.model.projection.project_points`, dozens of small elementwise kernels per call when eager;
:mod:`gpnerf.model.fused_projection`) and the stack's input embedding, query updates and read-out
(:func:`gpnerf.model.transformer.embed_points`, ``update_query``, ``project_positions``, ``update_query_projected``,
``read_out``: the max over views, the concatenations with their autocast casts, and a LayerNorm over 64-wide rows,
which PyTorch's kernel runs one row per thread block), the perception head with its resizes and the teacher features'
sampling (dozens of small eager kernels each in the training step, and PyTorch's grid sampler runs one thread per
sampled point, looping over the channels: 0.27 ms a step on an H100 for 512 points).
:func:`gpnerf.losses.compile_losses` compiles the losses of Eq. 8, whose eager cosine similarities over the ``(rays,
samples, d_sem)`` semantic field and the head's cross-entropy were about 1.1 ms of each graphed training step on an
H100 (docs/performance.md section 30). Compiling never changes the function: the eager modules and functions are what
is compiled, and ``tests/model/test_compilation.py`` checks the compiled model against the eager one.

``field_memory_budget`` sets, for the FAT blocks alone, the activation memory budget of AOT autograd's partitioner
(``torch._functorch.config.activation_memory_budget``): the fraction of the block's default saved activations that
it may keep for the backward, recomputing the rest there (docs/performance.md section 19). The partitioner reads it
when a block's forward is compiled (its first call, or a recompile), so each compiled block is called with it set.

``channels_last_convolutions`` makes inductor keep the encoder's and the head's activations channels-last
(``torch._inductor.config.force_layout_optimization``, for these two compiled functions only). cuDNN's bf16
convolutions run on channels-last data, so with NCHW activations each convolution of the forward and the backward
brackets its kernel with layout transposes: 2.1 ms of a 41.2 ms graphed training step on an H100
(docs/performance.md, "Where the training step's time was"; with this, the step took 0.0388 instead of 0.0394 s,
section 32). Inductor's own heuristic keeps the encoder NCHW
because its decoder has 3x3 convolutions with more than twice as many input as output channels (paper-scannet: 256 ->
128, 128 -> 64, 256 -> 128, 128 -> 32; a pattern that lost on inductor's benchmark models); inputs and outputs keep
their strides, so the callers see the same tensors.

``gemm_autotune`` lets inductor time its own Triton GEMM templates against cuBLAS for every matrix product it
compiles and keep the fastest (``torch._inductor.config.max_autotune_gemm``), with the convolutions left to aten
(``max_autotune_conv_backends = "ATEN"``): the graphed paper-scannet training step 0.0370 s against 0.0381 and
0.0386 s on one H200, for about five more minutes of cold compilation (docs/performance.md section 20).
"""

import functools
from typing import Any, Callable

import torch
import torch._functorch.config
import torch._inductor.config

from gpnerf.model.fan_out import sum_tensors
from gpnerf.model.folded_semantics import fold_semantic_path
from gpnerf.model.gpnerf import GPNeRF
from gpnerf.model.projection import project_points, sample_at_pixels
from gpnerf.model.transformer import embed_points, project_positions, read_out, update_query, update_query_projected


def with_activation_memory_budget(function: Callable, budget: float) -> Callable:
    """``function`` called with ``torch._functorch.config.activation_memory_budget = budget`` (module docstring)."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        with torch._functorch.config.patch(activation_memory_budget=budget):
            return function(*args, **kwargs)

    return call


def with_channels_last_convolutions(compile_kwargs: dict[str, Any]) -> dict[str, Any]:
    """``torch.compile`` arguments that also make inductor lay the graph's convolutions out channels-last
    (``force_layout_optimization``: module docstring), for the inductor backend; other backends' arguments unchanged.

    ``torch.compile`` takes a ``mode`` or ``options``, not both, so a ``mode`` becomes its options
    (``torch._inductor.list_mode_options``) with the layout option added.
    """
    if compile_kwargs.get("backend", "inductor") != "inductor":
        return compile_kwargs
    kwargs = dict(compile_kwargs)
    mode = kwargs.pop("mode", None)
    mode_options = torch._inductor.list_mode_options(mode) if mode else {}  # (None lists every mode)
    options = {**mode_options, **kwargs.pop("options", {}), "force_layout_optimization": True}
    return {**kwargs, "options": options}


def compile_transformer_blocks(
    model: GPNeRF, glue: bool = True, encoder: bool = True, field_memory_budget: float = 1.0, gemm_autotune: bool = False,
    channels_last_convolutions: bool = True, **compile_kwargs: Any,
) -> GPNeRF:
    """Compile every FAT and RAT block of ``model`` in place (``nn.Module.compile``), its semantic fold (used by
    ``implementation="fast"``), encoder, point projection, input embedding, query updates, read-out, head and teacher
    sampling; returns ``model``.

    Args:
        model: the model; its state dict keys are unchanged (``Module.compile`` wraps ``forward`` only).
        glue: also compile the projection, embedding, query updates, read-out, the head and the teacher features'
            sampling (False: they run eagerly; ``bench_model.py --compile-glue off`` measures the difference).
        encoder: also compile the encoder (``nn.Module.compile``; its padding, normalisation, activations,
            resizes and concatenations around cuDNN's convolutions): the graphed training step 0.0536 -> 0.0484 s
            on an H200 (docs/benchmarks.md, seventh run); ``bench_model.py --compile-encoder off`` measures without.
        field_memory_budget: the FAT blocks' activation memory budget in (0, 1] (module docstring); 1.0 is the
            partitioner's default, and then the blocks are compiled as the other parts are.
        gemm_autotune: inductor autotunes every compiled matrix product (module docstring). Process-wide: it sets
            ``torch._inductor.config.max_autotune_gemm = True`` and ``max_autotune_conv_backends = "ATEN"``, as the
            environment variables ``TORCHINDUCTOR_MAX_AUTOTUNE_GEMM=1`` and
            ``TORCHINDUCTOR_MAX_AUTOTUNE_CONV_BACKENDS=ATEN`` do (the form measured); inductor reads them when it
            compiles, at each function's first call. False leaves them as they are.
        channels_last_convolutions: inductor lays the encoder's and the head's convolutions out channels-last
            (:func:`with_channels_last_convolutions`; module docstring); False leaves the choice to its heuristic.
        compile_kwargs: passed to ``torch.compile`` (e.g. ``backend="aot_eager"``, ``mode="max-autotune"``).

    Raises ``torch._dynamo.config.cache_size_limit`` to at least 64 (process-wide).
    """
    if not 0.0 < field_memory_budget <= 1.0:
        raise ValueError(f"field_memory_budget must be in (0, 1]; got {field_memory_budget}")
    # 8 layers x (48, 64 samples) x (train, eval) x chunk sizes must not exhaust dynamo's per-function
    # recompile cache (default 8), or later calls silently run eager.
    torch._dynamo.config.cache_size_limit = max(torch._dynamo.config.cache_size_limit, 64)
    if gemm_autotune:
        torch._inductor.config.max_autotune_gemm = True
        torch._inductor.config.max_autotune_conv_backends = "ATEN"
    convolution_kwargs = with_channels_last_convolutions(compile_kwargs) if channels_last_convolutions else compile_kwargs
    transformer = model.transformer
    for block in transformer.ray_blocks:
        block.compile(**compile_kwargs)
    for block in transformer.field_blocks:
        if field_memory_budget == 1.0:
            block.compile(**compile_kwargs)
        else:  # the instance's forward: nn.Module.compile's wrapper is private
            block.forward = with_activation_memory_budget(torch.compile(block.forward, **compile_kwargs), field_memory_budget)
    transformer.fold_semantics = torch.compile(fold_semantic_path, **compile_kwargs)
    if encoder:
        model.encoder.compile(**convolution_kwargs)
    if not glue:
        return model
    transformer.embed_points = torch.compile(embed_points, **compile_kwargs)
    transformer.update_query = torch.compile(update_query, **compile_kwargs)
    transformer.project_positions = torch.compile(project_positions, **compile_kwargs)
    transformer.update_query_projected = torch.compile(update_query_projected, **compile_kwargs)
    transformer.read_out = torch.compile(read_out, **compile_kwargs)
    transformer.sum_tensors = torch.compile(sum_tensors, **compile_kwargs)
    model.project_points = torch.compile(project_points, **compile_kwargs)
    model.sample_at_pixels = torch.compile(sample_at_pixels, **compile_kwargs)
    model.head.compile(**convolution_kwargs)
    return model

"""The transformer's Linear weights cast to the autocast dtype once per training step, shared by its passes.

Under autocast every ``Linear`` casts its float32 weight and bias to bf16 where it runs, and autograd casts each of
their bf16 gradients back to float32. In eager mode autocast caches the casts of leaf tensors, but each compiled block
is its own graph: the graphed compiled training step of the paper preset ran about 600 such casts (tiny kernels of
~1 us, each followed by a launch gap) and, because the coarse and the fine pass use the same weights, 306 float32
gradient additions per step (docs/performance.md section 17).

:func:`pass_parameters` instead hands each pass its own copy of the transformer's ``Linear`` weights and biases in
the autocast dtype, cast together in a few launches (:class:`SharedCast`); the passes run the transformer with
them (``torch.func.functional_call``), so no compiled graph casts or un-casts a weight. The backward sums the passes'
gradients in float32, again in a few launches, as autograd summed the float32 gradients of the casts before: each
parameter's gradient is the float32 sum over passes of its bf16 gradients. The values the products see are the
autocast casts' (the same rounding). What changes: the few elementwise uses of those tensors outside a product (the
query update's bias, the folded FAT logits' bias, the RAT query weight's scale by a power of two) run in bf16, not
float32, and two uses of one weight within a pass sum their gradients in bf16 first, as eager autocast does.
The transformer's other parameters (LayerNorm's, which autocast runs in float32) get float32 copies the same way:
not cast, but their two passes' gradients, which autograd also added one tensor at a time, are summed in the same few
launches (the same float32 sums).
"""

import torch
from torch import nn


class SharedCast(torch.autograd.Function):
    """``copies`` copies of ``params`` in ``dtype``; gradient: the float32 sum of the copies' gradients.

    A few launches whatever the parameter count: the parameters are concatenated into one flat float32 buffer, cast
    once and cloned per copy, and each copy's tensors are views of its buffer; the backward concatenates each copy's
    gradients the same way (zeros where a pass did not use a tensor), widens the first to float32 and adds the others
    to it, and returns views of that sum (None for a tensor no pass used). PyTorch's ``_foreach_copy_`` would be
    one launch per tensor here: it has no multi-tensor path for copies that change the dtype."""

    @staticmethod
    def forward(ctx, dtype: torch.dtype, copies: int, *params: torch.Tensor) -> tuple[torch.Tensor, ...]:
        ctx.set_materialize_grads(False)  # a copy a pass did not use gets None, not zeros
        ctx.copies, ctx.shapes = copies, [p.shape for p in params]
        ctx.sizes, ctx.param_dtype = [p.numel() for p in params], params[0].dtype
        cast = torch.cat([p.reshape(-1) for p in params]).to(dtype)
        buffers = [cast, *(cast.clone() for _ in range(copies - 1))]
        return tuple(part.view(shape) for buffer in buffers for part, shape in zip(buffer.split(ctx.sizes), ctx.shapes))

    @staticmethod
    def backward(ctx, *grads: torch.Tensor | None) -> tuple[torch.Tensor | None, ...]:
        count = len(ctx.sizes)
        per_copy = [grads[c * count:(c + 1) * count] for c in range(ctx.copies)]
        used = [any(copy_grads[i] is not None for copy_grads in per_copy) for i in range(count)]
        total, zeros = None, None
        for copy_grads in per_copy:
            present = [g for g in copy_grads if g is not None]
            if not present:
                continue
            if zeros is None and len(present) < count:
                zeros = present[0].new_zeros(max(ctx.sizes))  # one buffer; its slices stand in for missing ones
            flat = torch.cat([
                g.reshape(-1) if g is not None else zeros[:size] for g, size in zip(copy_grads, ctx.sizes)
            ])
            total = flat.to(ctx.param_dtype) if total is None else total.add_(flat)
        parts = total.split(ctx.sizes)
        return (None, None, *(part.view(shape) if use else None for part, shape, use in zip(parts, ctx.shapes, used)))


def linear_parameters(module: nn.Module) -> dict[str, nn.Parameter]:
    """The weights and biases of every ``nn.Linear`` in ``module``, by their names in ``module``'s state dict."""
    named = {}
    for prefix, child in module.named_modules():
        if isinstance(child, nn.Linear):
            for name, parameter in child.named_parameters(recurse=False):
                named[f"{prefix}.{name}" if prefix else name] = parameter
    return named


def shared_casts_apply(module: nn.Module) -> bool:
    """Whether :func:`pass_parameters` has work: autograd on, autocast on for the module's device with a reduced
    dtype, and float32 parameters."""
    parameter = next(module.parameters(), None)
    if parameter is None or not torch.is_grad_enabled() or parameter.dtype != torch.float32:
        return False
    device_type = parameter.device.type
    return torch.is_autocast_enabled(device_type) and torch.get_autocast_dtype(device_type) != torch.float32


def pass_parameters(module: nn.Module, passes: int) -> list[dict[str, torch.Tensor]]:
    """One ``{name: tensor}`` per pass for ``torch.func.functional_call(module, ...)``: ``module``'s ``Linear``
    weights and biases in the autocast dtype, and its other parameters (LayerNorm's) as float32 copies, so their
    passes' gradients too are summed in a few launches (two :class:`SharedCast`); empty dicts where
    :func:`shared_casts_apply` does not hold."""
    if not shared_casts_apply(module):
        return [{} for _ in range(passes)]
    linear = linear_parameters(module)
    others = {name: p for name, p in module.named_parameters() if name not in linear}
    dtype = torch.get_autocast_dtype(next(iter(linear.values())).device.type)
    copies = [{} for _ in range(passes)]
    for named, copy_dtype in ((linear, dtype), (others, torch.float32)):
        if not named:
            continue
        cast = SharedCast.apply(copy_dtype, passes, *named.values())
        for p in range(passes):
            copies[p].update(zip(named, cast[p * len(named):(p + 1) * len(named)]))
    return copies

"""Bytes that autograd keeps for the backward of one compiled fast FAT block, or of the compiled semantic fold (CPU).

    PYTHONPATH=src python benchmarks/saved_tensors.py --what block                       # unrolled views (fast path)
    PYTHONPATH=src python benchmarks/saved_tensors.py --what block --unroll-views off    # the plain reductions
    PYTHONPATH=src python benchmarks/saved_tensors.py --what fold
    PYTHONPATH=src python benchmarks/saved_tensors.py --smoke                            # tiny shapes, aot_eager (CI)

Compiled, what the backward reads is chosen by inductor's partitioner (it saves some forward tensors and recomputes
the rest), so the same function written two ways can keep different tensors until the backward: the graphed training
step's reserved memory moved by half a GiB with the form of one sum (docs/performance.md section 18). The partitioner
is device-independent, so the CPU shows those choices without a GPU: the script compiles the block (fast path,
folded logits, weighted position, bf16 autocast) or the fold (bf16 inputs) with inductor, records every tensor saved
for the backward (``saved_tensors_hooks``) and prints them by storage, largest first, with the total of distinct
storages. Shapes are small (``--rays``, ``--samples``; 10 views, 64 channels) and the bytes scale with them. No tyro:
argparse only.
"""

import argparse

import torch
import torch._functorch.config

from gpnerf.model.config import TransformerConfig
from gpnerf.model.field_aggregation import FieldAggregationTransformer, FieldAttention
from gpnerf.model.folded_semantics import fold_semantic_path
from gpnerf.model.ray_aggregation import RayAttention


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--what", choices=["block", "fold"], default="block")
    parser.add_argument("--unroll-views", choices=["on", "off"], default="on", help="block: the fast path's setting")
    parser.add_argument("--rays", type=int, default=32)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--views", type=int, default=10)
    parser.add_argument("--d-rgb", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2, help="fold: FAT / RAT attentions folded")
    parser.add_argument("--backend", default="inductor", help="torch.compile backend")
    parser.add_argument(
        "--memory-budget", type=float, default=1.0,
        help="torch._functorch.config.activation_memory_budget while compiling (1.0: the partitioner's default)",
    )
    parser.add_argument(
        "--redraw-dropout-masks", default="on", choices=["on", "off"],
        help="block: ModelConfig.redraw_dropout_masks, the fast path's setting (off: the keep masks are kept for the "
        "backward); applies where the keep-mask kernel runs (TRITON_INTERPRET=1 on the CPU)",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny shapes and the aot_eager backend (CI)")
    return parser.parse_args(argv)


def block_inputs(args: argparse.Namespace) -> tuple[torch.nn.Module, list[torch.Tensor]]:
    """A training fast FAT block and its ``(query, tokens, relative_direction, valid)``."""
    config = TransformerConfig(d_rgb=args.d_rgb, num_layers=1, num_heads=4, dropout=0.1, num_frequencies=10)
    block = FieldAggregationTransformer(
        config, True, fold_logit_projections=True, weighted_position=True, fused_dropout=True,
        unroll_views=args.unroll_views == "on", redraw_dropout_masks=args.redraw_dropout_masks == "on",
    ).train()
    shape = (args.rays, args.samples)
    inputs = [
        torch.randn(*shape, args.d_rgb, requires_grad=True),
        torch.randn(*shape, args.views, args.d_rgb, dtype=torch.bfloat16, requires_grad=True),  # X_rgb, as embedded
        torch.randn(*shape, args.views, 4),
        torch.rand(*shape, args.views) > 0.2,
    ]
    return block, inputs


def fold_inputs(args: argparse.Namespace) -> list:
    """The fold's arguments: bf16 X ``(rays, samples, views, 8 d_rgb)`` and ``--layers`` bf16 attentions."""
    shape, heads = (args.rays, args.samples, args.views), 4
    x = torch.randn(*shape, 8 * args.d_rgb, dtype=torch.bfloat16, requires_grad=True)
    fats = [
        FieldAttention(
            torch.softmax(torch.randn(*shape, args.d_rgb), 2).bfloat16().requires_grad_(), None,
            weighted_position=torch.randn(*shape[:2], args.d_rgb, requires_grad=True),
        )
        for _ in range(args.layers)
    ]
    rats = [
        RayAttention(torch.softmax(torch.randn(args.rays, heads, args.samples, args.samples), -1).bfloat16().requires_grad_())
        for _ in range(args.layers)
    ]
    return [x, fats, rats, True, True]


def saved_storages(args: argparse.Namespace) -> dict[int, tuple[int, tuple[int, ...], torch.dtype]]:
    """Distinct storages saved for the backward: data pointer -> (bytes, a saved tensor's shape, dtype). Compiles
    from a clean dynamo state: earlier compilations of the same functions in the process (other shapes, as in the
    test suite) would otherwise count against dynamo's recompile limit and stop a ``fullgraph`` compile."""
    torch.manual_seed(0)
    torch._dynamo.reset()
    storages = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = (storage.nbytes(), tuple(tensor.shape), tensor.dtype)
        return tensor

    budget = torch._functorch.config.patch(activation_memory_budget=args.memory_budget)
    with budget, torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        if args.what == "block":
            block, inputs = block_inputs(args)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                torch.compile(block, backend=args.backend, fullgraph=True)(*inputs)
        else:
            torch.compile(fold_semantic_path, backend=args.backend, fullgraph=True)(*fold_inputs(args))
    return storages


def main(argv: list[str] | None = None) -> dict[int, tuple[int, tuple[int, ...], torch.dtype]]:
    """Print the saved storages (largest first) and their total; returns :func:`saved_storages`' map."""
    args = parse_args(argv)
    if args.smoke:
        args.rays, args.samples, args.views, args.d_rgb, args.backend = 2, 3, 4, 16, "aot_eager"
    storages = saved_storages(args)
    print(f"{args.what} (unroll views {args.unroll_views}), {args.rays} rays x {args.samples} samples x {args.views} "
          f"views, d_rgb {args.d_rgb}, backend {args.backend}")
    for size, shape, dtype in sorted(storages.values(), key=lambda entry: -entry[0]):
        print(f"{size:>12,d} B  {shape}  {dtype}")
    print(f"saved for the backward: {sum(entry[0] for entry in storages.values()):,d} B in {len(storages)} storages")
    return storages


if __name__ == "__main__":
    main()

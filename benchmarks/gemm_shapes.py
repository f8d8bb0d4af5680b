"""List the matrix products of a render chunk and a training step, flagging those tensor cores cannot take aligned.

    PYTHONPATH=src python benchmarks/gemm_shapes.py --preset paper-scannet --implementation fast \
        --height 64 --width 64 --rays 512
    PYTHONPATH=src python benchmarks/gemm_shapes.py --smoke      # tiny-cpu preset (CI)

The H100 profiles (docs/performance.md) show a fifth of the compiled render's kernel time in CUTLASS
``align1`` / ``align2`` GEMMs: the fallback kernels cuBLAS picks when an operand's leading dimension or offset
is not a multiple of 8 bf16 elements (16 bytes). This script runs on the CPU, where every ``mm`` / ``addmm`` /
``bmm`` / ``baddbmm`` is seen with its shapes and strides (a ``TorchDispatchMode``), and groups them by
(M, N, K, alignment) with their share of the FLOPs. The render covers the whole ``--height`` x ``--width``
image in chunks of ``--rays`` (keep both small on a CPU); alignment does not depend on the ray count (only M
does), so small chunks list the full-size render's products. Unaligned: an operand (either input or the output)
whose inner stride is not 1 and outer stride not a multiple of 8, or whose storage offset is not, or a
K or N not a multiple of 8. No tyro: argparse only.
"""

import argparse
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import torch
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: bench_model, which also finds src/

import bench_model  # noqa: E402
from gpnerf.losses import compute_losses  # noqa: E402
from gpnerf.model import GPNeRF  # noqa: E402

ALIGN = 8
"""Elements per 16 bytes of bf16: the alignment of cuBLAS's tensor-core kernels."""

PRODUCTS = {
    torch.ops.aten.mm.default: (0, 1), torch.ops.aten.addmm.default: (1, 2),
    torch.ops.aten.bmm.default: (0, 1), torch.ops.aten.baddbmm.default: (1, 2),
}
"""The product operators and the argument positions of their two factors."""


def aligned(tensor: torch.Tensor) -> bool:
    """Whether a matrix (or batch of matrices) operand meets the 16-byte alignment of its leading dimension."""
    inner, outer = tensor.stride()[-1], tensor.stride()[-2]
    if inner == 1:
        lead = outer
    elif outer == 1:
        lead = inner
    else:
        return False
    return lead % ALIGN == 0 and tensor.storage_offset() % ALIGN == 0


class ProductLog(TorchDispatchMode):
    """Records (M, N, K, batch, aligned) and FLOPs of every matrix product dispatched while active."""

    def __init__(self) -> None:
        super().__init__()
        self.flops: dict[tuple, float] = defaultdict(float)
        self.calls: dict[tuple, int] = defaultdict(int)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func in PRODUCTS:
            a, b = (args[i] for i in PRODUCTS[func])
            batch = a.shape[0] if a.ndim == 3 else 1
            m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
            ok = aligned(a) and aligned(b) and aligned(out) and k % ALIGN == 0 and n % ALIGN == 0
            key = (m, n, k, batch, ok)
            self.flops[key] += 2.0 * batch * m * n * k
            self.calls[key] += 1
        return out


def run(args: argparse.Namespace) -> dict:
    """Log the products of a full-image render in chunks of ``--rays`` and of one training step (forward + backward)."""
    torch.manual_seed(0)
    config = bench_model.build_config(args)
    model = GPNeRF(config, args.num_classes)
    episode = bench_model.random_episode(args.views, args.height, args.width, args.rays, args.num_classes)
    logs = {}
    with ProductLog() as logs["render"]:
        model.render_image(replace(episode, ray_indices=None), chunk_rays=args.rays)
    model.train()
    with ProductLog() as logs["train"]:
        total, _ = compute_losses(model(episode), episode, config)
        total.backward()
    record = {"preset": args.preset, "implementation": args.implementation, "rays": args.rays, "phases": {}}
    for phase, log in logs.items():
        rows = [{"m": m, "n": n, "k": k, "batch": batch, "aligned": ok, "calls": log.calls[key], "flops": log.flops[key]}
                for key in log.flops for (m, n, k, batch, ok) in [key]]
        rows.sort(key=lambda row: -row["flops"])
        total_flops = sum(row["flops"] for row in rows)
        unaligned = sum(row["flops"] for row in rows if not row["aligned"])
        record["phases"][phase] = {"rows": rows, "flops": total_flops, "unaligned_share": unaligned / max(total_flops, 1.0)}
    return record


def table(record: dict, top: int = 15) -> str:
    lines = [f"{record['preset']} {record['implementation']}, {record['rays']} rays"]
    for phase, data in record["phases"].items():
        lines += [f"\n{phase}: {data['flops'] / 1e9:.2f} GFLOP in products, {100 * data['unaligned_share']:.1f} % of it unaligned",
                  "| M | N | K | batch | aligned | calls | GFLOP | share |", "|---|---|---|---|---|---|---|---|"]
        for row in data["rows"][:top]:
            lines.append(f"| {row['m']} | {row['n']} | {row['k']} | {row['batch']} | {'yes' if row['aligned'] else 'NO'} "
                         f"| {row['calls']} | {row['flops'] / 1e9:.3f} | {100 * row['flops'] / data['flops']:.1f} % |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    args = bench_model.parse_cpu_analysis_args(__doc__.splitlines()[0], argv, rays_help="rays per render chunk and training step")
    return bench_model.run_script(args, run, table)


if __name__ == "__main__":
    main()

"""Count the operators a training step dispatches, per phase: a host-overhead measure that needs no GPU.

    PYTHONPATH=src python benchmarks/count_ops.py --preset paper-scannet --height 60 --width 80 --rays 64
    PYTHONPATH=src python benchmarks/count_ops.py --smoke      # tiny-cpu preset (CI)

The GPU profiles show the training step launch-bound (docs/performance.md): the GPU idles while Python
dispatches thousands of small operators. Each operator dispatched here is one trip through the PyTorch
dispatcher and, on CUDA, at least one kernel launch, so this count (taken on the CPU, where nothing is
asynchronous) is what the step costs the host. The count does not depend on image size or ray count (no
chunking in training), so a small episode counts the full-size step.

Phases: ``forward`` (model + ``compute_losses``), ``backward``, ``guard`` (the trainer's non-finite check:
``nonfinite_flags`` and its per-tensor reference ``nonfinite_flags_reference``) and ``optimizer`` (Adam with
``foreach=True``, PyTorch's CUDA default, and ``fused=True``, the engine's CUDA default). Counted with a
``TorchDispatchMode`` (aten operators after autograd, backward included). No tyro: argparse only.
"""

import argparse
import sys
from pathlib import Path

import torch
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: bench_model, which also finds src/

import bench_model  # noqa: E402
from gpnerf.engine.guard import nonfinite_flags, nonfinite_flags_reference  # noqa: E402
from gpnerf.losses import compute_losses  # noqa: E402
from gpnerf.model import GPNeRF  # noqa: E402


class OperatorCount(TorchDispatchMode):
    """Counts every aten operator dispatched while active."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def counted(fn) -> int:
    """Operators dispatched by ``fn()``."""
    with OperatorCount() as counter:
        fn()
    return counter.count


def run(args: argparse.Namespace) -> dict:
    """Count each phase of one training step (after one uncounted step, so optimizer state exists)."""
    torch.manual_seed(0)
    config = bench_model.build_config(args)
    model = GPNeRF(config, args.num_classes)
    episode = bench_model.random_episode(args.views, args.height, args.width, args.rays, args.num_classes)
    optimizers = {kind: torch.optim.Adam(model.parameters(), lr=1e-5, **{kind: True}) for kind in ("foreach", "fused")}
    state: dict = {}

    def forward() -> None:
        model.train()
        model.zero_grad(set_to_none=True)
        output = model(episode)
        state["total"], state["terms"] = compute_losses(output, episode, config)

    def checked() -> list[torch.Tensor]:
        terms = [t.detach() for t in state["terms"].values() if torch.is_tensor(t)]
        return [state["total"].detach(), *terms, *(p.grad for p in model.parameters() if p.grad is not None)]

    forward()
    state["total"].backward()
    for optimizer in optimizers.values():
        optimizer.step()
    counts = {"forward": counted(forward), "backward": counted(lambda: state["total"].backward())}
    counts["guard_per_tensor"] = counted(lambda: nonfinite_flags_reference(checked()))
    counts["guard_multi_tensor"] = counted(lambda: nonfinite_flags(checked()))
    counts["adam_foreach"] = counted(optimizers["foreach"].step)
    counts["adam_fused"] = counted(optimizers["fused"].step)
    common = counts["forward"] + counts["backward"]
    return {
        "preset": args.preset, "implementation": args.implementation, "views": args.views, "rays": args.rays,
        "parameter_tensors": sum(1 for _ in model.parameters()), "counts": counts,
        "step_before": common + counts["guard_per_tensor"] + counts["adam_foreach"],
        "step_after": common + counts["guard_multi_tensor"] + counts["adam_fused"],
    }


def table(record: dict) -> str:
    c = record["counts"]
    rows = [
        ("forward + losses", c["forward"], c["forward"]),
        ("backward", c["backward"], c["backward"]),
        ("non-finite guard (per tensor -> multi-tensor)", c["guard_per_tensor"], c["guard_multi_tensor"]),
        ("Adam (foreach -> fused)", c["adam_foreach"], c["adam_fused"]),
        ("training step", record["step_before"], record["step_after"]),
    ]
    lines = [f"{record['preset']} {record['implementation']}, {record['parameter_tensors']} parameter tensors",
             "| phase | aten ops before | aten ops after |", "|---|---|---|"]
    lines += [f"| {name} | {before:,} | {after:,} |" for name, before, after in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    return bench_model.run_script(bench_model.parse_cpu_analysis_args(__doc__.splitlines()[0], argv), run, table)


if __name__ == "__main__":
    main()

"""Benchmark GP-NeRF DDP training throughput: one process per GPU, each training on its own random episode.

    # world size 1 and 2 on one host, then the scaling between them
    PYTHONPATH=src torchrun --standalone --nproc-per-node 1 benchmarks/bench_ddp.py --preset paper-scannet \\
        --implementation fast --precision bf16 --json ddp_w1.json
    PYTHONPATH=src torchrun --standalone --nproc-per-node 2 benchmarks/bench_ddp.py --preset paper-scannet \\
        --implementation fast --precision bf16 --json ddp_w2.json
    PYTHONPATH=src python benchmarks/bench_ddp.py --compare ddp_w1.json ddp_w2.json
    PYTHONPATH=src python benchmarks/bench_ddp.py --smoke       # world size 1, tiny, CPU (CI)
    PYTHONPATH=src torchrun --standalone --nproc-per-node 2 benchmarks/bench_ddp.py --smoke   # 2 gloo ranks

Without torchrun the script runs as world size 1. Process groups come from
``gpnerf.engine.distributed`` as in the trainer (nccl on CUDA, gloo on CPU); the model is wrapped by
its ``wrap_model``, so a world of 1 trains without DDP, exactly like the trainer's single-GPU runs.

Each rank builds the same model (seeded), an Adam optimizer and its own random episode (seed
``--seed`` + rank, ``--rays`` rays per step, bench_model's inputs). A step is forward,
``compute_losses``, backward (DDP all-reduces the gradients), Adam step. After ``--warmup`` untimed
steps, ``--repeats`` steps run back to back between two barriers (after a CUDA synchronize) and the
host clock over that window gives steps/s and total rays/s (``rays x world / step``). Per-step times
come from CUDA events between consecutive steps (host clock on CPU), with no synchronize inside the
window; their median on rank 0 is reported too. Peak memory is rank 0's
``torch.cuda.max_memory_allocated`` over the timed steps.

Rank 0 prints a one-row table; ``--json`` writes the record (first as "unfinished", so a job killed
by a time limit still leaves a file). A failure on any rank (OOM, ...) is caught and recorded as
``error``; the exit code stays 0. A failure on one rank alone, in the middle of a collective, can
still hang the others: run suites under ``timeout``. ``--compare A.json B.json`` prints the scaling
``rays_per_s_total(B) / rays_per_s_total(A)`` and efficiency ``scaling / (world_B / world_A)``.
No tyro: argparse only.
"""

import argparse
import itertools
import json
import os
import shlex
import statistics
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

import torch
from torch.autograd import DeviceType
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_model import (  # noqa: E402
    add_model_arguments,
    apply_smoke,
    build_config,
    check_model_arguments,
    precision_context,
    random_episode,
    save,
)

from gpnerf.engine.distributed import (  # noqa: E402
    DistContext,
    all_gather_objects,
    barrier,
    init_distributed,
    shutdown_distributed,
    wrap_model,
)
from gpnerf.losses import compute_losses  # noqa: E402
from gpnerf.model import GPNeRF  # noqa: E402

COMPARED_SETTINGS = ("device_name", "preset", "implementation", "precision", "checkpoint", "rays_per_rank", "views",
                     "height", "width")
"""Record fields that should match between the two runs of ``--compare`` (a note is printed otherwise)."""


def synchronize(ctx: DistContext) -> None:
    """Wait for this rank's device work, then for every rank."""
    if ctx.device.type == "cuda":
        torch.cuda.synchronize(ctx.device)
    barrier(ctx)
    if ctx.device.type == "cuda":
        torch.cuda.synchronize(ctx.device)


def time_training(args: argparse.Namespace, ctx: DistContext) -> dict:
    """Build and train on ``ctx.device``: ``--warmup`` steps, then ``--repeats`` timed ones.

    The rank's episode holds ``(views, 3, H, W)`` source images, a ``(3, H, W)`` target image with
    ``(H, W)`` depth and labels, and ``(rays,)`` target pixel indices, all on ``ctx.device``.
    Returns this rank's ``window_s`` (host clock over all timed steps, between barriers), ``step_s``
    (one time per timed step) and ``peak_mem_gib`` (None on CPU).
    """
    device = ctx.device
    cuda = device.type == "cuda"
    torch.manual_seed(args.seed)  # the same initial weights on every rank (DDP broadcasts rank 0's anyway)
    config = build_config(args)
    model = wrap_model(GPNeRF(config, args.num_classes), ctx)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-5)
    episode = random_episode(args.views, args.height, args.width, args.rays, args.num_classes,
                             seed=args.seed + ctx.rank).to(device)

    def train_step() -> None:
        model.train()
        optimizer.zero_grad(set_to_none=True)
        with precision_context(args.precision, device):
            output = model(episode)
            total, _ = compute_losses(output, episode, config)
        total.backward()
        optimizer.step()

    for _ in range(args.warmup):
        train_step()
    synchronize(ctx)
    if cuda:
        torch.cuda.reset_peak_memory_stats(device)
    marks = [torch.cuda.Event(enable_timing=True) for _ in range(args.repeats + 1)] if cuda else []
    begin = time.perf_counter()
    clock = [begin]
    for step in range(args.repeats):
        if cuda:
            marks[step].record()
        train_step()
        if not cuda:
            clock.append(time.perf_counter())
    if cuda:
        marks[-1].record()
    synchronize(ctx)
    window = time.perf_counter() - begin
    if cuda:
        step_s = [start.elapsed_time(end) / 1000.0 for start, end in itertools.pairwise(marks)]
    else:
        step_s = [end - start for start, end in itertools.pairwise(clock)]
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if cuda else None
    result = {"window_s": window, "step_s": step_s, "peak_mem_gib": peak}
    if args.profile:
        try:  # a profiler failure must not cost the timing above
            profile_steps(train_step, ctx, Path(args.profile))
        except Exception as error:
            result["profile_error"] = f"{type(error).__name__}: {error}"
    return result


def profile_steps(train_step, ctx: DistContext, out: Path, steps: int = 3) -> None:
    """Profile ``steps`` more steps on every rank (after the timed window, so timing is unaffected); write
    ``out/ddp_w<world>_rank<r>_ops.txt``: the operators (NCCL kernels and DDP's reducer included) by self
    device time (self CPU time on CPU), and the step's kernel time against its host wall time."""
    cuda = ctx.device.type == "cuda"
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
    synchronize(ctx)
    begin = time.perf_counter()
    with profile(activities=activities) as prof:
        for _ in range(steps):
            train_step()
        synchronize(ctx)
    wall = (time.perf_counter() - begin) / steps
    averages = prof.key_averages()
    sort_by = "self_cpu_time_total"
    header = f"# rank {ctx.rank} of {ctx.world_size}, {steps} profiled steps; host wall {1e3 * wall:.1f} ms per step"
    if cuda:
        sort_by = "self_device_time_total" if hasattr(averages[0], "self_device_time_total") else "self_cuda_time_total"
        kernel_us = sum(getattr(e, sort_by, 0.0) for e in averages if e.device_type == DeviceType.CUDA)
        header += f", kernel time {kernel_us / 1e3 / steps:.1f} ms per step"
    out.mkdir(parents=True, exist_ok=True)
    table = averages.table(sort_by=sort_by, row_limit=40)
    (out / f"ddp_w{ctx.world_size}_rank{ctx.rank}_ops.txt").write_text(header + "\n" + table + "\n")


def launch_command() -> str:
    """The command line that started this job (torchrun's part reconstructed from its environment)."""
    script = shlex.join(sys.argv)
    if "LOCAL_WORLD_SIZE" not in os.environ:
        return f"python {script}"
    local = int(os.environ["LOCAL_WORLD_SIZE"])
    nodes = int(os.environ["WORLD_SIZE"]) // local
    return f"torchrun{f' --nnodes {nodes}' if nodes > 1 else ''} --nproc-per-node {local} {script}"


def run(args: argparse.Namespace) -> dict | None:
    """Set up the process group, time training on every rank; rank 0 returns (and saves) the record."""
    ctx = init_distributed(args.device)
    try:
        cuda = ctx.device.type == "cuda"
        record: dict = {
            "world_size": ctx.world_size, "ddp": ctx.is_distributed,
            "device_name": torch.cuda.get_device_name(ctx.device) if cuda else f"cpu x{torch.get_num_threads()}",
            "preset": args.preset, "implementation": args.implementation, "precision": args.precision,
            "checkpoint": args.checkpoint, "rays_per_rank": args.rays, "views": args.views,
            "height": args.height, "width": args.width, "warmup": args.warmup, "repeats": args.repeats,
            "torch_version": torch.__version__,
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": launch_command(),
        }
        if ctx.is_main:
            save({**record, "error": "unfinished: killed, hung or crashed before the end (see the log)"}, args.json)
        try:
            result = time_training(args, ctx)
        except Exception as error:  # recorded; every rank still reaches the gather below
            result = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc(limit=3)}
        finally:
            if ctx.device.type == "cuda":
                torch.cuda.empty_cache()
        results = all_gather_objects(result, ctx)
        if ctx.is_main:
            summarize(record, results, args)
            save(record, args.json)
            print(format_table(record))
        if ctx.is_distributed:
            # Gloo's worker thread frees the gather's tensors, which needs the GIL; if the interpreter is
            # already finalizing, the process aborts ("terminate called without an active exception", about
            # 1 run in 10 with 2 CPU ranks). Sleeping releases the GIL so that thread can finish first.
            time.sleep(0.1)
        return record if ctx.is_main else None
    finally:
        shutdown_distributed()


def summarize(record: dict, results: list[dict], args: argparse.Namespace) -> None:
    """Add to ``record`` the throughput of every rank's ``time_training`` result, or their errors."""
    failed = [(rank, result) for rank, result in enumerate(results) if "error" in result]
    if failed:
        record["error"] = "; ".join(f"rank {rank}: {result['error']}" for rank, result in failed)
        record["traceback"] = failed[0][1]["traceback"]
        return
    window = max(result["window_s"] for result in results)  # equal up to the barrier's skew
    steps_per_s = args.repeats / window
    record.update(
        window_s=window, step_s=results[0]["step_s"], step_s_median=statistics.median(results[0]["step_s"]),
        steps_per_s=steps_per_s, rays_per_s_total=steps_per_s * args.rays * len(results),
        peak_mem_gib=results[0]["peak_mem_gib"],
    )
    profile_errors = [
        f"rank {rank}: {result['profile_error']}" for rank, result in enumerate(results) if "profile_error" in result
    ]
    if profile_errors:
        record["profile_error"] = "; ".join(profile_errors)


def format_table(record: dict) -> str:
    """One markdown table row (with header) for a ``run`` record."""
    lines = [
        ("| world | device | preset | implementation | precision | rays/rank | step s (median) | steps/s "
         "| rays/s total | peak GiB | error |"),
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    head = (f"| {record['world_size']} | {record['device_name']} | {record['preset']} | {record['implementation']} "
            f"| {record['precision']}{' ckpt' if record['checkpoint'] else ''} | {record['rays_per_rank']} ")
    if "error" in record:
        lines.append(head + f"| - | - | - | - | {record['error'][:120]} |")
    else:
        peak = "-" if record["peak_mem_gib"] is None else f"{record['peak_mem_gib']:.2f}"
        lines.append(head + f"| {record['step_s_median']:.4f} | {record['steps_per_s']:.2f} "
                            f"| {record['rays_per_s_total']:.0f} | {peak} | |")
    return "\n".join(lines)


def compare(path_a: str, path_b: str) -> dict:
    """Scaling from run A to run B: ``rays_per_s_total`` ratio and its efficiency per added process."""
    a, b = (json.loads(Path(path).read_text()) for path in (path_a, path_b))
    for path, record in ((path_a, a), (path_b, b)):
        if "error" in record:
            raise SystemExit(f"{path} records a failed run; got error {record['error']!r}.")
    scaling = b["rays_per_s_total"] / a["rays_per_s_total"]
    efficiency = scaling / (b["world_size"] / a["world_size"])
    print("\n".join([format_table(a), *format_table(b).splitlines()[2:]]))
    differing = [key for key in COMPARED_SETTINGS if a.get(key) != b.get(key)]
    if differing:
        print(f"note: the runs differ in {', '.join(differing)}; the ratio mixes that change with the scaling.")
    print(f"scaling world {a['world_size']} -> {b['world_size']}: rays/s x{scaling:.3f}, efficiency {efficiency:.1%}")
    return {"a": path_a, "b": path_b, "world_a": a["world_size"], "world_b": b["world_size"],
            "scaling": scaling, "efficiency": efficiency}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_arguments(parser, rays_help="training rays per step and rank",
                        device_help="cuda: one GPU per rank (cuda:LOCAL_RANK), nccl; cpu: gloo")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0, help="weights seed; rank r's episode uses seed + r")
    parser.add_argument("--json", default=None, help="write the record (rank 0) or the comparison to this path")
    parser.add_argument("--compare", nargs=2, metavar=("A.json", "B.json"), default=None,
                        help="print the scaling from run A to run B (no training, no torchrun)")
    parser.add_argument("--profile", default=None, help="also profile 3 steps per rank after timing; tables in this folder")
    parser.add_argument("--smoke", action="store_true", help="tiny-cpu preset, 2 views 24x32, 8 rays, CPU (gloo)")
    args = parser.parse_args(argv)
    if args.smoke:
        apply_smoke(args)
        args.warmup, args.repeats = 1, 2
    if args.device not in ("cuda", "cpu"):
        raise SystemExit(f"--device must be cuda or cpu (each rank takes cuda:LOCAL_RANK); got {args.device}.")
    check_model_arguments(args, "repeats")
    if args.warmup < 0:
        raise SystemExit(f"--warmup must be >= 0; got {args.warmup}.")
    if args.compare and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise SystemExit("--compare reads two JSON files; run it with plain python, not under torchrun.")
    return args


def main(argv: list[str] | None = None) -> dict | None:
    """Run the benchmark (the record on rank 0, None on other ranks) or, with ``--compare``, the comparison."""
    args = parse_args(argv)
    if args.compare:
        comparison = compare(*args.compare)
        save(comparison, args.json)
        return comparison
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    return run(args)


if __name__ == "__main__":
    main()

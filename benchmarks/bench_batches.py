"""Benchmark the host's share of a GP-NeRF training step: building a batch and copying it to the device.

    PYTHONPATH=src python benchmarks/bench_batches.py --root data/builtin --cache off      # frames decoded per step
    PYTHONPATH=src python benchmarks/bench_batches.py --root data/builtin --device cuda   # + pinned copy
    PYTHONPATH=src python benchmarks/bench_batches.py --smoke     # tiny generated data, CPU (CI)

This is the work ``trainer.prefetch_batches`` moves off the step's critical path (:mod:`gpnerf.engine.prefetch`):
in the reference order the device idles while the host does it. For ``--steps`` training steps after ``--warmup``
(the first reads fill the frame cache when ``--cache on``): ``GPNeRFTask.build_host_batch`` (draw the episode, decode
its frames, stack the sources) on the host clock, then on CUDA ``batch_to_device`` (pin, non-blocking copy) as the
host call's time and the time until the copy has finished. Medians in milliseconds, one line. No tyro: argparse.
"""

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch

from gpnerf.experiment import EXPERIMENT_PRESETS
from gpnerf.runs import build_data
from gpnerf.task import GPNeRFTask


def median_ms(times: list[float]) -> float:
    return 1e3 * statistics.median(times)


def measure(task: GPNeRFTask, steps: int, warmup: int) -> dict[str, float]:
    """Median host times of ``steps`` batches (after ``warmup``): build, the copy's call, the copy's completion."""
    cuda = task.device.type == "cuda"
    build, call, done = [], [], []
    generator = torch.Generator()
    for step in range(warmup + steps):
        begin = time.perf_counter()
        host = task.build_host_batch(step, generator)
        built = time.perf_counter()
        task.batch_to_device(host)
        called = time.perf_counter()
        if cuda:
            torch.cuda.synchronize()
        if step >= warmup:
            build.append(built - begin)
            call.append(called - built)
            done.append(time.perf_counter() - built)
    return {"build_ms": median_ms(build), "copy_call_ms": median_ms(call), "copy_done_ms": median_ms(done)}


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default="paper-builtin", help="experiment preset whose data settings apply")
    parser.add_argument("--root", type=Path, default=None, help="dataset root (default: the preset's)")
    parser.add_argument("--cache", choices=["on", "off"], default=None, help="keep decoded frames (default: preset's)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="tiny generated data (2 rooms of 24 views, 24x32), 2 steps")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        if args.smoke:
            from gpnerf.commands.synth import Synth

            args.root = Path(scratch) / "synth"
            Synth(out=args.root, scenes=2, views=24, height=24, width=32).run()
            args.steps, args.warmup = 2, 1
        config = EXPERIMENT_PRESETS[args.experiment]
        data_config = config.data if args.root is None else replace(config.data, root=args.root)
        if args.cache is not None:
            data_config = replace(data_config, cache_frames=args.cache == "on")
        config = replace(config, data=data_config)
        data = build_data(config, 0)
        task = GPNeRFTask(config, data.train_set, None, data.label_space, torch.device(args.device))
        result = measure(task, args.steps, args.warmup)
        episode = data.train_set.training_episode(0)
    line = (
        f"{args.experiment} {data_config.root} cache={'on' if data_config.cache_frames else 'off'} {args.device}: "
        f"{episode.source_images.shape[0]} sources {episode.height}x{episode.width}, median of {args.steps}: "
        f"build {result['build_ms']:.1f} ms, copy call {result['copy_call_ms']:.2f} ms, "
        f"copy done {result['copy_done_ms']:.2f} ms"
    )
    print(line)
    return line


if __name__ == "__main__":
    main()

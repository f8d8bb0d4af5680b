"""Benchmark the GP-NeRF model: one training step and one full-frame render, timed on one device.

    PYTHONPATH=src python benchmarks/bench_model.py --device cuda --preset paper-scannet \\
        --implementation fast --precision bf16 --json out.json
    PYTHONPATH=src python benchmarks/bench_model.py --smoke      # tiny, CPU, 1 repeat (CI)

* **train**: encode the sources + target, render ``--rays`` rays (coarse + fine), head, all losses
  of the preset (``compute_losses``), backward, Adam step. ``--trainer-step`` adds what the trainer does
  besides (``gpnerf.engine``): the guarded update (``gpnerf.engine.update.guarded_update``: the non-finite
  guard over the loss terms and all gradients, fused Adam launched before the host reads the verdict unless
  ``--overlap-optimizer off``) and the engine's Adam choice (``OptimConfig.fused``: fused on CUDA); without it
  the step is the one of the earlier figures (PyTorch's default Adam, no guard). ``--cuda-graph`` replays
  forward, losses and backward as one CUDA graph (``gpnerf.cuda_graphs``, the trainer's
  ``trainer.cuda_graph``); the capture happens in the first warm-up run.
* **render**: ``model.render_image(episode, --chunk)`` (RGB, depth, rendered features, head
  logits), no grad, deterministic, outputs kept on the device. ``--cuda-graph`` replays each chunk from a CUDA
  graph (``render_image(cuda_graph=True)``, ``eval.cuda_graph``), captured in the first warm-up render.

Inputs are random (images, labels, depth) with look-at cameras, like the released-code measurement
(shared/reference/released-code.md Sec. 8). Each measurement: ``--warmup`` untimed runs, then the
median of ``--repeats`` runs timed with CUDA events (host clock on CPU; on CUDA the record's ``host_median_s`` is
the median time each call kept the host, its launches: for a graphed frame the graph's submission). Peak memory is
``torch.cuda.max_memory_allocated`` over the timed runs, and beside it ``max_memory_reserved``: a CUDA
graph's activations live in its private pool, which counts as reserved, not allocated, between replays. Achieved TFLOP/s divide the *reference*
model's matmul/conv FLOPs (``gpnerf.model.flops``; forward x 3 for a training step) by the time, so
fast paths are credited with the same useful work. Prints one table; ``--json`` writes the record.
Failures (OOM, compile errors) are caught and recorded per measurement; the exit code stays 0.
No tyro: argparse only.
"""

import argparse
import ast
import json
import logging
import os
import statistics
import sys
import time
import traceback
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import torch
import torch._inductor.config as inductor_config

try:  # the other benchmark scripts import this module first and rely on this fallback too
    import gpnerf  # noqa: F401
except ImportError:  # run from a checkout without PYTHONPATH=src
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gpnerf.cuda_graphs import GraphedTrainingStep  # noqa: E402
from gpnerf.engine.trainer import ensure_train_mode  # noqa: E402
from gpnerf.engine.update import guarded_update, overlap_supported  # noqa: E402
from gpnerf.engine.optim import LearningRates, OptimConfig, build_optimizer  # noqa: E402
from gpnerf.episode import Episode  # noqa: E402
from gpnerf.geometry import Cameras, intrinsics_from_fov  # noqa: E402
from gpnerf.losses import compile_losses, compute_losses  # noqa: E402
from gpnerf.model import GPNeRF, PRESETS, ModelConfig, compile_transformer_blocks  # noqa: E402
from gpnerf.model.flops import count_flops  # noqa: E402
from gpnerf.model import fused_embedding, fused_feed_forward, fused_field_attention, fused_ray_attention  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: timing_barrier
from timing_barrier import TimingBarrier  # noqa: E402

RELEASED_PER_RAY_FLOPS = 441e6
"""Forward FLOPs per rendered ray (48 + 64 samples) of the released code (released-code.md Sec. 7)."""
RELEASED_FRAME_FLOPS = 34e12
"""Forward FLOPs of a full 320x240 frame at stride 1 (released-code.md Sec. 7)."""


def look_at_cameras(count: int, height: int, width: int, radius: float = 2.0, hfov_deg: float = 70.0) -> Cameras:
    """``count`` cameras on a horizontal arc of ``radius`` metres around the origin, all looking at
    it (OpenCV axes, world up +z)."""
    angles = torch.linspace(-0.6, 0.6, count)
    eye = torch.stack([radius * torch.sin(angles), -radius * torch.cos(angles), 0.3 * torch.ones(count)], dim=-1)
    forward = torch.nn.functional.normalize(-eye, dim=-1)
    up = torch.tensor([0.0, 0.0, 1.0]).expand(count, 3)
    right = torch.nn.functional.normalize(torch.cross(forward, up, dim=-1), dim=-1)
    down = torch.cross(forward, right, dim=-1)
    poses = torch.eye(4).repeat(count, 1, 1)
    poses[:, :3, 0], poses[:, :3, 1], poses[:, :3, 2], poses[:, :3, 3] = right, down, forward, eye
    K = intrinsics_from_fov(width, height, hfov_deg)[None].repeat(count, 1, 1)
    return Cameras(K, poses, height, width)


def random_episode(views: int, height: int, width: int, rays: int | None, num_classes: int, seed: int = 0) -> Episode:
    """Random images / labels / depth, ``views`` sources + 1 target on a look-at arc (target in the middle)."""
    gen = torch.Generator().manual_seed(seed)
    cams = look_at_cameras(views + 1, height, width)
    target = views // 2
    sources = [i for i in range(views + 1) if i != target]
    ray_indices = None if rays is None else torch.randperm(height * width, generator=gen)[:rays]
    return Episode(
        source_images=torch.rand(views, 3, height, width, generator=gen),
        source_cameras=cams[sources],
        target_camera=cams[target],
        near=0.5,
        far=4.0,
        target_image=torch.rand(3, height, width, generator=gen),
        target_depth=torch.rand(height, width, generator=gen) * 2.0 + 1.0,
        target_semantic=torch.randint(0, num_classes + 1, (height, width), generator=gen),
        ray_indices=ray_indices,
    )


class Timer:
    """Times a callable: warm-up, then ``repeats`` timed runs (CUDA events or host clock).

    ``barrier``: the timed runs wait for the other processes of a :class:`TimingBarrier` and run alone; what the
    wait was is in :attr:`last_turn` (``{}`` without a barrier). On CUDA :attr:`last_host_times` holds how long each
    timed call kept the host (its launches: a graphed frame's ``cudaGraphLaunch``), the GPU time's share the host may
    hold up when the GPU catches up with the submission.
    """

    def __init__(self, device: torch.device, barrier: TimingBarrier | None = None) -> None:
        self.cuda = device.type == "cuda"
        self.barrier = barrier
        self.last_turn: dict = {}
        self.last_host_times: list[float] = []

    def __call__(self, fn, warmup: int, repeats: int, name: str = "run") -> list[float]:
        for _ in range(warmup):
            fn()
        if self.cuda:
            torch.cuda.synchronize()
        turn = nullcontext({}) if self.barrier is None else self.barrier.turn(name)
        with turn as self.last_turn:
            if self.cuda:
                torch.cuda.reset_peak_memory_stats()
            times, self.last_host_times = [], []
            for _ in range(repeats):
                if self.cuda:
                    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                    start.record()
                    begin = time.perf_counter()
                    fn()
                    self.last_host_times.append(time.perf_counter() - begin)
                    end.record()
                    torch.cuda.synchronize()
                    times.append(start.elapsed_time(end) / 1000.0)
                else:
                    begin = time.perf_counter()
                    fn()
                    times.append(time.perf_counter() - begin)
        return times


def precision_context(precision: str, device: torch.device):
    """bf16 autocast for ``bf16``; nothing for ``fp32`` / ``tf32`` (TF32 is a global flag)."""
    if device.type == "cuda":
        tf32 = precision in ("tf32", "bf16")
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return nullcontext()


def make_optimizer(model: torch.nn.Module, trainer_step: bool) -> torch.optim.Adam:
    """Adam at lr 1e-5 over all parameters: the engine's choice (``OptimConfig.fused=None``: fused on CUDA) for
    ``--trainer-step``, else PyTorch's default Adam (the earlier figures)."""
    config = OptimConfig(lr=LearningRates(transformer=1e-5), fused=None if trainer_step else False)
    return build_optimizer(model, {"transformer": list(model.parameters())}, config)


def build_config(args: argparse.Namespace) -> ModelConfig:
    return replace(PRESETS[args.preset], implementation=args.implementation, activation_checkpointing=args.checkpoint,
                   fused_kernels=args.fused_kernels == "on", float32_kernels=args.float32_kernels == "on",
                   shared_casts=args.shared_casts == "on",
                   redraw_dropout_masks=args.redraw_dropout_masks == "on")


class AutotuningLog(logging.Handler):
    """inductor's autotuning on a kernel's first launch, as its debug log tells it: for each kernel with several launch
    configurations (gpnerf's Triton kernels inside compiled code among them) every configuration's time and the one
    kept. While a measurement runs the lines are collected here (and not printed)."""

    LOGGER = "torch._inductor.runtime.triton_heuristics"
    KEPT = ("Benchmark all input configs for", "Best config for")

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith(self.KEPT) or ", nreg " in message:  # the per-configuration lines say "nreg"
            self.lines.append(message)

    def __enter__(self) -> "AutotuningLog":
        logger = logging.getLogger(self.LOGGER)
        self.level, self.propagate = logger.level, logger.propagate
        logger.setLevel(logging.DEBUG)
        logger.propagate = False  # torch's own handlers would print every debug line
        logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logger = logging.getLogger(self.LOGGER)
        logger.removeHandler(self)
        logger.setLevel(self.level)
        logger.propagate = self.propagate


def measure(name: str, fn, timer: Timer, args: argparse.Namespace, device: torch.device, flops: float) -> dict:
    """Run one measurement, catching failures into the record; ``autotuning``: the choices inductor made on the
    kernels' first launches during it (:class:`AutotuningLog`)."""
    record: dict = {"name": name}
    snapshot = args.memory_snapshot and device.type == "cuda"
    with AutotuningLog() as autotuning:
        try:
            if snapshot:  # every allocation from here on, with its Python frames (benchmarks/memory_peak.py reads it)
                torch.cuda.memory._record_memory_history(max_entries=2_000_000)
            times = timer(fn, args.warmup, args.repeats, name)
            median = statistics.median(times)
            if timer.last_turn:
                record["timing_barrier"] = timer.last_turn
            if timer.last_host_times:  # the host's share of each timed call (Timer)
                record["host_median_s"] = statistics.median(timer.last_host_times)
            record.update(
                median_s=median, times_s=times, flops=flops, tflops_per_s=flops / median / 1e12,
                peak_mem_gib=torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else None,
                peak_reserved_gib=torch.cuda.max_memory_reserved() / 2**30 if device.type == "cuda" else None,
            )
        except Exception as error:  # recorded, the next measurement still runs
            record.update(error=f"{type(error).__name__}: {error}", traceback=traceback.format_exc(limit=3))
        finally:
            if snapshot:
                torch.cuda.memory._dump_snapshot(f"{args.memory_snapshot}.{name}.pickle")
                torch.cuda.memory._record_memory_history(enabled=None)
            if device.type == "cuda":
                torch.cuda.empty_cache()
    record["autotuning"] = autotuning.lines
    return record


def time_variants(timer: Timer, variants: dict, warmup: int, repeats: int) -> list[dict]:
    """Each of ``variants`` (name: a callable returning its output tensor) timed without autograd, and its output's
    largest difference to the first variant's relative to that output's largest magnitude. Rows ``{"variant",
    "median_s", "times_s", "max_relative_difference"}``."""
    rows, first = [], None
    for name, fn in variants.items():
        with torch.no_grad():
            times = timer(fn, warmup, repeats)
            out = fn().float()
        first = out if first is None else first
        difference = float((out - first).abs().max() / first.abs().max())
        rows.append({"variant": name, "median_s": statistics.median(times), "times_s": times,
                     "max_relative_difference": difference})
    return rows


def time_launches(timer: Timer, launches: list[tuple], launcher, warmup: int, repeats: int) -> list[dict]:
    """A kernel timed in each launch configuration: ``launcher(*launch)`` returns the callable that launches it so.
    Rows ``{"launch", "median_s"}``, or ``{"launch", "error"}`` where it does not compile or launch (out of registers or
    shared memory: recorded, the sweep goes on)."""
    rows = []
    for launch in launches:
        try:
            times = timer(launcher(*launch), warmup + 1, repeats)  # the first run compiles
        except Exception as error:  # noqa: BLE001
            rows.append({"launch": tuple(launch), "error": str(error).splitlines()[0]})
            continue
        rows.append({"launch": tuple(launch), "median_s": statistics.median(times)})
    return rows


def launch_table(rows: list[dict], columns: list[str], time_column: str) -> list[str]:
    """:func:`time_launches`' rows as markdown lines, fastest first, under ``columns`` (one per launch part)."""
    lines = ["| " + " | ".join([*columns, time_column]) + " |", "|" + "---|" * (len(columns) + 1)]
    for row in sorted(rows, key=lambda row: row.get("median_s", float("inf"))):
        cell = f"{1e3 * row['median_s']:.3f}" if "median_s" in row else row["error"]
        lines.append("| " + " | ".join(str(part) for part in row["launch"]) + f" | {cell} |")
    return lines


def replace_counts(args: argparse.Namespace, warmup: int | None, repeats: int | None) -> argparse.Namespace:
    """A copy of ``args`` with the warm-up / repeat counts overridden where given."""
    copy = argparse.Namespace(**vars(args))
    copy.warmup = args.warmup if warmup is None else warmup
    copy.repeats = args.repeats if repeats is None else repeats
    return copy


def run(args: argparse.Namespace) -> dict:
    """Build the model and episodes, time the selected measurements, return the JSON record."""
    device = torch.device(args.device)
    torch.manual_seed(0)
    torch.backends.cudnn.benchmark = args.cudnn_benchmark == "on"
    for name, value in args.inductor_config.items():
        setattr(inductor_config, name, value)
    config = build_config(args)
    reference_flops = count_flops(
        replace(config, implementation="reference"), args.num_classes, args.views, args.height, args.width
    )
    train_flops = 3.0 * (args.rays * reference_flops.per_ray + (args.views + 1) * reference_flops.encoder_per_view
                         + reference_flops.head_per_image)
    model = GPNeRF(config, args.num_classes).to(device)
    if args.fused_ray_attention == "off":  # the RAT blocks' PyTorch attention, the other kernels kept
        for block in model.transformer.ray_blocks:
            block.fused_inference = False
    if args.fused_block_tail == "off":  # the blocks' PyTorch tails (out_fc, norm, feed-forward), the other kernels kept
        for block in [*model.transformer.field_blocks, *model.transformer.ray_blocks]:
            block.fused_tail = False
    if args.fused_embedding == "off":  # the PyTorch input embedding (rgbfeat_fc, max over views), the other kernels kept
        model.transformer.embedding_kernel = False
    if args.compile == "transformer":  # 8 unrolled layers x 2 sample counts x train/eval: a large recompile cache
        torch._dynamo.config.cache_size_limit = max(torch._dynamo.config.cache_size_limit, 64)
        model.transformer.compile()
    elif args.compile == "blocks":
        compile_transformer_blocks(
            model, glue=args.compile_glue == "on", encoder=args.compile_encoder == "on",
            field_memory_budget=args.field_memory_budget, gemm_autotune=args.compile_gemm_autotune == "on",
            channels_last_convolutions=args.channels_last_convolutions == "on",
            mode=args.compile_mode,
        )
    compiling_losses = args.compile == "blocks" and args.compile_losses == "on"
    losses = compile_losses(mode=args.compile_mode) if compiling_losses else compute_losses
    optimizer = make_optimizer(model, args.trainer_step)
    train_episode = random_episode(args.views, args.height, args.width, args.rays, args.num_classes).to(device)
    render_episode = replace(train_episode, ray_indices=None)
    barrier = None if args.timing_barrier is None else TimingBarrier(
        args.timing_barrier, args.timing_parties, args.timing_barrier_timeout)
    timer = Timer(device, barrier)
    autocast = lambda: precision_context(args.precision, device)  # noqa: E731  (fresh context per use)

    def forward(episode: Episode) -> tuple[torch.Tensor, dict]:
        with autocast():
            return losses(model(episode), episode, config)

    graphed = GraphedTrainingStep(forward, model) if args.cuda_graph else None
    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    overlap = args.trainer_step and args.overlap_optimizer == "on" and overlap_supported(optimizer, 1)

    def train_step() -> None:
        ensure_train_mode(model)
        optimizer.zero_grad(set_to_none=True)
        if graphed is None:
            total, terms = forward(train_episode)
            total.backward()
        else:
            total, terms = graphed(train_episode)
        if args.trainer_step:  # the trainer's guarded update (no clipping: the presets set none)
            guarded_update(optimizer, total, terms, trainable, None, lambda bad: bad, overlap)
        else:
            optimizer.step()

    def render() -> None:
        with autocast():
            model.render_image(render_episode, chunk_rays=args.chunk, cuda_graph=args.cuda_graph)

    compiled = (" trainer-step" if args.trainer_step else "") + (" cuda-graph" if args.cuda_graph else "")
    compiled += " no-overlap-optimizer" if args.trainer_step and not overlap else ""
    compiled += " no-fused-kernels" if args.fused_kernels == "off" and args.implementation == "fast" else ""
    compiled += " no-fused-rat" if args.fused_ray_attention == "off" and args.fused_kernels == "on" else ""
    compiled += " no-fused-tail" if args.fused_block_tail == "off" and args.fused_kernels == "on" else ""
    compiled += " no-fused-embedding" if args.fused_embedding == "off" and args.fused_kernels == "on" else ""
    compiled += " float32-kernels" if args.float32_kernels == "on" and args.fused_kernels == "on" else ""
    compiled += " no-shared-casts" if args.shared_casts == "off" and args.implementation == "fast" else ""
    compiled += " kept-dropout-masks" if args.redraw_dropout_masks == "off" and args.implementation == "fast" else ""
    compiled += " cudnn-benchmark" if args.cudnn_benchmark == "on" else ""
    compiled += "" if args.compile == "none" else f" compile-{args.compile}"
    compiled += " no-glue" if args.compile == "blocks" and args.compile_glue == "off" else ""
    compiled += " no-encoder" if args.compile == "blocks" and args.compile_encoder == "off" else ""
    compiled += " nchw-convolutions" if args.compile == "blocks" and args.channels_last_convolutions == "off" else ""
    compiled += " eager-losses" if args.compile == "blocks" and args.compile_losses == "off" else ""
    if args.compile_mode is not None:
        compiled += f" {args.compile_mode}"
    compiled += " gemm-autotune" if args.compile == "blocks" and args.compile_gemm_autotune == "on" else ""
    compiled += "".join(f" {name}={value!r}" for name, value in args.inductor_config.items())
    if args.compile == "blocks" and args.field_memory_budget != 1.0:
        compiled += f" field-memory-budget-{args.field_memory_budget:g}"
    record = {
        "label": args.label or f"{args.preset} {args.implementation} {args.precision}{compiled}",
        "preset": args.preset, "implementation": args.implementation, "precision": args.precision,
        "compile": args.compile, "compile_glue": args.compile == "blocks" and args.compile_glue == "on",
        "compile_encoder": args.compile == "blocks" and args.compile_encoder == "on",
        "channels_last_convolutions": args.compile == "blocks" and args.channels_last_convolutions == "on",
        "compile_losses": losses is not compute_losses,
        "compile_mode": args.compile_mode, "trainer_step": args.trainer_step,
        "field_memory_budget": args.field_memory_budget if args.compile == "blocks" else None,
        "compile_gemm_autotune": args.compile == "blocks" and args.compile_gemm_autotune == "on",
        "cuda_graph": args.cuda_graph, "fused_kernels": config.fused_kernels,
        "float32_kernels": config.float32_kernels,
        "redraw_dropout_masks": config.redraw_dropout_masks, "overlap_optimizer": overlap,
        "cudnn_benchmark": torch.backends.cudnn.benchmark, "inductor_config": args.inductor_config,
        "inductor_cache_dir": os.environ.get("TORCHINDUCTOR_CACHE_DIR"),  # inductor sets it once it has used its cache
        "fused_ray_attention": any(block.fused_inference for block in model.transformer.ray_blocks),
        "fused_block_tail": any(block.fused_tail for block in [*model.transformer.field_blocks, *model.transformer.ray_blocks]),
        "fused_embedding": model.transformer.embedding_kernel, "shared_casts": config.shared_casts,
        "device": device.type,
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu x{torch.get_num_threads()}",
        "torch": torch.__version__, "views": args.views, "height": args.height, "width": args.width,
        "rays": args.rays, "chunk": args.chunk, "warmup": args.warmup, "repeats": args.repeats,
        "render_warmup": args.render_warmup, "render_repeats": args.render_repeats,
        "samples": [config.sampling.num_coarse, config.sampling.num_importance],
        "reference_flops": {
            "per_ray": reference_flops.per_ray, "encoder_per_view": reference_flops.encoder_per_view,
            "head_per_image": reference_flops.head_per_image, "per_image": reference_flops.per_image,
        },
        "released_floor": {"per_ray": RELEASED_PER_RAY_FLOPS, "per_frame": RELEASED_FRAME_FLOPS},
        "results": [],
    }
    if args.what in ("train", "both"):
        record["results"].append(measure("train", train_step, timer, args, device, train_flops))
        save(record, args.json)  # partial results survive a later crash or time limit
    if args.what in ("render", "both"):
        render_args = replace_counts(args, args.render_warmup, args.render_repeats)
        record["results"].append(measure("render", render, timer, render_args, device, reference_flops.per_image))
        record["fused_launch"] = {  # the autotuners' choices (None: the kernel did not run)
            "field_attention": fused_field_attention.tuned_launch(), "ray_attention": fused_ray_attention.tuned_launch(),
            "block_tail": fused_feed_forward.tuned_launch(), "embedding": fused_embedding.tuned_launch(),
        }
        save(record, args.json)
    return record


def save(record: dict, path: str | None) -> None:
    """Write ``record`` as JSON to ``path`` (if given)."""
    if path:
        with open(path, "w") as handle:
            json.dump(record, handle, indent=1)


def run_script(args: argparse.Namespace, run, table) -> dict:
    """The ``main`` of the small benchmark scripts: set ``--threads``, ``record = run(args)``, print
    ``table(record)``, write ``--json``; returns the record."""
    if args.threads:
        torch.set_num_threads(args.threads)
    record = run(args)
    print(table(record))
    save(record, args.json)
    return record


def format_table(records: list[dict]) -> str:
    """One markdown table: a row per (configuration, measurement)."""
    lines = [
        "| configuration | device | measurement | median s | peak GiB alloc / reserved | TFLOP/s (model FLOPs) | TFLOP/s vs released floor | error |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for record in records:
        for result in record["results"]:
            if "error" in result:
                lines.append(f"| {record['label']} | {record['device_name']} | {result['name']} | - | - | - | - | {result['error'][:80]} |")
                continue
            floor = _released_floor(record, result["name"])
            peak = format_peak(result)
            floor_rate = "-" if floor is None else f"{floor / result['median_s'] / 1e12:.1f}"
            lines.append(
                f"| {record['label']} | {record['device_name']} | {result['name']} | {result['median_s']:.4f} | {peak} "
                f"| {result['tflops_per_s']:.2f} | {floor_rate} | |"
            )
    return "\n".join(lines)


def format_peak(result: dict) -> str:
    """``allocated / reserved`` peak GiB of one measurement, ``-`` off CUDA (records before the reserved figure
    show the allocated one alone)."""
    if result.get("peak_mem_gib") is None:
        return "-"
    reserved = result.get("peak_reserved_gib")
    return f"{result['peak_mem_gib']:.2f}" + ("" if reserved is None else f" / {reserved:.2f}")


def _released_floor(record: dict, name: str) -> float | None:
    """FLOPs of the released-code.md Sec. 7 estimate for this measurement (441 MFLOP/ray x rays, x 3
    for training rays; 34 TFLOP per 320x240 frame scaled by pixels), ray work only."""
    pixels = record["height"] * record["width"]
    if name == "train":
        return 3.0 * record["rays"] * RELEASED_PER_RAY_FLOPS
    return RELEASED_FRAME_FLOPS * pixels / (320 * 240)


def add_model_arguments(parser: argparse.ArgumentParser, rays_help: str = "training rays per step",
                        device_help: str = "cpu, cuda or cuda:N") -> None:
    """The model and input options shared by bench_model.py, bench_ddp.py and profile_model.py."""
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu", help=device_help)
    parser.add_argument("--preset", default="paper-scannet", choices=sorted(PRESETS))
    parser.add_argument("--implementation", default="reference", choices=["reference", "fast"])
    parser.add_argument("--precision", default="fp32", choices=["fp32", "tf32", "bf16"])
    parser.add_argument("--checkpoint", action="store_true", help="ModelConfig.activation_checkpointing (training memory)")
    parser.add_argument("--fused-kernels", default="on", choices=["on", "off"],
                        help="ModelConfig.fused_kernels (fast path, inference on CUDA with Triton)")
    parser.add_argument("--float32-kernels", default="off", choices=["on", "off"],
                        help="ModelConfig.float32_kernels: on, float32 passes (no bf16) take the kernels with products "
                             "too")
    parser.add_argument("--redraw-dropout-masks", default="on", choices=["on", "off"],
                        help="ModelConfig.redraw_dropout_masks (fast path, training): off keeps the keep masks from "
                             "the forward to the backward instead of drawing them again")
    parser.add_argument("--shared-casts", default="on", choices=["on", "off"],
                        help="ModelConfig.shared_casts (fast path, training under autocast): off casts the Linear "
                             "weights inside every block")
    parser.add_argument("--rays", type=int, default=512, help=rays_help)
    parser.add_argument("--views", type=int, default=10, help="source views")
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--num-classes", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")


def add_kernel_timing_arguments(parser: argparse.ArgumentParser, warmup: int, repeats: int, launch_parts: str) -> None:
    """The timing, output and launch-sweep options shared by the kernel scripts (bench_fat_block.py,
    bench_contraction.py, bench_block_tail.py); ``launch_parts`` names what an ``--extra-launches`` entry lists."""
    parser.add_argument("--warmup", type=int, default=warmup)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--json", default=None, help="write the record to this path")
    parser.add_argument("--sweep-launches", action="store_true", help="time the kernel alone in each launch shape")
    parser.add_argument("--extra-launches", nargs="*", default=[], help=f"--sweep-launches: more {launch_parts}")


def apply_smoke(args: argparse.Namespace) -> None:
    """``--smoke``: tiny-cpu preset, 2 views at 24x32, 8 rays, 4 classes, on one CPU thread."""
    args.device, args.preset, args.views, args.height, args.width = "cpu", "tiny-cpu", 2, 24, 32
    args.rays, args.num_classes = 8, 4
    args.threads = args.threads or 1  # tiny ops: extra CPU threads only contend


def parse_cpu_analysis_args(description: str, argv: list[str] | None,
                            rays_help: str = "training rays per step") -> argparse.Namespace:
    """Arguments of the CPU analysis scripts (count_ops.py, gemm_shapes.py): the model options, ``--json`` and
    ``--smoke``; always fp32 on the CPU, without activation checkpointing."""
    parser = argparse.ArgumentParser(description=description)
    add_model_arguments(parser, rays_help=rays_help)
    parser.add_argument("--json", default=None, help="write the record to this path")
    parser.add_argument("--smoke", action="store_true", help="tiny-cpu preset, 2 views 24x32, 8 rays")
    args = parser.parse_args(argv)
    args.device, args.precision, args.checkpoint = "cpu", "fp32", False
    if args.smoke:
        apply_smoke(args)
    check_model_arguments(args)
    return args


def check_model_arguments(args: argparse.Namespace, *positive: str) -> None:
    """Exit with a clear message on non-positive sizes (the shared ones and ``positive``) or a missing GPU."""
    check_sizes(args, "rays", "views", "height", "width", "num_classes", *positive)


def check_sizes(args: argparse.Namespace, *positive: str) -> None:
    """Exit with a clear message where an argument of ``positive`` is below 1 or ``--device cuda`` has no GPU (every
    benchmark script's checks)."""
    for name in positive:
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name.replace('_', '-')} must be >= 1; got {getattr(args, name)}.")
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("--device cuda requested but torch.cuda.is_available() is False; use --device cpu.")


def inductor_settings(items: list[str]) -> dict:
    """``--inductor-config`` items (``NAME=VALUE``, VALUE a Python literal) as ``{NAME: value}``; exits with a clear
    message on a malformed item, a name torch._inductor.config lacks or a value that is no literal."""
    settings = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise SystemExit(f"--inductor-config takes NAME=VALUE; got {item!r}.")
        try:
            getattr(inductor_config, name)
        except AttributeError:
            raise SystemExit(f"--inductor-config {item!r}: torch._inductor.config has no setting {name!r}.") from None
        try:
            settings[name] = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            raise SystemExit(f"--inductor-config {item!r}: {text.strip()!r} is not a Python literal.") from None
    return settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_arguments(parser)
    parser.add_argument("--what", default="both", choices=["train", "render", "both"])
    parser.add_argument("--chunk", type=int, default=2400, help="rays per render chunk")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--render-warmup", type=int, default=None, help="render warm-up runs (default --warmup)")
    parser.add_argument("--render-repeats", type=int, default=None, help="timed renders (default --repeats)")
    parser.add_argument(
        "--compile", default="none", choices=["none", "blocks", "transformer"],
        help="torch.compile each FAT/RAT block (gpnerf.model.compile_transformer_blocks) or the whole stack",
    )
    parser.add_argument(
        "--compile-mode", default=None, choices=["default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs"],
        help="torch.compile mode for --compile blocks (reduce-overhead = CUDA graphs)",
    )
    parser.add_argument("--fused-ray-attention", default="on", choices=["on", "off"],
                        help="with --fused-kernels on: off keeps the RAT blocks' PyTorch attention (the other kernels run)")
    parser.add_argument("--fused-block-tail", default="on", choices=["on", "off"],
                        help="with --fused-kernels on: off keeps the blocks' PyTorch tails (out_fc, norm, feed-forward)")
    parser.add_argument("--fused-embedding", default="on", choices=["on", "off"],
                        help="with --fused-kernels on: off keeps the PyTorch input embedding (rgbfeat_fc, max over views)")
    parser.add_argument("--compile-glue", default="on", choices=["on", "off"],
                        help="--compile blocks: also compile the projection, embedding, query updates, read-out, head and "
                             "teacher sampling")
    parser.add_argument("--compile-losses", default="on", choices=["on", "off"],
                        help="--compile blocks: also compile the losses (gpnerf.losses.compile_losses, as the trainer does)")
    parser.add_argument("--compile-encoder", default="on", choices=["on", "off"],
                        help="--compile blocks: also compile the encoder")
    parser.add_argument("--channels-last-convolutions", default="on", choices=["on", "off"],
                        help="--compile blocks: inductor lays the encoder's and head's convolutions out channels-last "
                             "(compile_transformer_blocks(channels_last_convolutions=...)); off: its own heuristic")
    parser.add_argument("--memory-snapshot", default=None,
                        help="CUDA: record allocations of each measurement into PREFIX.<train|render>.pickle "
                             "(benchmarks/memory_peak.py sums what is alive at the peak)")
    parser.add_argument("--field-memory-budget", type=float, default=1.0,
                        help="--compile blocks: the FAT blocks' activation memory budget (compile_transformer_blocks)")
    parser.add_argument("--compile-gemm-autotune", default="off", choices=["on", "off"],
                        help="--compile blocks: inductor autotunes every compiled matrix product, convolutions left to "
                             "aten (compile_transformer_blocks(gemm_autotune=True); process-wide)")
    parser.add_argument("--inductor-config", action="append", default=[], metavar="NAME=VALUE",
                        help="set torch._inductor.config.NAME to the Python literal VALUE before compiling (repeatable), "
                             "e.g. autotune_local_cache=False (which is not part of inductor's cache key: a kernel's "
                             "launch chosen by the compiling process stays with the cached code)")
    parser.add_argument("--trainer-step", action="store_true",
                        help="train step as the trainer runs it: + non-finite guard, fused Adam on CUDA")
    parser.add_argument("--cuda-graph", action="store_true",
                        help="replay the train step (forward + losses + backward) and each render chunk from CUDA graphs")
    parser.add_argument("--overlap-optimizer", default="on", choices=["on", "off"],
                        help="--trainer-step: launch fused Adam before the guard's host check (trainer.overlap_optimizer; "
                        "applies with fused Adam, i.e. on CUDA)")
    parser.add_argument("--cudnn-benchmark", default="off", choices=["on", "off"],
                        help="torch.backends.cudnn.benchmark: on times cuDNN's algorithms for each convolution shape "
                             "on its first call and keeps the fastest")
    parser.add_argument("--timing-barrier", default=None, metavar="DIR",
                        help="time the repeats only once --timing-parties processes sharing DIR have warmed up, one "
                             "process at a time (benchmarks/timing_barrier.py): compile several rows at once, time "
                             "them alone")
    parser.add_argument("--timing-parties", type=int, default=1, help="processes sharing --timing-barrier")
    parser.add_argument("--timing-barrier-timeout", type=float, default=600.0,
                        help="seconds from the start after which a party stops waiting for the others and times "
                             "anyway (recorded in the result's timing_barrier)")
    parser.add_argument("--label", default="", help="row label (default: preset implementation precision)")
    parser.add_argument("--json", default=None, help="write the record to this path")
    parser.add_argument("--smoke", action="store_true", help="tiny-cpu preset, 2 views 24x32, 8 rays, CPU, 1 repeat")
    args = parser.parse_args(argv)
    if args.smoke:
        apply_smoke(args)
        args.chunk, args.warmup, args.repeats = 256, 0, 1
        args.render_warmup = args.render_repeats = None
    check_model_arguments(args, "chunk", "repeats", "timing_parties")
    args.inductor_config = inductor_settings(args.inductor_config)
    if args.cuda_graph and not args.device.startswith("cuda"):
        raise SystemExit("--cuda-graph needs --device cuda.")
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    record = run(args)
    print(format_table([record]))
    return record


if __name__ == "__main__":
    main()

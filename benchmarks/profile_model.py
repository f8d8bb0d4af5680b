"""Profile one GP-NeRF configuration with torch.profiler: where a training step and a full-frame render spend their time.

    PYTHONPATH=src python benchmarks/profile_model.py --device cuda --preset paper-scannet \\
        --implementation fast --precision bf16 --chunk 4800 --what both --out bench_out/profile
    PYTHONPATH=src python benchmarks/profile_model.py --smoke --out /tmp/prof   # tiny, CPU (CI)

The model, episode, precision and the two measurements are those of ``benchmarks/bench_model.py``
(imported from it): **train** = encode sources + target, ``--rays`` rays coarse + fine, head, all
losses, backward, Adam step; **render** = ``model.render_image(episode, --chunk)``. ``--warmup``
unprofiled runs (the last one inside the profiler's own warm-up phase), then ``--steps`` profiled
runs, each inside a ``train_step`` / ``render_frame`` range that ends with a device synchronise.

Named ranges are added *here only* (``src/`` is untouched): forward pre/post hooks on the modules
(``encoder`` and its parts, ``transformer`` and its ``rgbfeat_fc`` / ``field_block`` / ``q_fc`` /
``ray_block`` / ``semantic_adaptor``, ``head``) and wrappers around module-level functions looked up
at call time (``project_points``, ``sample_feature_maps``, ``ray_sampling`` in
``gpnerf.model.gpnerf``; ``fold_semantic_path``, ``aggregate_semantic_field``,
``render_semantic_points`` in ``gpnerf.model.transformer``), plus the phases of a training step
(``train.zero_grad/forward/losses/backward/optimizer``, or ``train.guarded_update`` (guard + Adam) with ``--trainer-step``). Backward is one range (``train.backward``);
its split shows in the op and kernel tables (``...Backward0`` ops). With ``--checkpoint`` the
recomputed layers appear as ranges under ``train.backward``. With ``--cuda-graph`` (CUDA) forward, losses and
backward replay from one graph (``train.graph_replay``) and render chunks from theirs, as ``bench_model.py
--cuda-graph`` times them; the replayed kernels hang on no host op, so neither the ranges nor the kernel table
count them: the ops table lists them, and ``--trace`` with ``benchmarks/trace_summary.py`` gives the device time,
busy share and idle gaps.

Range times: on CUDA, the summed duration of the device kernels (and copies) *launched* while the
range was open, on any host thread (backward runs on the autograd thread); on CPU, the range's wall
time. Kernels run asynchronously, so a range's host wall time (``host ms``) can be larger (launch
bound) or smaller than its kernel time. Outputs in ``--out``:

* ``<label>_<what>_ops.txt``: ``key_averages()`` table, sorted by self device time (CUDA) or self CPU time.
* ``<label>_<what>_ranges.txt``: the ranges, flat (by name, sorted by time) and as a tree, per
  profiled step, with calls, self time, share of the step and (CUDA) kernels launched.
* ``<label>_<what>_kernels.txt``: device kernels grouped by name, top 30 (CUDA; a note on CPU).
* ``<label>_<what>_trace.json.gz`` with ``--trace`` (chrome://tracing, Perfetto).

A summary (top 10 ops, the ranges) is printed. No tyro: argparse only.
"""

import argparse
import bisect
import functools
import gzip
import importlib
import os
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile, record_function

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: bench_model, which also finds src/

import bench_model  # noqa: E402  (benchmarks/bench_model.py)
from gpnerf.cuda_graphs import GraphedTrainingStep  # noqa: E402
from gpnerf.engine.trainer import ensure_train_mode  # noqa: E402
from gpnerf.engine.update import guarded_update, overlap_supported  # noqa: E402
from gpnerf.losses import compile_losses, compute_losses  # noqa: E402
from gpnerf.model import GPNeRF, compile_transformer_blocks  # noqa: E402

STEP_RANGES = {"train": "train_step", "render": "render_frame"}
TRAIN_PHASES = ("train.zero_grad", "train.forward", "train.losses", "train.backward", "train.guarded_update", "train.optimizer")
HOST_SYNCS = {"cudaStreamSynchronize", "cudaDeviceSynchronize", "cudaEventSynchronize"}
PATCHED_FUNCTIONS = (  # (module, attribute, range name): module-level names resolved at call time
    ("gpnerf.model.gpnerf", "sample_feature_maps", "sample_feature_maps"),
    ("gpnerf.model.gpnerf", "sample_feature_maps_fused", "sample_feature_maps"),
    ("gpnerf.model.gpnerf", "coarse_samples", "ray_sampling"),
    ("gpnerf.model.gpnerf", "importance_samples", "ray_sampling"),
    ("gpnerf.model.gpnerf", "merge_samples", "ray_sampling"),
    ("gpnerf.model.transformer", "aggregate_semantic_field", "aggregate_semantic_field"),
    ("gpnerf.model.transformer", "render_semantic_points", "render_semantic_points"),
)


# ----------------------------------------------------------------------------- instrumentation

class Instrumentation:
    """Adds ``record_function`` ranges around module forwards (hooks) and module-level functions
    (attribute patches); ``remove()`` undoes both. ``names`` = every range name it can open."""

    def __init__(self, model: GPNeRF, per_layer: bool = False, compiled: bool = False) -> None:
        self.names: set[str] = set(STEP_RANGES.values()) | set(TRAIN_PHASES)
        self._handles = []
        self._patches = []
        # Compiled modules and glue (--compile: the encoder, the blocks, the glue functions' modules) get no hooks:
        # dynamo would trace them into the compiled code.
        encoder = model.encoder
        if not compiled:
            self._hook(encoder, "encoder")
            for part in ["stem", *(f"stages.{i}" for i in range(len(getattr(encoder, "stages", ()))))]:
                self._hook(_submodule(encoder, part), "encoder.resnet")
            self._hook(getattr(encoder, "fpn", None), "encoder.fpn")
            for part in (*getattr(encoder, "up_convs", ()), *getattr(encoder, "merge_convs", ()), getattr(encoder, "rgb_out", None)):
                self._hook(part, "encoder.rgb_decoder")
        transformer = model.transformer
        self._hook(transformer, "transformer")
        if not compiled:
            self._hook(getattr(transformer, "rgbfeat_fc", None), "transformer.rgbfeat_fc")
        groups = [] if compiled else [("field_blocks", "field_block"), ("ray_blocks", "ray_block"), ("q_fcs", "q_fc")]
        for group, name in groups:
            for i, block in enumerate(getattr(transformer, group, ())):
                self._hook(block, f"transformer.{name}" + (f"[{i}]" if per_layer else ""))
        self._hook(getattr(transformer, "semantic_adaptor", None), "transformer.semantic_adaptor")
        self._hook(model.head, "head")
        for module_name, attribute, name in PATCHED_FUNCTIONS:
            self._patch(importlib.import_module(module_name), attribute, name)
        self._patch(transformer, "fold_semantics", "fold_semantic_path")  # the fast path's fold (maybe compiled)
        for glue in ("embed_points", "update_query", "project_positions", "update_query_projected", "read_out"):  # the glue
            self._patch(transformer, glue, f"transformer.{glue}")
        self._patch(model, "project_points", "project_points")

    def _hook(self, module: torch.nn.Module | None, name: str) -> None:
        if module is None:
            return
        self.names.add(name)
        stack: list = []  # one open range per (possibly nested / recomputed) call

        def enter(_module, _inputs):
            scope = record_function(name)
            scope.__enter__()
            stack.append(scope)

        def leave(_module, _inputs, _output):
            if stack:
                stack.pop().__exit__(None, None, None)

        self._handles.append(module.register_forward_pre_hook(enter))
        try:  # always_call: close the range when the forward raises, too (torch >= 2.1)
            self._handles.append(module.register_forward_hook(leave, always_call=True))
        except TypeError:
            self._handles.append(module.register_forward_hook(leave))

    def _patch(self, module, attribute: str, name: str) -> None:
        """Wrap ``module.attribute`` (a Python module's function or an object's callable attribute) in a range."""
        original = getattr(module, attribute, None)
        if original is None:
            print(f"profile_model: {getattr(module, '__name__', type(module).__name__)}.{attribute} not found, "
                  f"no '{name}' range there", file=sys.stderr)
            return
        self.names.add(name)

        @functools.wraps(original)
        def wrapped(*args, **kwargs):
            with record_function(name):
                return original(*args, **kwargs)

        setattr(module, attribute, wrapped)
        self._patches.append((module, attribute, original))

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        for module, attribute, original in reversed(self._patches):
            setattr(module, attribute, original)
        self._handles, self._patches = [], []


def _submodule(module: torch.nn.Module, path: str) -> torch.nn.Module | None:
    try:
        return module.get_submodule(path)
    except AttributeError:
        return None


# ----------------------------------------------------------------------------- profiler events

def _is_cpu(event) -> bool:
    return str(getattr(event, "device_type", "CPU")).endswith("CPU")


def _is_annotation(event) -> bool:
    """A ``record_function`` range (ours, torch's ``Optimizer.step#...``, ``ProfilerStep#N``): its
    kernels are GPU annotation spans; the real kernels hang on the ops inside it."""
    return bool(getattr(event, "is_user_annotation", False)) or event.name.startswith("ProfilerStep#")


def _kernel_list(event) -> list:
    return list(getattr(event, "kernels", None) or [])


@dataclass
class RangeNode:
    """Aggregate of one range path (root ... name) over all its calls."""

    path: tuple[str, ...]
    calls: int = 0
    time_us: float = 0.0  # kernel time (CUDA) or wall time (CPU), inclusive
    host_us: float = 0.0  # host wall time, inclusive
    kernels: int = 0
    children: dict[str, "RangeNode"] = field(default_factory=dict)

    @property
    def self_us(self) -> float:
        return self.time_us - sum(child.time_us for child in self.children.values())


@dataclass
class Analysis:
    cuda: bool
    steps: int
    step_name: str
    tree: RangeNode  # root: path ()
    flat: dict[str, RangeNode]
    kernels: dict[str, list[float]]  # kernel name -> [total us, count]
    step_time_us: float
    step_host_us: float
    step_kernels: int
    host_syncs: int  # CUDA runtime synchronise calls in the profiled window (the script adds 1 per step)


def analyse(events, names: set[str], step_name: str, steps: int, cuda: bool) -> Analysis:
    """Attribute kernel time (CUDA) or wall time (CPU) to the ``names`` ranges; see the module docstring."""
    ranges, launches, syncs = [], [], 0
    for event in events:
        if not _is_cpu(event) or getattr(event, "is_async", False):
            continue
        if event.name in names:
            ranges.append(event)
        elif event.name in HOST_SYNCS:
            syncs += 1
        elif cuda and not _is_annotation(event):
            # a "kernel" named like a range is that range's GPU user-annotation span, not work; one named like its
            # (non-annotation) host event is real: inductor and Triton launch each kernel inside a same-named op
            kernels = [k for k in _kernel_list(event) if k.name not in names]
            if kernels:
                launches.append((event.time_range.start, kernels))
    launches.sort(key=lambda item: item[0])
    starts = [start for start, _ in launches]
    prefix_us, prefix_n = [0.0], [0]
    kernel_table: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for _, kernels in launches:
        prefix_us.append(prefix_us[-1] + sum(k.duration for k in kernels))
        prefix_n.append(prefix_n[-1] + len(kernels))
        for k in kernels:
            kernel_table[k.name][0] += k.duration
            kernel_table[k.name][1] += 1

    # parents by interval containment across threads (the autograd thread runs inside train.backward)
    ranges.sort(key=lambda e: (e.time_range.start, -e.time_range.end))
    root = RangeNode(path=())
    flat: dict[str, RangeNode] = {}
    open_nodes: list[tuple[float, RangeNode]] = []  # (end time, tree node of that call)
    for event in ranges:
        start, end = event.time_range.start, event.time_range.end
        while open_nodes and (open_nodes[-1][0] <= start or open_nodes[-1][0] < end):
            open_nodes.pop()
        parent = open_nodes[-1][1] if open_nodes else root
        node = parent.children.setdefault(event.name, RangeNode(path=parent.path + (event.name,)))
        host = end - start
        if cuda:
            lo, hi = bisect.bisect_left(starts, start), bisect.bisect_right(starts, end)
            measured, count = prefix_us[hi] - prefix_us[lo], prefix_n[hi] - prefix_n[lo]
        else:
            measured, count = host, 0
        node.calls += 1
        node.time_us += measured
        node.host_us += host
        node.kernels += count
        flat_node = flat.setdefault(event.name, RangeNode(path=(event.name,)))
        if not any(open_event_name == event.name for open_event_name in (n.path[-1] for _, n in open_nodes)):
            flat_node.calls += 1  # count a name once where it nests inside itself
            flat_node.time_us += measured
            flat_node.host_us += host
            flat_node.kernels += count
        open_nodes.append((end, node))
    step = root.children.get(step_name, RangeNode(path=(step_name,)))
    return Analysis(
        cuda=cuda, steps=max(steps, 1), step_name=step_name, tree=root, flat=flat, kernels=dict(kernel_table),
        step_time_us=step.time_us, step_host_us=step.host_us, step_kernels=step.kernels, host_syncs=syncs,
    )


def _pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole > 0 else "    -"


def ranges_table(analysis: Analysis, tree: bool = True) -> str:
    """The flat table (by name, sorted by time) and, with ``tree``, the nested one."""
    a, n = analysis, analysis.steps
    unit = "kernel ms" if a.cuda else "cpu ms"
    header = f"{'range':<44} {'calls/step':>10} {unit + '/step':>15} {'% of step':>9} {'host ms/step':>12}"
    header += f" {'kernels/step':>12}" if a.cuda else ""
    lines = [
        f"per profiled step, mean of {n}; step = '{a.step_name}': {a.step_time_us / n / 1e3:.3f} {unit}, "
        f"host wall {a.step_host_us / n / 1e3:.3f} ms (synchronised)"
        + (f", {a.step_kernels / n:.0f} kernels, device busy {_pct(a.step_time_us, a.step_host_us).strip()}, "
           f"{a.host_syncs / n:.0f} host syncs (cuda*Synchronize, 1 of them the script's)" if a.cuda else ""),
        "time = " + ("summed duration of the kernels launched inside the range (any thread)" if a.cuda else "wall time of the range"),
        "",
        "flat, sorted by time (nested ranges overlap their parents):",
        header,
        "-" * len(header),
    ]

    def row(label: str, node: RangeNode, time_us: float | None = None) -> str:
        t = node.time_us if time_us is None else time_us
        text = f"{label[:44]:<44} {node.calls / n:>10.1f} {t / n / 1e3:>15.3f} {_pct(t, a.step_time_us):>9} {node.host_us / n / 1e3:>12.3f}"
        return text + (f" {node.kernels / n:>12.0f}" if a.cuda else "")

    for node in sorted(a.flat.values(), key=lambda v: -v.time_us):
        lines.append(row(node.path[-1], node))
    if tree:
        lines += ["", f"tree (self = time outside the child ranges; {unit}/step):", header + f" {'self':>9}", "-" * (len(header) + 10)]

        def walk(node: RangeNode, depth: int) -> None:
            for child in sorted(node.children.values(), key=lambda v: -v.time_us):
                lines.append(row("  " * depth + child.path[-1], child) + f" {child.self_us / n / 1e3:>9.3f}")
                walk(child, depth + 1)

        walk(a.tree, 0)
    return "\n".join(lines)


def kernels_table(analysis: Analysis, limit: int = 30) -> str:
    if not analysis.cuda:
        return "no device kernels: CPU run (see the ops and ranges files)"
    total = sum(v[0] for v in analysis.kernels.values())
    n = analysis.steps
    lines = [
        f"device kernels by name, top {limit} of {len(analysis.kernels)}; {total / n / 1e3:.3f} ms and "
        f"{sum(v[1] for v in analysis.kernels.values()) / n:.0f} kernels per step (mean of {n})",
        f"{'total ms/step':>13} {'% kernel':>8} {'calls/step':>10} {'avg us':>9}  kernel",
    ]
    for name, (us, count) in sorted(analysis.kernels.items(), key=lambda item: -item[1][0])[:limit]:
        lines.append(f"{us / n / 1e3:>13.3f} {_pct(us, total):>8} {count / n:>10.1f} {us / count:>9.1f}  {name[:160]}")
    return "\n".join(lines)


def _attribute(obj, *names: str, default=0.0):
    """The first of ``names`` that ``obj`` has (profiler attribute names differ across torch versions)."""
    for name in names:
        if hasattr(obj, name):
            try:
                return getattr(obj, name)
            except Exception:  # deprecated property raising in some version
                continue
    return default


def ops_averages(prof, names: set[str]):
    """``key_averages()`` without the named ranges (their GPU annotation spans would read as kernel time)."""
    averages = prof.key_averages()
    averages[:] = [event for event in averages if event.key not in names]  # in place: keeps the EventList settings
    return averages


def ops_sort_key(cuda: bool) -> tuple[str, tuple[str, ...]]:
    """(table sort_by, attribute names) for the self time of an averaged op."""
    if not cuda:
        return "self_cpu_time_total", ("self_cpu_time_total",)
    from torch.autograd.profiler_util import FunctionEventAvg

    if hasattr(FunctionEventAvg, "self_device_time_total"):
        return "self_device_time_total", ("self_device_time_total", "self_cuda_time_total")
    return "self_cuda_time_total", ("self_cuda_time_total",)


def summary(label: str, what: str, averages, analysis: Analysis, cuda: bool) -> str:
    sort_by, attrs = ops_sort_key(cuda)
    rows = [(event.key, float(_attribute(event, *attrs)), int(getattr(event, "count", 0))) for event in averages]
    total = sum(t for _, t, _ in rows)
    rows.sort(key=lambda item: -item[1])
    n = analysis.steps
    kind = "self device" if cuda else "self cpu"
    lines = [f"== {label} {what}: top 10 ops by {kind} time (ms/step, % of all ops)"]
    for name, t, count in rows[:10]:
        lines.append(f"  {t / n / 1e3:9.3f} {_pct(t, total)}  x{count / n:<7.0f} {name[:90]}")
    lines.append(f"== {label} {what}: ranges")
    lines.append(ranges_table(analysis, tree=False))
    return "\n".join(lines)


# ----------------------------------------------------------------------------- driver

def profile_one(what: str, fn, args: argparse.Namespace, device: torch.device, instrumentation: Instrumentation,
                warmup: int, steps: int, out: Path, label: str, cuda: bool) -> dict:
    step_name = STEP_RANGES[what]

    def step() -> None:
        with record_function(step_name):
            fn()
            if cuda:
                torch.cuda.synchronize(device)

    for _ in range(max(warmup - 1, 0)):
        step()
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
    schedule = torch.profiler.schedule(wait=0, warmup=1, active=steps, repeat=1) if warmup >= 1 else None
    if cuda:
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    began = time.perf_counter()
    with profile(activities=activities, schedule=schedule, record_shapes=args.record_shapes) as prof:
        for _ in range(steps + (1 if schedule is not None else 0)):
            step()
            if schedule is not None:
                prof.step()
    profiled_s = time.perf_counter() - began
    began = time.perf_counter()
    names = instrumentation.names
    analysis = analyse(prof.events(), names, step_name, steps, cuda)
    averages = ops_averages(prof, names)
    sort_by, _ = ops_sort_key(cuda)
    stem = out / f"{label}_{what}"
    header = (
        f"# {label} {what}: preset {args.preset}, implementation {args.implementation}, precision {args.precision}"
        f"{', checkpoint' if args.checkpoint else ''}; {args.views} views {args.height}x{args.width}, "
        + (f"{args.rays} rays" if what == "train" else f"chunk {args.chunk}")
        + f"; {steps} profiled step(s) after {warmup} warm-up; {_device_name(device)}, torch {torch.__version__}\n"
    )
    (stem.parent / (stem.name + "_ops.txt")).write_text(
        header + f"# totals over all {steps} profiled step(s); sorted by {sort_by}\n"
        + averages.table(sort_by=sort_by, row_limit=args.row_limit) + "\n"
    )
    (stem.parent / (stem.name + "_ranges.txt")).write_text(header + ranges_table(analysis) + "\n")
    (stem.parent / (stem.name + "_kernels.txt")).write_text(header + kernels_table(analysis) + "\n")
    files = [str(stem) + suffix for suffix in ("_ops.txt", "_ranges.txt", "_kernels.txt")]
    if args.trace:
        files.append(export_trace(prof, Path(str(stem) + "_trace.json.gz")))
    text = summary(label, what, averages, analysis, cuda)
    if cuda:
        text += f"\npeak memory over the profiled steps: {torch.cuda.max_memory_allocated(device) / 2**30:.2f} GiB"
    text += f"\nprofiled {steps} step(s) in {profiled_s:.1f} s, analysed in {time.perf_counter() - began:.1f} s; wrote " + ", ".join(files)
    print(text, flush=True)
    return {"what": what, "files": files, "step_time_ms": analysis.step_time_us / analysis.steps / 1e3,
            "ranges": {name: node.time_us / analysis.steps / 1e3 for name, node in analysis.flat.items()}}


def export_trace(prof, path: Path) -> str:
    with tempfile.TemporaryDirectory() as folder:
        raw = os.path.join(folder, "trace.json")
        prof.export_chrome_trace(raw)
        with open(raw, "rb") as source, gzip.open(path, "wb") as target:
            shutil.copyfileobj(source, target)
    return str(path)


def _device_name(device: torch.device) -> str:
    return torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu x{torch.get_num_threads()}"


def run(args: argparse.Namespace) -> list[dict]:
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    torch.manual_seed(0)
    config = bench_model.build_config(args)
    model = GPNeRF(config, args.num_classes).to(device)
    losses = compute_losses
    if args.compile:
        compile_transformer_blocks(model, backend=args.compile_backend)
        losses = compile_losses(backend=args.compile_backend)
    optimizer = bench_model.make_optimizer(model, args.trainer_step)
    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    train_episode = bench_model.random_episode(args.views, args.height, args.width, args.rays, args.num_classes).to(device)
    render_episode = replace(train_episode, ray_indices=None)
    autocast = lambda: bench_model.precision_context(args.precision, device)  # noqa: E731  (fresh context per use)

    def forward_and_losses(episode):
        with autocast():
            with record_function("train.forward"):
                output = model(episode)
            with record_function("train.losses"):
                return losses(output, episode, config)

    graphed = GraphedTrainingStep(forward_and_losses, model) if args.cuda_graph else None

    def train_step() -> None:
        ensure_train_mode(model)
        with record_function("train.zero_grad"):
            optimizer.zero_grad(set_to_none=True)
        if graphed is None:
            total, terms = forward_and_losses(train_episode)
            with record_function("train.backward"):
                total.backward()
        else:  # forward, losses and backward replayed: their kernels land in this one range
            with record_function("train.graph_replay"):
                total, terms = graphed(train_episode)
        if args.trainer_step:  # the trainer's guarded update: guard and (fused, overlapped) Adam in one range
            with record_function("train.guarded_update"):
                guarded_update(optimizer, total, terms, trainable, None, lambda bad: bad, overlap_supported(optimizer, 1))
        else:
            with record_function("train.optimizer"):
                optimizer.step()

    def render() -> None:
        with autocast():
            model.render_image(render_episode, chunk_rays=args.chunk, cuda_graph=args.cuda_graph)

    label = re.sub(r"[^A-Za-z0-9_.-]+", "_", args.label or (
        f"{args.preset}_{args.implementation}_{args.precision}{'_ckpt' if args.checkpoint else ''}"
        f"{'_compiled' if args.compile else ''}{'_trainer' if args.trainer_step else ''}"
        f"{'_graphed' if args.cuda_graph else ''}"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    instrumentation = Instrumentation(model, per_layer=args.per_layer, compiled=args.compile)
    results = []
    try:
        for what, fn, warmup, steps in (("train", train_step, 2, 3), ("render", render, 1, 1)):
            if args.what in (what, "both"):
                warmup = warmup if args.warmup is None else args.warmup
                steps = steps if args.steps is None else args.steps
                results.append(profile_one(what, fn, args, device, instrumentation, warmup, steps, out, label, cuda))
                if cuda:
                    torch.cuda.empty_cache()
    finally:
        instrumentation.remove()
    return results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_model.add_model_arguments(parser)
    parser.add_argument("--what", default="both", choices=["train", "render", "both"])
    parser.add_argument("--chunk", type=int, default=2400, help="rays per render chunk")
    parser.add_argument("--warmup", type=int, default=None, help="unprofiled runs first (default: train 2, render 1)")
    parser.add_argument("--steps", type=int, default=None, help="profiled runs (default: train 3, render 1)")
    parser.add_argument("--compile", action="store_true",
                        help="compile the FAT/RAT blocks, the fold, the glue, head and losses "
                             "(compile_transformer_blocks, gpnerf.losses.compile_losses); no block ranges")
    parser.add_argument("--compile-backend", default="inductor", help="torch.compile backend for --compile")
    parser.add_argument("--trainer-step", action="store_true",
                        help="train step as the trainer runs it (bench_model.py --trainer-step): + guard, fused Adam on CUDA")
    parser.add_argument("--cuda-graph", action="store_true",
                        help="replay the training step's forward, losses and backward and each render chunk from CUDA "
                        "graphs (bench_model.py --cuda-graph); CUDA only; the replayed kernels have no module ranges")
    parser.add_argument("--per-layer", action="store_true", help="one range per transformer layer (field_block[i], ...)")
    parser.add_argument("--record-shapes", action="store_true", help="torch.profiler record_shapes (slower)")
    parser.add_argument("--row-limit", type=int, default=40, help="rows of the ops table")
    parser.add_argument("--trace", action="store_true", help="also write <label>_<what>_trace.json.gz (chrome trace)")
    parser.add_argument("--label", default="", help="file-name label (default: preset_implementation_precision)")
    parser.add_argument("--out", default="bench_out/profile", help="output folder")
    parser.add_argument("--smoke", action="store_true", help="tiny-cpu preset, 2 views 24x32, 8 rays, CPU, 1 warm-up + 1 step")
    args = parser.parse_args(argv)
    if args.smoke:
        bench_model.apply_smoke(args)
        args.chunk, args.warmup, args.steps = 256, 1, 1
    bench_model.check_model_arguments(args, "chunk", "row_limit")
    if args.cuda_graph and not args.device.startswith("cuda"):
        raise SystemExit(f"--cuda-graph needs a CUDA device; got --device {args.device}.")
    if args.steps is not None and args.steps < 1:
        raise SystemExit(f"--steps must be >= 1; got {args.steps}.")
    if args.warmup is not None and args.warmup < 0:
        raise SystemExit(f"--warmup must be >= 0; got {args.warmup}.")
    return args


def main(argv: list[str] | None = None) -> list[dict]:
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    return run(args)


if __name__ == "__main__":
    main()

"""Summarise the device side of a chrome trace written by ``profile_model.py --trace``.

Reads every kernel, memcpy and memset event and prints: their summed duration, the span from the first start to the
last end, the time the device was busy (overlaps merged), every idle stretch between events counted and summed by
length (inside a CUDA graph's replay the stretches between dependent kernels are the launch gaps), the idle gaps
longer than ``--gap-ms`` (the ten longest, and where more, summed by the kernels before and after them: with
``--gap-ms 0.01`` where the 10-100 us stretches fall), the events by family (:func:`event_family`: inductor's Triton
kernels, gpnerf's, cuBLAS, cuDNN, aten's own, memsets, memcpys) and the top kernels by summed time. This counts what
ran on the device from the trace itself, whatever host op launched it (CUDA-graph replays and inductor's kernels
included).

    python benchmarks/trace_summary.py docs/results/.../profile/<label>_render_trace.json.gz --top 25
"""

import argparse
import gzip
import json
from collections import defaultdict
from pathlib import Path

DEVICE_CATEGORIES = ("kernel", "gpu_memcpy", "gpu_memset")
IDLE_BOUNDS_US = (2.0, 10.0, 100.0, 1000.0)
"""Upper bounds of the idle-stretch length classes (microseconds); the last class is everything longer."""


def load_device_events(path: Path) -> list[dict]:
    """The complete (``ph == "X"``) device events of the trace at ``path`` (``.json`` or ``.json.gz``), by start."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        trace = json.load(handle)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    device = [e for e in events if e.get("cat") in DEVICE_CATEGORIES and e.get("ph") == "X"]
    if not device:
        raise SystemExit(f"{path}: no kernel, memcpy or memset events; was it written by profile_model.py --trace on CUDA?")
    return sorted(device, key=lambda e: e["ts"])


def event_family(event: dict) -> str:
    """The library an event comes from, by its category and name: ``inductor`` (``triton_*`` kernels), ``gpnerf``
    (Triton kernels named ``_*``: gpnerf's), ``cuDNN`` (``cudnn`` or ``xmma`` in the name), ``cuBLAS`` (``nvjet``,
    ``cutlass``, ``cublas`` or ``gemm``), ``aten`` (``at::native``), ``memset``, ``memcpy`` or ``other``."""
    name = event["name"]
    if event["cat"] != "kernel":
        return "memset" if event["cat"] == "gpu_memset" else "memcpy"
    if name.startswith("triton_"):
        return "inductor"
    if name.startswith("_"):
        return "gpnerf"
    if "cudnn" in name or "xmma" in name:
        return "cuDNN"
    if any(key in name.lower() for key in ("nvjet", "cutlass", "cublas", "gemm")):
        return "cuBLAS"
    return "aten" if "at::native" in name else "other"


def summarise(events: list[dict], gap_us: float) -> dict:
    """Totals in microseconds: ``total`` (summed durations), ``span``, ``busy`` (merged), ``idle`` (every idle
    stretch's length), ``gaps`` (idle stretches longer than ``gap_us``, as (length, event before, event after)) and
    ``by_name`` and ``by_family`` (name or :func:`event_family` -> [summed, count])."""
    busy, run_start, run_end, gaps, idle = 0.0, None, None, [], []
    by_name: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    by_family: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for event in events:
        start, end = event["ts"], event["ts"] + event["dur"]
        for key, table in ((event["name"], by_name), (event_family(event), by_family)):
            table[key][0] += event["dur"]
            table[key][1] += 1
        if run_end is not None and start > run_end:
            busy += run_end - run_start
            idle.append(start - run_end)
            if start - run_end > gap_us:
                gaps.append((start - run_end, previous["name"], event["name"]))
            run_start = None
        if run_start is None:
            run_start, run_end = start, end
        run_end = max(run_end, end)
        previous = event
    busy += run_end - run_start
    return {
        "total": sum(e["dur"] for e in events), "span": events[-1]["ts"] + events[-1]["dur"] - events[0]["ts"],
        "busy": busy, "idle": idle, "gaps": sorted(gaps, reverse=True), "by_name": dict(by_name), "by_family": dict(by_family),
        "events": len(events),
    }


def idle_classes(idle: list[float]) -> list[tuple[str, int, float]]:
    """``(class, count, summed us)`` of the idle stretches for each length class of :data:`IDLE_BOUNDS_US`."""
    lower, classes = 0.0, []
    for upper in (*IDLE_BOUNDS_US, float("inf")):
        members = [g for g in idle if lower < g <= upper]
        name = f"> {lower:g} us" if upper == float("inf") else f"{lower:g}-{upper:g} us"
        classes.append((name, len(members), sum(members)))
        lower = upper
    return classes


def report(summary: dict, top: int) -> str:
    ms = 1e-3
    lines = [
        f"{summary['events']} device events: {summary['total'] * ms:.1f} ms summed, span {summary['span'] * ms:.1f} ms, "
        f"busy {summary['busy'] * ms:.1f} ms ({100 * summary['busy'] / max(summary['span'], 1e-9):.1f} % of the span)",
        "idle stretches by length: " + "; ".join(
            f"{name} {count} ({total * ms:.2f} ms)" for name, count, total in idle_classes(summary["idle"])
        ),
        f"idle gaps over the threshold: {len(summary['gaps'])}, {sum(g for g, _, _ in summary['gaps']) * ms:.1f} ms",
    ]
    lines += [f"  {g * ms:8.2f} ms after {before[:60]} before {after[:60]}" for g, before, after in summary["gaps"][:10]]
    if len(summary["gaps"]) > 10:  # where the many short ones fall: summed by the kernels around them
        neighbours: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
        for g, before, after in summary["gaps"]:
            neighbours[(before, after)][0] += g
            neighbours[(before, after)][1] += 1
        lines.append("idle gaps over the threshold by the kernels around them, summed:")
        ranked = sorted(neighbours.items(), key=lambda item: -item[1][0])[:10]
        lines += [f"  {total * ms:8.2f} ms {count:5d} x  after {before[:50]} before {after[:50]}"
                  for (before, after), (total, count) in ranked]
    families = sorted(summary["by_family"].items(), key=lambda item: -item[1][0])
    lines.append("by family: " + "; ".join(f"{name} {count} ({total * ms:.2f} ms)" for name, (total, count) in families))
    lines.append(f"top {top} by summed time:")
    ranked = sorted(summary["by_name"].items(), key=lambda item: -item[1][0])[:top]
    lines += [f"  {total * ms:9.2f} ms {count:6d} x  {name[:100]}" for name, (total, count) in ranked]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trace", type=Path, help="a profile_model.py --trace file (.json.gz)")
    parser.add_argument("--top", type=int, default=25, help="kernels listed by summed time")
    parser.add_argument("--gap-ms", type=float, default=1.0, help="report idle gaps longer than this")
    args = parser.parse_args(argv)
    if not args.trace.is_file():
        raise SystemExit(f"{args.trace}: no such file.")
    print(report(summarise(load_device_events(args.trace), args.gap_ms * 1e3), args.top))


if __name__ == "__main__":
    main()

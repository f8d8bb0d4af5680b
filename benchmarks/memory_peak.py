"""What is allocated at the peak of a CUDA memory snapshot, grouped by the gpnerf source line that allocated it.

    PYTHONPATH=src python benchmarks/bench_model.py ... --memory-snapshot snapshot.pickle   # on a GPU
    python benchmarks/memory_peak.py snapshot.pickle --top 30                            # anywhere

``torch.cuda.memory._dump_snapshot`` writes the allocator's event trace (``device_traces``: every ``alloc`` and
``free_completed`` with its size and Python frames, as recorded by ``_record_memory_history``). This replays the
trace, finds the moment the most bytes were allocated, and sums the blocks alive then by their innermost frame
in ``--source`` (default: files under a ``gpnerf`` folder), or ``<other>`` when no frame is. Blocks allocated before
recording began are not in the trace and are not counted; the printed total says how much the trace accounts for.
No tyro: argparse only.
"""

import argparse
import pickle
from collections import Counter

FREES = ("free_completed",)
"""Trace actions that return a block to the allocator (``free_requested`` precedes ``free_completed``)."""


def frame_label(frames: list[dict], source: str) -> str:
    """``file:line function`` of the innermost frame whose file name contains ``source``, else ``<other>``."""
    for frame in frames:
        if source in frame["filename"]:
            filename = frame["filename"].split(f"{source}/", 1)[-1]
            return f"{filename}:{frame['line']} {frame['name']}"
    return "<other>"


def peak_blocks(events: list[dict]) -> tuple[int, dict[int, dict]]:
    """``(peak bytes, the blocks alive at the peak by address)`` from one device's trace events."""
    live, allocated, peak, peak_index = {}, 0, 0, -1
    for index, event in enumerate(events):
        if event["action"] == "alloc":
            live[event["addr"]] = event
            allocated += event["size"]
        elif event["action"] in FREES and event["addr"] in live:
            allocated -= live.pop(event["addr"])["size"]
        if allocated > peak:
            peak, peak_index = allocated, index
    live = {}
    for event in events[: peak_index + 1]:
        if event["action"] == "alloc":
            live[event["addr"]] = event
        elif event["action"] in FREES:
            live.pop(event["addr"], None)
    return peak, live


def summarize(snapshot: dict, source: str = "gpnerf", device: int = 0) -> tuple[int, Counter, Counter]:
    """``(peak bytes, bytes by source line, blocks by source line)`` at the peak of ``device``'s trace."""
    peak, live = peak_blocks(snapshot["device_traces"][device])
    sizes, counts = Counter(), Counter()
    for event in live.values():
        label = frame_label(event.get("frames", []), source)
        sizes[label] += event["size"]
        counts[label] += 1
    return peak, sizes, counts


def table(peak: int, sizes: Counter, counts: Counter, top: int) -> str:
    lines = [f"peak of the trace: {peak / 2**30:.3f} GiB in {sum(counts.values())} blocks",
             "| GiB | share | blocks | allocated at |", "|---|---|---|---|"]
    for label, size in sizes.most_common(top):
        lines.append(f"| {size / 2**30:.3f} | {100 * size / max(peak, 1):.1f} % | {counts[label]} | {label} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> tuple[int, Counter, Counter]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", help="a pickle from torch.cuda.memory._dump_snapshot")
    parser.add_argument("--source", default="gpnerf", help="group by the innermost frame in files under this folder")
    parser.add_argument("--device", type=int, default=0)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    with open(args.snapshot, "rb") as handle:
        snapshot = pickle.load(handle)
    peak, sizes, counts = summarize(snapshot, args.source, args.device)
    print(table(peak, sizes, counts, args.top))
    return peak, sizes, counts


if __name__ == "__main__":
    main()

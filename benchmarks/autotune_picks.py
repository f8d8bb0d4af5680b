"""Which launch configuration inductor's autotuner kept for each kernel, in one or more ``bench_model.py --json`` records.

A kernel with several launch configurations inside compiled code (gpnerf's Triton kernels among them: their names
start with ``_``) is timed in every configuration on its first launch, in the process that compiles it; the choice
then stays in inductor's caches for every later process. ``bench_model.py`` keeps the debug log's lines of that
timing in each result's ``autotuning`` list (:class:`bench_model.AutotuningLog`). This prints, per kernel launch (the
``n``-th time a kernel name was tuned in a record: one kernel tuned at several shapes) and per record, the kept
configuration and its time, and marks the launches whose choice differs between records. A choice timed while other
processes shared the GPU (the benchmarks' side-by-side cold rows) can be far from the best alone: in the thirty-sixth
run one tree's contraction kept 32 pairs x 8 groups at 6.14 ms in its cold row where 8 x 64 took 2.90 ms alone, and
every later process rendered 12 ms a frame slower.

    python benchmarks/autotune_picks.py docs/results/<run>/call1/timed/render_cold_*.json [--all-kernels]
"""

import argparse
import json
import re
from pathlib import Path

BEST = re.compile(r"^Best config for (?P<kernel>\S+): (?P<config>.*): (?P<ms>[0-9.]+), nreg")


def kept_choices(lines: list[str]) -> list[tuple[str, str, float]]:
    """``(kernel, configuration, ms)`` for each "Best config for" line of an ``autotuning`` list, in order."""
    choices = []
    for line in lines:
        match = BEST.match(line)
        if match:
            config = match["config"].replace(", num_ctas: 1", "").replace(", maxnreg: None", "")
            choices.append((match["kernel"], config, float(match["ms"])))
    return choices


def record_choices(path: Path, all_kernels: bool) -> dict[tuple[str, int], tuple[str, float]]:
    """``{(kernel, n): (configuration, ms)}`` over every result of the record at ``path`` (gpnerf's kernels only
    unless ``all_kernels``)."""
    try:
        record = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise SystemExit(f"{path}: not a bench_model.py --json record ({error})") from error
    seen: dict[str, int] = {}
    choices = {}
    for result in record.get("results", []):
        for kernel, config, ms in kept_choices(result.get("autotuning", [])):
            if not (all_kernels or kernel.startswith("_")):
                continue
            n = seen.get(kernel, 0)
            seen[kernel] = n + 1
            choices[(kernel, n)] = (config, ms)
    return choices


def table(paths: list[Path], all_kernels: bool = False) -> tuple[str, list[tuple[str, int]]]:
    """The markdown table of every record's choices and the launches whose choice differs between records."""
    per_record = [record_choices(path, all_kernels) for path in paths]
    launches = sorted({launch for choices in per_record for launch in choices})
    lines = [*(f"{i}: {path}" for i, path in enumerate(paths, 1)), "",
             "| kernel (n-th tuned) | " + " | ".join(str(i) for i in range(1, len(paths) + 1)) + " | same |",
             "|---" * (len(paths) + 2) + "|"]
    differing = []
    for launch in launches:
        picks = [choices.get(launch) for choices in per_record]
        same = len({pick[0] for pick in picks if pick}) <= 1
        if not same:
            differing.append(launch)
        cells = ["-" if pick is None else f"{pick[0]} ({pick[1]:.3f} ms)" for pick in picks]
        lines.append(f"| {launch[0]} ({launch[1]}) | " + " | ".join(cells) + f" | {'yes' if same else '**no**'} |")
    if not launches:
        lines.append("(no autotuning lines: the records' processes found every choice in inductor's caches)")
    return "\n".join(lines), differing


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="+", type=Path, help="bench_model.py --json files")
    parser.add_argument("--all-kernels", action="store_true", help="inductor's own kernels too (triton_*)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> list[tuple[str, int]]:
    args = parse_args(argv)
    text, differing = table(args.records, args.all_kernels)
    print(text)
    if differing:
        print(f"\n{len(differing)} launch(es) kept different configurations: "
              + ", ".join(f"{kernel} ({n})" for kernel, n in differing))
    return differing


if __name__ == "__main__":
    main()

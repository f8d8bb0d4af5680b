"""Collect the JSON records of ``bench_model.py`` into one markdown table with speed-ups.

    PYTHONPATH=src python benchmarks/bench_table.py bench_out/*.json --out bench_out/table.md

Speed-up = baseline median / this median for the same measurement (train or render); the
baseline is the record whose label is ``--baseline`` (default ``released-code reference fp32``),
so every ratio comes from one suite run on one card.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: bench_model, which also finds src/
from bench_model import format_peak  # noqa: E402


def load(paths: list[str]) -> list[dict]:
    """Records in the given order; unreadable files become error rows."""
    records = []
    for path in paths:
        try:
            records.append(json.loads(Path(path).read_text()))
        except (OSError, ValueError) as error:
            records.append({"label": Path(path).stem, "device_name": "-", "results": [{"name": "-", "error": str(error)}]})
    return records


def table(records: list[dict], baseline: str) -> str:
    """Markdown: one row per (configuration, measurement)."""
    base = {}
    for record in records:
        if record.get("label") == baseline:
            base = {r["name"]: r["median_s"] for r in record["results"] if "median_s" in r}
    lines = [
        f"| configuration | card | measurement | median s | speed-up vs {baseline} | peak GiB alloc / reserved | TFLOP/s (model FLOPs) | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for record in records:
        for result in record["results"]:
            if "median_s" not in result:
                lines.append(f"| {record['label']} | {record['device_name']} | {result['name']} | - | - | - | - | {result.get('error', '')[:100]} |")
                continue
            speedup = f"{base[result['name']] / result['median_s']:.2f}x" if result["name"] in base else "-"
            peak = format_peak(result)
            lines.append(
                f"| {record['label']} | {record['device_name']} | {result['name']} | {result['median_s']:.4f} | {speedup} "
                f"| {peak} | {result['tflops_per_s']:.2f} | {len(result['times_s'])} runs |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="JSON files written by bench_model.py --json")
    parser.add_argument("--baseline", default="released-code reference fp32", help="label of the ratio baseline")
    parser.add_argument("--out", default=None, help="also write the table here")
    args = parser.parse_args(argv)
    text = table(load(args.paths), args.baseline)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return text


if __name__ == "__main__":
    main()

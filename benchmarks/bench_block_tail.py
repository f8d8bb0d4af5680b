"""Time a FAT or RAT block's tail at a render chunk's shapes: PyTorch's ops against the fused kernel.

    PYTHONPATH=src python benchmarks/bench_block_tail.py --device cuda [--sweep-launches]
    PYTHONPATH=src python benchmarks/bench_block_tail.py --smoke      # tiny, CPU (CI): the PyTorch ops only

The tail (:func:`gpnerf.model.field_aggregation.block_tail`): ``y = x + out_fc(attended)``, then ``y + ff(ff_norm(y))``
on ``--rows`` rows (a chunk's rays x samples: 4800 x 64 in the fine pass) of the preset's ``d_rgb`` and feed-forward
width, ``x`` and ``attended`` in ``--dtype`` (the render's residual stream and attention output are bf16). Variants:
``pytorch`` = the block's PyTorch ops (under bf16 autocast for bf16); ``fused`` =
:func:`gpnerf.model.fused_feed_forward.fused_block_tail` (CUDA with Triton; its autotuned launch is recorded). The
largest difference to ``pytorch``, relative to its output's largest magnitude, is recorded. ``--sweep-launches`` times
the kernel in each launch configuration (and ``--extra-launches``). Median of ``--repeats`` after ``--warmup`` (CUDA
events). Prints one table; ``--json`` writes the record. No tyro: argparse only.
"""

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: bench_model, which also finds src/

import bench_model  # noqa: E402
from gpnerf.model import PRESETS  # noqa: E402
from gpnerf.model import fused_feed_forward as fused  # noqa: E402
from gpnerf.model.field_aggregation import block_tail, feed_forward  # noqa: E402
from gpnerf.model.triton_support import triton  # noqa: E402

DTYPES = {"bf16": torch.bfloat16, "fp32": torch.float32}


def run(args: argparse.Namespace) -> dict:
    device = torch.device(args.device)
    torch.manual_seed(0)
    config = PRESETS[args.preset].transformer
    d = config.d_rgb
    out_fc, out_dropout = torch.nn.Linear(d, d).to(device), torch.nn.Dropout(0.0)
    ff_norm, ff = torch.nn.LayerNorm(d).to(device), feed_forward(d, config.ff_multiplier, 0.0).to(device)
    dtype = DTYPES[args.dtype]
    x = torch.randn(args.rows, 1, d, device=device).to(dtype)
    attended = torch.randn(args.rows, 1, d, device=device).to(dtype)
    timer = bench_model.Timer(device)
    record = {"preset": args.preset, "rows": args.rows, "d_rgb": d, "hidden": config.ff_multiplier * d,
              "dtype": args.dtype, "device": device.type, "torch": torch.__version__, "results": [],
              "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"}
    autocast = torch.autocast(device.type, dtype) if dtype != torch.float32 else nullcontext()

    def tail(fused_kernel: bool):
        def fn() -> torch.Tensor:
            with torch.no_grad(), autocast:
                return block_tail(x, attended, out_fc, out_dropout, ff_norm, ff, fused_kernel)
        return fn

    variants = {"pytorch": tail(False)}
    if fused.fused_block_tail_supported(x.flatten(0, 1), ff):
        variants["fused"] = tail(True)
    record["results"] = bench_model.time_variants(timer, variants, args.warmup, args.repeats)
    if "fused" in variants:
        record["launch"] = fused.tuned_launch()
        if args.sweep_launches:
            with autocast:
                compute = torch.get_autocast_dtype(device.type) if dtype != torch.float32 else torch.float32
                arguments, constants = fused.kernel_arguments(
                    x.flatten(0, 1), attended.flatten(0, 1), out_fc, ff_norm, ff, compute)
            record["launches"] = launch_sweep(args, arguments, constants, timer)
    return record


def launch_sweep(args, arguments: list, constants: dict, timer) -> list[dict]:
    """The kernel alone, timed in each of its launch shapes (:data:`fused_feed_forward.LAUNCH_SHAPES` and
    ``--extra-launches``)."""
    extra = [tuple(int(part) for part in launch.split(",")) for launch in args.extra_launches]

    def launcher(*shape: int):
        meta, warps = fused.launch_parameters(shape)
        grid = fused.launch_grid(args.rows, meta)

        def launch() -> None:
            fused._fused_block_tail_kernel.fn[grid](*arguments, **constants, **meta, num_warps=warps)
        return launch

    return bench_model.time_launches(timer, [*fused.LAUNCH_SHAPES, *extra], launcher, args.warmup, args.repeats)


def table(record: dict) -> str:
    lines = [f"block tail, {record['preset']}, {record['rows']} rows, d_rgb {record['d_rgb']}, hidden "
             f"{record['hidden']}, {record['dtype']}, {record['device_name']}",
             "| variant | median ms | max difference (relative) |", "|---|---|---|"]
    lines += [f"| {r['variant']} | {1e3 * r['median_s']:.3f} | {r['max_relative_difference']:.2e} |"
              for r in record["results"]]
    if record.get("launch"):
        lines.append(f"fused launch (autotuned): {record['launch']}")
    if "launches" in record:
        lines += ["", *bench_model.launch_table(record["launches"], ["rows / program", "warps"], "fused ms")]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--preset", default="paper-scannet", choices=sorted(PRESETS))
    parser.add_argument("--rows", type=int, default=4800 * 64, help="a chunk's rays x samples")
    parser.add_argument("--dtype", default="bf16", choices=sorted(DTYPES), help="x and attended (and autocast)")
    bench_model.add_kernel_timing_arguments(parser, warmup=3, repeats=10, launch_parts="rows,warps")
    parser.add_argument("--smoke", action="store_true", help="tiny-cpu preset, 24 rows, float32, CPU, 1 run")
    args = parser.parse_args(argv)
    if args.smoke:
        args.device, args.preset, args.rows, args.dtype = "cpu", "tiny-cpu", 24, "fp32"
        args.warmup, args.repeats, args.threads = 0, 1, args.threads or 1
    bench_model.check_sizes(args, "rows", "repeats")
    return args


def main(argv: list[str] | None = None) -> dict:
    return bench_model.run_script(parse_args(argv), run, table)


if __name__ == "__main__":
    main()

"""Time one Field-Aggregation Transformer block: the reference attention logits against the folded ones.

    PYTHONPATH=src python benchmarks/bench_fat_block.py --device cuda --precision bf16
    PYTHONPATH=src python benchmarks/bench_fat_block.py --smoke      # tiny, CPU (CI)

One FAT block of the preset (``d_rgb``, ``d_attn_hidden``, ``d_pos_hidden`` of ``--preset``, dropout 0) on
random ``(rays, samples, views, d_rgb)`` tokens, all views valid. Two measurements per variant:
``forward`` (no grad, as in a render chunk) and ``train`` (forward + backward of the block's output and its
attention map, as the semantic fold uses it). Variants: ``reference`` =
``FieldAggregationTransformer.attention_logits_reference`` (K and ``K - Q + P`` formed per view), ``folded`` =
``attention_logits_folded`` (docs/performance.md), ``fused`` = the Triton kernel of
:mod:`gpnerf.model.fused_field_attention` (forward only, on CUDA with Triton; its autotuned launch is
recorded). ``--sweep-launches`` times the fused kernel alone in each launch shape (and ``--extra-launches``) at each
``--stages`` and ``--max-registers`` (ptxas' register limit: fewer registers, more warps resident, some spilled).
Median of ``--repeats`` runs after ``--warmup`` (CUDA events on a GPU). Prints one table; ``--json`` writes the
record. No tyro: argparse only.
"""

import argparse
import statistics
import sys
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: bench_model, which also finds src/

import bench_model  # noqa: E402
from gpnerf.model import PRESETS  # noqa: E402
from gpnerf.model import fused_field_attention as fused  # noqa: E402
from gpnerf.model.field_aggregation import FieldAggregationTransformer  # noqa: E402
from gpnerf.model.fused_field_attention import fused_field_attention_supported, tuned_launch  # noqa: E402
from gpnerf.model.triton_support import triton  # noqa: E402


def run(args: argparse.Namespace) -> dict:
    device = torch.device(args.device)
    torch.manual_seed(0)
    config = replace(PRESETS[args.preset].transformer, dropout=0.0)
    block = FieldAggregationTransformer(config, compute_dtype_attention=True, fold_logit_projections=True).to(device)
    block.eval()  # dropout is 0 anyway; eval lets the fused variant run
    d = config.d_rgb
    query = torch.randn(args.rays, args.samples, d, device=device)
    tokens = torch.randn(args.rays, args.samples, args.views, d, device=device)
    direction = torch.randn(args.rays, args.samples, args.views, 4, device=device)
    valid = torch.ones(args.rays, args.samples, args.views, dtype=torch.bool, device=device)
    timer = bench_model.Timer(device)
    record = {"preset": args.preset, "device": device.type, "precision": args.precision, "rays": args.rays,
              "samples": args.samples, "views": args.views, "d_rgb": d, "torch": torch.__version__,
              "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu x{torch.get_num_threads()}",
              "results": []}
    variants = ["reference", "folded"]
    if fused_field_attention_supported(tokens.flatten(0, 1)):
        variants.append("fused")
    for variant in variants:
        block.fold_logit_projections = variant != "reference"
        block.fused_inference = variant == "fused"

        def forward() -> None:
            with torch.no_grad(), bench_model.precision_context(args.precision, device):
                block(query, tokens, direction, valid)

        def train() -> None:
            block.zero_grad(set_to_none=True)
            with bench_model.precision_context(args.precision, device):
                x, attention = block(query, tokens, direction, valid)
                loss = x.float().sum() + attention.attention.float().sum()
            loss.backward()

        for name, fn in (("forward", forward), ("train", train)):
            if variant == "fused" and name == "train":
                continue  # inference only: with grad the block runs the folded PyTorch ops
            times = timer(fn, args.warmup, args.repeats)
            record["results"].append({"variant": variant, "measurement": name, "median_s": statistics.median(times),
                                      "times_s": times})
    if "fused" in variants:
        record["fused_launch"] = tuned_launch()
        if args.sweep_launches:
            record["launches"] = launch_sweep(args, block, query, tokens, direction, valid, timer)
    return record


def launch_shapes(args: argparse.Namespace) -> list[tuple[int, ...]]:
    """``(points, split, warps, stages, max registers)`` to time: :data:`fused_field_attention.LAUNCH_SHAPES` (each
    at its own register limit) and ``--extra-launches``, each also at every ``--max-registers`` (0: no limit) and
    every ``--stages``, once each; those whose channel split leaves fewer than ``MIN_DOT`` channels left out (as the
    autotuner prunes)."""
    extra = [tuple(int(part) for part in launch.split(",")) for launch in args.extra_launches]
    d = PRESETS[args.preset].transformer.d_rgb
    launches = {}
    for shape in [*fused.LAUNCH_SHAPES, *extra]:
        meta, warps, own_limit = fused.launch_parameters(shape)
        if d // meta["CHANNEL_SPLIT"] < fused.MIN_DOT:
            continue
        for stages in args.stages:
            for registers in dict.fromkeys([own_limit, *args.max_registers]):
                launches[(meta["BLOCK_POINTS"], meta["CHANNEL_SPLIT"], warps, stages, registers)] = None
    return list(launches)


def launch_sweep(args, block, query, tokens, direction, valid, timer) -> list[dict]:
    """The fused kernel alone on the block's inputs, timed in each of :func:`launch_shapes`' configurations."""
    with torch.no_grad(), bench_model.precision_context(args.precision, tokens.device):
        kernel_tokens = tokens.to(torch.bfloat16 if args.precision == "bf16" else tokens.dtype)
        kernel_query = query.to(kernel_tokens.dtype)  # X_0 as the render's blocks pass it, in the compute dtype
        weights = block.kernel_weights()
    arguments, constants = fused.kernel_arguments(
        kernel_tokens.flatten(0, 1), direction.flatten(0, 1), valid.flatten(0, 1), kernel_query.flatten(0, 1), weights
    )
    points = kernel_tokens.shape[0] * kernel_tokens.shape[1]

    def launcher(*launch: int):
        *shape, stages, registers = launch
        meta, warps, _ = fused.launch_parameters(tuple(shape))
        limit = {"maxnreg": registers} if registers else {}

        def launch_kernel() -> None:
            fused._fused_field_attention_kernel.fn[fused.launch_grid(points, meta)](
                *arguments, **constants, **meta, num_warps=warps, num_stages=stages, **limit,
            )
        return launch_kernel

    return bench_model.time_launches(timer, launch_shapes(args), launcher, args.warmup, args.repeats)


def table(record: dict) -> str:
    median = {(r["variant"], r["measurement"]): r["median_s"] for r in record["results"]}
    lines = [f"FAT block, {record['preset']}, {record['rays']} rays x {record['samples']} samples x {record['views']} views, "
             f"d_rgb {record['d_rgb']}, {record['precision']}, {record['device_name']}",
             "| measurement | reference ms | folded ms | folded speed-up | fused ms | fused speed-up |",
             "|---|---|---|---|---|---|"]
    for name in ("forward", "train"):
        ref, fold = median[("reference", name)], median[("folded", name)]
        fused = median.get(("fused", name))
        fused_cells = "– | –" if fused is None else f"{1e3 * fused:.2f} | {ref / fused:.2f}x"
        lines.append(f"| {name} | {1e3 * ref:.2f} | {1e3 * fold:.2f} | {ref / fold:.2f}x | {fused_cells} |")
    if "fused_launch" in record:
        lines.append(f"fused launch (autotuned): {record['fused_launch']}")
    if "launches" in record:
        lines += ["", *bench_model.launch_table(
            record["launches"], ["points / block", "channel split", "warps", "stages", "max registers"],
            "fused kernel ms")]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--preset", default="paper-scannet", choices=sorted(PRESETS))
    parser.add_argument("--precision", default="fp32", choices=["fp32", "tf32", "bf16"])
    parser.add_argument("--rays", type=int, default=512)
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--views", type=int, default=10)
    bench_model.add_kernel_timing_arguments(parser, warmup=2, repeats=5, launch_parts="points,split,warps")
    parser.add_argument("--stages", type=int, nargs="+", default=[3], help="--sweep-launches: pipelining depths")
    parser.add_argument("--max-registers", type=int, nargs="+", default=[0],
                        help="--sweep-launches: registers per thread at most (ptxas maxnreg; 0: no limit)")
    parser.add_argument("--smoke", action="store_true", help="tiny-cpu preset, 4 rays x 6 samples x 2 views, CPU, 1 run")
    args = parser.parse_args(argv)
    if args.smoke:
        args.device, args.preset, args.rays, args.samples, args.views = "cpu", "tiny-cpu", 4, 6, 2
        args.warmup, args.repeats, args.threads = 0, 1, args.threads or 1
    bench_model.check_sizes(args, "rays", "samples", "views", "repeats")
    return args


def main(argv: list[str] | None = None) -> dict:
    return bench_model.run_script(parse_args(argv), run, table)


if __name__ == "__main__":
    main()

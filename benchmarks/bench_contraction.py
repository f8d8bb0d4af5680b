"""Time the semantic fold's rendered term at a render chunk's shapes: W formed on chip against W written and read back.

    PYTHONPATH=src python benchmarks/bench_contraction.py --device cuda [--sweep-launches]
    PYTHONPATH=src python benchmarks/bench_contraction.py --smoke      # tiny, CPU (CI): the PyTorch path only

``sum_{samples, views} X W`` with ``W = sum_l m_l A_l`` (:mod:`gpnerf.model.folded_semantics`) for one chunk:
``--rays`` rays x ``--samples`` samples x ``--views`` views, ``--layers`` FAT/RAT layers whose attentions are left as
the FAT kernel leaves them (masked logits, the softmax's peak and inverse total) and the RAT kernel's column means,
X sampled from ``(views, --channels, map height, map width)`` maps. The rays' coordinates are coherent like a
render's: consecutive rays are neighbouring pixels, and each ray's samples walk a line across each view.

Variants: ``two_step`` = W from the attentions by PyTorch ops (compiled on CUDA, as the render's compiled fold) and
:func:`gpnerf.model.fused_feature_sampling.sample_and_contract_fused`; ``on_chip`` =
:func:`gpnerf.model.fused_attention_contraction.contract_attention` (CUDA with Triton); on the CPU ``einsum`` = W and
X formed by PyTorch ops. The largest difference to the first variant, relative to the output's largest magnitude, is
recorded. ``--sweep-launches`` times the on-chip kernel in each launch configuration (and ``--extra-launches``).
Median of ``--repeats`` after ``--warmup`` (CUDA events). Prints one table; ``--json`` writes the record.
"""

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: bench_model, which also finds src/

import bench_model  # noqa: E402
from gpnerf.model import fused_attention_contraction as on_chip  # noqa: E402
from gpnerf.model.field_aggregation import FieldAttention  # noqa: E402
from gpnerf.model.fused_feature_sampling import DeferredSamples, fused_sampling_supported, sample_and_contract_fused  # noqa: E402
from gpnerf.model.fused_fold_statistics import fold_statistics  # noqa: E402
from gpnerf.model.projection import sample_feature_maps  # noqa: E402
from gpnerf.model.triton_support import triton  # noqa: E402


def inputs(args: argparse.Namespace, device: torch.device):
    """Maps, coherent pixel coordinates ``(views, rays, samples, 2)``, kernel-like attentions and column means."""
    generator = torch.Generator().manual_seed(0)

    def randn(*shape):
        return torch.randn(*shape, generator=generator)

    dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32
    maps = randn(args.views, args.channels, args.map_height, args.map_width).to(device, dtype)
    pixel = torch.arange(args.rays)
    start = torch.stack([pixel % args.width, (pixel // args.width) % args.height], -1).float()  # (rays, 2)
    offset = randn(args.views, 1, 1, 2) * args.width / 10
    step = torch.nn.functional.normalize(randn(args.views, 1, 1, 2), dim=-1) * 1.5  # pixels per sample
    samples = torch.arange(args.samples).float()[None, None, :, None]
    uv = (start[None, :, None, :] + offset + (samples - args.samples / 2) * step).to(device)
    attentions, means = [], []
    for _ in range(args.layers):
        logits = (3 * randn(args.rays, args.samples, args.views, args.groups)).to(dtype)
        invalid = torch.rand(args.rays, args.samples, args.views, generator=generator) < 0.2
        logits = logits.masked_fill(invalid[..., None], torch.finfo(dtype).min)
        peak = logits.float().amax(dim=2)
        inverse_total = 1 / torch.exp2(logits.float() - peak[:, :, None]).sum(dim=2)  # base 2, as the FAT kernel's
        attentions.append(FieldAttention(None, None, None, logits.to(device), peak.to(device), inverse_total.to(device)))
        scores = randn(args.rays, args.heads, args.samples, args.samples)
        means.append(torch.softmax(scores, -1).mean(2).to(device))
    return maps, uv, attentions, means


def weight_of(attentions: list[FieldAttention], means: list[torch.Tensor]) -> torch.Tensor:
    """``W = sum_l m_l A_l`` ``(rays, samples, views, groups)`` float32, as the fold forms it."""
    groups, heads = attentions[0].channels, means[0].shape[1]
    weight = None
    for attention, mean in zip(attentions, means):
        term = attention.probabilities() * mean.transpose(1, 2).repeat_interleave(groups // heads, -1)[:, :, None]
        weight = term if weight is None else weight + term
    return weight


def run(args: argparse.Namespace) -> dict:
    device = torch.device(args.device)
    maps, uv, attentions, means = inputs(args, device)
    deferred = DeferredSamples(maps, uv, args.height, args.width, torch.float32)
    timer = bench_model.Timer(device)
    record = {key: getattr(args, key) for key in ("rays", "samples", "views", "channels", "groups", "heads", "layers",
                                                   "map_height", "map_width", "height", "width", "dtype")}
    record.update(device=device.type, torch=torch.__version__, results=[],
                  device_name=torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu")
    variants = {}
    if fused_sampling_supported(maps):
        weigh = torch.compile(weight_of) if device.type == "cuda" else weight_of
        variants["two_step"] = lambda: sample_and_contract_fused(maps, uv, weigh(attentions, means), args.height, args.width)
        if on_chip.fused_contraction_supported(deferred, attentions):
            variants["on_chip"] = lambda: on_chip.contract_attention(
                deferred, attentions, fold_statistics(attentions, means, with_position=False).scales
            ).flatten(-2)
    else:
        def einsum() -> torch.Tensor:
            x = sample_feature_maps(maps, uv, args.height, args.width, full_precision_grid=True).float()
            return torch.einsum("rsvgk,rsvg->rgk", x.unflatten(-1, (args.groups, -1)), weight_of(attentions, means)).flatten(-2)
        variants["einsum"] = einsum
    outputs = {name: (lambda fn=fn: fn().reshape(args.rays, args.channels)) for name, fn in variants.items()}
    record["results"] = bench_model.time_variants(timer, outputs, args.warmup, args.repeats)
    if "on_chip" in variants:
        record["launch"] = on_chip.tuned_launch()
        if args.sweep_launches:
            record["launches"] = launch_sweep(args, deferred, attentions, means, timer)
    return record


def launch_sweep(args, deferred, attentions, means, timer) -> list[dict]:
    """The on-chip kernel alone, timed in each launch configuration ``(pairs, groups, warps)``."""
    arguments, constants, rays = on_chip.kernel_arguments(
        deferred, attentions, fold_statistics(attentions, means, with_position=False).scales
    )
    extra = [tuple(int(part) for part in launch.split(",")) for launch in args.extra_launches]

    def launcher(pairs: int, groups: int, warps: int):
        grid = (rays * triton.cdiv(args.groups, groups),)

        def launch() -> None:
            on_chip._contract_attention_kernel.fn[grid](
                *arguments, **constants, BLOCK_PAIRS=pairs, BLOCK_GROUPS=groups, num_warps=warps
            )
        return launch

    return bench_model.time_launches(timer, [*on_chip.LAUNCH_SHAPES, *extra], launcher, args.warmup, args.repeats)


def table(record: dict) -> str:
    lines = [f"fold's rendered term, {record['rays']} rays x {record['samples']} samples x {record['views']} views, "
             f"{record['layers']} layers, {record['channels']} channels in {record['groups']} groups, maps "
             f"{record['map_height']}x{record['map_width']} {record['dtype']}, {record['device_name']}",
             "| variant | median ms | max difference (relative) |", "|---|---|---|"]
    lines += [f"| {r['variant']} | {1e3 * r['median_s']:.3f} | {r['max_relative_difference']:.2e} |" for r in record["results"]]
    if record.get("launch"):
        lines.append(f"on-chip launch (autotuned): {record['launch']}")
    if "launches" in record:
        lines += ["", *bench_model.launch_table(record["launches"], ["pairs", "groups", "warps"], "on-chip ms")]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--rays", type=int, default=4800, help="rays of one render chunk")
    parser.add_argument("--samples", type=int, default=64, help="fine-pass samples per ray (48 + 16)")
    parser.add_argument("--views", type=int, default=10)
    parser.add_argument("--channels", type=int, default=512, help="d_sem")
    parser.add_argument("--groups", type=int, default=64, help="d_rgb, the FAT attention's channels")
    parser.add_argument("--heads", type=int, default=4, help="RAT heads")
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--map-height", type=int, default=120)
    parser.add_argument("--map-width", type=int, default=160)
    parser.add_argument("--height", type=int, default=240, help="image height (pixel coordinates)")
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--dtype", default="bf16", choices=["bf16", "fp32"], help="maps and logits")
    bench_model.add_kernel_timing_arguments(parser, warmup=2, repeats=10, launch_parts="pairs,groups,warps")
    parser.add_argument("--smoke", action="store_true", help="4 rays x 6 samples x 3 views, 2 layers, CPU, 1 run")
    args = parser.parse_args(argv)
    if args.smoke:
        args.device, args.dtype, args.threads = "cpu", "fp32", args.threads or 1
        args.rays, args.samples, args.views, args.channels, args.groups, args.heads, args.layers = 4, 6, 3, 16, 8, 2, 2
        args.map_height, args.map_width, args.height, args.width, args.warmup, args.repeats = 6, 8, 12, 16, 0, 1
    bench_model.check_sizes(args, "rays", "samples", "views", "channels", "groups", "heads", "layers", "repeats")
    if args.channels % args.groups or args.groups % args.heads:
        raise SystemExit(
            f"--channels ({args.channels}) must be a multiple of --groups ({args.groups}), and that of --heads ({args.heads})."
        )
    return args


def main(argv: list[str] | None = None) -> dict:
    return bench_model.run_script(parse_args(argv), run, table)


if __name__ == "__main__":
    main()

"""Registers, spills, shared memory and SASS instruction counts of gpnerf's Triton kernels in each launch
configuration, for sm_90, on the CPU.

    PYTHONPATH=src python benchmarks/kernel_registers.py                      # the paper preset's shapes, bf16
    PYTHONPATH=src python benchmarks/kernel_registers.py --kernel embedding --dtype float32

Each kernel's autotuner configurations are compiled ahead of time with the installed Triton (no GPU,
:func:`gpnerf.model.triton_support.compile_configurations`) at the shapes of ``--preset``, and the PTX goes through
``ptxas -v`` (the ptxas bundled with Triton) for its resource usage. A Hopper SM has 65,536 registers: a kernel at
240 registers per thread fits 8 warps, at 64 it fits 32; past 255 it spills to local memory. The cubin goes through
the bundled ``nvdisasm`` for its instruction count and the size of its largest loop body (the instructions a warp
issues per trip: a program of the FAT kernel issues ``instructions - loop + views x loop``; a kernel that issues
about two instructions a cycle, as Nsight Compute showed the FAT kernel does, gets faster with fewer,
docs/performance.md section 22). Speed is not measured
here (the GPU benchmarks do that); this shows what limits a kernel's occupancy before a lease is spent on it
(docs/performance.md, "Measured and dropped"). Kernels: the FAT block's per-view work (also reading its tokens from two
tables in the merged order, and writing the features alone), the RAT attention, the block
tail, the input embedding, the fold's contraction with W formed on chip and the scales it reads (the sampling kernels
take explicit types in their tests and are not listed).
"""

import argparse
import re
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import torch

try:  # run from a checkout without PYTHONPATH=src
    import gpnerf  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gpnerf.model import PRESETS  # noqa: E402
from gpnerf.model import (  # noqa: E402
    fused_attention_contraction, fused_embedding, fused_feed_forward, fused_field_attention, fused_fold_statistics,
    fused_ray_attention,
)
from gpnerf.model.config import ModelConfig  # noqa: E402
from gpnerf.model.field_aggregation import FieldAggregationTransformer, FieldAttention, feed_forward  # noqa: E402
from gpnerf.model.fused_feature_sampling import DeferredSamples  # noqa: E402
from gpnerf.model.point_inputs import MergedSamples  # noqa: E402
from gpnerf.model.triton_support import argument_types, compile_configurations, triton  # noqa: E402

DTYPES = {"bf16": torch.bfloat16, "float32": torch.float32}
POINTS = 8
"""A stand-in for a chunk's points: the compiled code depends on the widths and on the loops' constants (views,
samples), not on the number of rows."""


def field_attention(
    config: ModelConfig, dtype: torch.dtype, views: int, with_attention: bool = True, merged: bool = False
) -> tuple:
    transformer = replace(config.transformer, dropout=0.0)
    block = FieldAggregationTransformer(transformer, True, fold_logit_projections=True)
    weights = block.kernel_weights()
    d = transformer.d_rgb
    tokens = torch.zeros(POINTS, views, d, dtype=dtype)
    if merged:  # one ray of POINTS samples: half from each table
        half = POINTS // 2
        tokens = MergedSamples(tokens[None, :half], tokens[None, half:], torch.arange(POINTS)[None])
    arguments, constants = fused_field_attention.kernel_arguments(
        tokens, torch.zeros(POINTS, views, 4), torch.zeros(POINTS, views, dtype=torch.bool),
        torch.zeros(POINTS, d, dtype=dtype), weights, with_attention,
    )
    return fused_field_attention._fused_field_attention_kernel, arguments, constants


def field_attention_merged(config: ModelConfig, dtype: torch.dtype, views: int) -> tuple:
    """The FAT kernel reading X_rgb from two tables in the merged order (the render's fine pass: ``MERGED_TOKENS``)."""
    return field_attention(config, dtype, views, merged=True)


def field_features(config: ModelConfig, dtype: torch.dtype, views: int) -> tuple:
    """The FAT kernel writing the block's features alone (the render's coarse pass: ``with_attention=False``)."""
    return field_attention(config, dtype, views, with_attention=False)


def ray_attention(config: ModelConfig, dtype: torch.dtype, views: int) -> tuple:
    samples = config.sampling.num_coarse + config.sampling.num_importance  # the fine pass's
    d = config.transformer.d_rgb
    arguments, constants = fused_ray_attention.kernel_arguments(
        torch.zeros(2, samples, d, dtype=dtype), torch.nn.LayerNorm(d), torch.zeros(3 * d, d),
        config.transformer.num_heads, dtype,
    )
    return fused_ray_attention._fused_ray_attention_kernel, arguments, constants


def block_tail(config: ModelConfig, dtype: torch.dtype, views: int, with_query_update: bool = False) -> tuple:
    d = config.transformer.d_rgb
    x = torch.zeros(POINTS, d, dtype=dtype)
    update = None
    if with_query_update:  # a q_fc on the output (the FAT blocks of the layers that re-inject the positions)
        q_fc = torch.nn.Sequential(torch.nn.Linear(d + 2 * config.transformer.d_posenc, d), torch.nn.ReLU(),
                                   torch.nn.Linear(d, d))
        terms = torch.zeros(POINTS, d, dtype=dtype), torch.zeros(1, d, dtype=dtype)  # PE(x) rows, one ray's PE(d)
        update = fused_feed_forward.QueryUpdate(q_fc, *terms)
    arguments, constants = fused_feed_forward.kernel_arguments(
        x, x, torch.nn.Linear(d, d), torch.nn.LayerNorm(d), feed_forward(d, config.transformer.ff_multiplier, 0.0), dtype,
        update,
    )
    return fused_feed_forward._fused_block_tail_kernel, arguments, constants


def block_tail_query_update(config: ModelConfig, dtype: torch.dtype, views: int) -> tuple:
    """The block tail applying a q_fc to its output."""
    return block_tail(config, dtype, views, with_query_update=True)


def embedding(config: ModelConfig, dtype: torch.dtype, views: int) -> tuple:
    d, d_in = config.transformer.d_rgb, 3 + config.encoder.d_rgb_features
    module = torch.nn.Sequential(torch.nn.Linear(d_in, d), torch.nn.ReLU(), torch.nn.Linear(d, d))
    arguments, constants = fused_embedding.kernel_arguments(torch.zeros(POINTS, views, d_in, dtype=dtype), module, dtype)
    return fused_embedding._fused_embedding_kernel, arguments, constants


def attention_contraction(config: ModelConfig, dtype: torch.dtype, views: int) -> tuple:
    """The fine pass's contraction with W formed on chip from every layer's FAT logits (two rays stand in)."""
    samples = config.sampling.num_coarse + config.sampling.num_importance
    d, layers = config.transformer.d_rgb, config.transformer.num_layers
    statistic = torch.zeros(2, samples, d)
    attention = FieldAttention(None, None, None, torch.zeros(2, samples, views, d, dtype=dtype), statistic, statistic)
    deferred = DeferredSamples(torch.zeros(views, config.encoder.d_sem, 4, 4, dtype=dtype), torch.zeros(views, 2, samples, 2), 8, 8, dtype)
    arguments, constants, _ = fused_attention_contraction.kernel_arguments(
        deferred, [attention] * layers, [statistic] * layers
    )
    return fused_attention_contraction._contract_attention_kernel, arguments, constants


def fold_statistics(config: ModelConfig, dtype: torch.dtype, views: int) -> tuple:
    """The fine pass's per-layer scales and position sum (two rays stand in; float32 whatever ``dtype``)."""
    samples = config.sampling.num_coarse + config.sampling.num_importance
    d, heads, layers = config.transformer.d_rgb, config.transformer.num_heads, config.transformer.num_layers
    statistic = torch.zeros(2, samples, d)
    attention = FieldAttention(None, None, statistic, None, statistic, statistic)
    arguments, constants, _ = fused_fold_statistics.kernel_arguments(
        [attention] * layers, [torch.zeros(2, heads, samples)] * layers, with_position=True
    )
    return fused_fold_statistics._fold_statistics_kernel, arguments, constants


KERNELS = {
    "field_attention": field_attention, "field_attention_merged": field_attention_merged,
    "field_features": field_features, "ray_attention": ray_attention,
    "block_tail": block_tail, "block_tail_query_update": block_tail_query_update, "embedding": embedding, "attention_contraction": attention_contraction,
    "fold_statistics": fold_statistics,
}


def ptxas_usage(ptx: str) -> dict:
    """``ptxas -v`` on ``ptx`` for sm_90a: registers per thread and spill bytes (stores + loads)."""
    ptxas = Path(triton.__file__).parent / "backends" / "nvidia" / "bin" / "ptxas"
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "kernel.ptx"
        source.write_text(ptx)
        result = subprocess.run(
            [str(ptxas), "-v", "--gpu-name", "sm_90a", str(source), "-o", str(Path(folder) / "kernel.cubin")],
            capture_output=True, text=True, check=True,
        )
    registers = re.search(r"Used (\d+) registers", result.stderr)
    spills = [int(n) for n in re.findall(r"(\d+) bytes spill (?:stores|loads)", result.stderr)]
    if registers is None:
        raise RuntimeError(f"ptxas printed no register count:\n{result.stderr}")
    return {"registers": int(registers.group(1)), "spill_bytes": sum(spills)}


def sass_counts(cubin: bytes) -> dict:
    """The SASS of ``cubin`` (bundled ``nvdisasm``): its instruction count and the instructions in its largest loop
    body (from a backward branch's target to the branch; 0 without a loop)."""
    nvdisasm = Path(triton.__file__).parent / "backends" / "nvidia" / "bin" / "nvdisasm"
    with tempfile.TemporaryDirectory() as folder:
        binary = Path(folder) / "kernel.cubin"
        binary.write_bytes(cubin)
        sass = subprocess.run([str(nvdisasm), "-c", str(binary)], capture_output=True, text=True, check=True).stdout
    addresses, labels, pending = [], {}, []
    branches = []  # (address of the branch, its target label)
    for line in sass.splitlines():
        label = re.match(r"\s*(\.L_x_\d+):", line)
        if label:
            pending.append(label.group(1))
            continue
        instruction = re.match(r"\s*/\*([0-9a-f]+)\*/\s+([^;]*);", line)
        if not instruction:
            continue
        address = int(instruction.group(1), 16)
        addresses.append(address)
        labels.update(dict.fromkeys(pending, address))
        pending = []
        branch = re.search(r"\bBRA\b.*`\((\.L_x_\d+)\)", instruction.group(2))
        if branch:
            branches.append((address, branch.group(1)))
    loops = [(labels[target], address) for address, target in branches if labels.get(target, address) < address]
    largest = max((sum(start <= a <= end for a in addresses) for start, end in loops), default=0)
    return {"instructions": len(addresses), "loop_instructions": largest}


def run(args: argparse.Namespace) -> list[dict]:
    if triton is None:
        raise SystemExit("kernel_registers.py needs Triton (installed with the dev extra on Linux x86_64).")
    config, dtype = PRESETS[args.preset], DTYPES[args.dtype]
    rows = []
    for name in args.kernel or list(KERNELS):
        kernel, arguments, constants = KERNELS[name](config, dtype, args.views)
        aligned = [i for i, a in enumerate(arguments) if isinstance(a, torch.Tensor)]
        for launch_config, compiled in compile_configurations(kernel, argument_types(kernel, arguments), constants, aligned):
            launch = ", ".join(f"{key} {value}" for key, value in launch_config.kwargs.items())
            rows.append({
                "kernel": name,
                "launch": f"{launch}, {launch_config.num_warps} warps".lstrip(", ")
                + (f", at most {launch_config.maxnreg} registers" if launch_config.maxnreg else ""),
                "shared_bytes": compiled.metadata.shared, **ptxas_usage(compiled.asm["ptx"]),
                **sass_counts(compiled.asm["cubin"]),
            })
    return rows


def table(rows: list[dict], args: argparse.Namespace) -> str:
    lines = [
        f"Triton kernels for sm_90, preset {args.preset}, {args.views} views, {args.dtype} (ptxas -v; 65,536 registers per SM)",
        "| kernel | launch | registers / thread | spill bytes (stores + loads) | shared bytes | SASS instructions "
        "| largest loop body |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['kernel']} | {r['launch']} | {r['registers']} | {r['spill_bytes']} | {r['shared_bytes']} "
        f"| {r['instructions']} | {r['loop_instructions']} |" for r in rows
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="paper-scannet", choices=sorted(PRESETS))
    parser.add_argument("--dtype", default="bf16", choices=sorted(DTYPES))
    parser.add_argument("--views", type=int, default=10, help="source views (the FAT and embedding kernels' loop)")
    parser.add_argument("--kernel", action="append", choices=sorted(KERNELS), help="repeatable; default: all")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> list[dict]:
    args = parse_args(argv)
    rows = run(args)
    print(table(rows, args))
    return rows


if __name__ == "__main__":
    main()

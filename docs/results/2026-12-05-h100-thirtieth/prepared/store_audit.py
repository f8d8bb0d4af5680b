"""The sm_90 code of the projection and PE(x) terms kernels of one tree, compiled on the CPU (no GPU): registers
(ptxas -v), SASS instructions (nvdisasm) and the global stores and loads by PTX form. The figures in docs/benchmarks.md
(thirtieth run) and docs/performance.md section 29 (56 scalar stores -> 16 8-byte + 8 1-byte, 118 -> 168 registers;
6,648 -> 5,952 SASS instructions at 64 x 64 x 4) came from it, once per tree:

    PYTHONPATH=.variants/head/src:benchmarks python3 docs/results/2026-12-05-h100-thirtieth/prepared/store_audit.py
    PYTHONPATH=.variants/new/src:benchmarks python3 docs/results/2026-12-05-h100-thirtieth/prepared/store_audit.py

Shapes: 10 views, bf16 direction; the PE(x) weight of 8 q_fcs of d_rgb 64 and 10 octaves (either tree's layout).
"""

import collections
import re

import torch
from kernel_registers import ptxas_usage, sass_counts

from gpnerf.geometry import Cameras, intrinsics_from_fov
from gpnerf.model import fused_position_terms, fused_projection
from gpnerf.model.triton_support import argument_types, compile_configurations


def memory_forms(ptx: str) -> str:
    stores = collections.Counter(re.findall(r"st\.global[.\w]*", ptx))
    loads = collections.Counter(re.findall(r"ld\.global[.\w]*", ptx))
    return f"stores {dict(stores)}, loads {dict(loads)}"


def report(name: str, launch, compiled) -> None:
    usage, instructions = ptxas_usage(compiled.asm["ptx"]), sass_counts(compiled.asm["cubin"])["instructions"]
    print(f"{name} {launch.kwargs} {launch.num_warps} warps: {usage['registers']} registers, "
          f"{instructions} SASS instructions, {memory_forms(compiled.asm['ptx'])}")


views = 10
cameras = Cameras(intrinsics_from_fov(320, 240, 60.0).expand(views, 3, 3).contiguous(),
                  torch.eye(4).repeat(views, 1, 1), 240, 320)
with torch.autocast("cpu", dtype=torch.bfloat16):
    arguments, constants, _ = fused_projection.kernel_arguments(torch.zeros(8, 4, 3), cameras, torch.zeros(3))
types = dict(zip(  # the pixel bounds are floats (argument_types would type every scalar i32)
    ("xyz_ptr", "intrinsics_ptr", "pose_ptr", "target_ptr", "uv_ptr", "valid_ptr", "direction_ptr", "points", "views",
     "last_column", "last_row"),
    ("*fp32",) * 5 + ("*i1", "*bf16", "i32", "i32", "fp32", "fp32"),
))
projection = fused_projection._project_points_kernel
for launch, compiled in compile_configurations(projection, types, constants, aligned=list(range(7))):
    report("projection", launch, compiled)

d_pe, columns = 63, 8 * 64
try:  # the branch's weight, (padded(d_pe), columns)
    arguments, constants, _ = fused_position_terms.kernel_arguments(
        torch.zeros(8, 4, 3), torch.zeros(64, columns, dtype=torch.bfloat16), 10)
except ValueError:  # main's, (columns, d_pe)
    arguments, constants, _ = fused_position_terms.kernel_arguments(
        torch.zeros(8, 4, 3), torch.zeros(columns, d_pe, dtype=torch.bfloat16), 10)
kernel = fused_position_terms._position_terms_kernel
for launch, compiled in compile_configurations(kernel, argument_types(kernel, arguments), constants, [0, 1, 2]):
    report("position terms", launch, compiled)

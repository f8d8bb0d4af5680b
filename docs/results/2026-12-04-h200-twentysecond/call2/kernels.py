"""Launch gpnerf's two largest render kernels once each at a render chunk's shapes (4800 rays, 10 views, bf16), in
fixed launch configurations, for Nsight Compute: the FAT kernel on the fine pass's 64 samples (attention written) in
the sweep's best and the autotuner's render pick, on the coarse pass's 48 samples (features alone), and the
contraction with W on chip (bench_contraction.py's inputs). Run from the repository root with src/ on PYTHONPATH."""

import sys
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path.cwd() / "benchmarks"))
import bench_contraction  # noqa: E402
from gpnerf.model import PRESETS  # noqa: E402
from gpnerf.model import fused_attention_contraction as on_chip  # noqa: E402
from gpnerf.model import fused_field_attention as fused  # noqa: E402
from gpnerf.model.field_aggregation import FieldAggregationTransformer  # noqa: E402
from gpnerf.model.fused_feature_sampling import DeferredSamples  # noqa: E402
from gpnerf.model.triton_support import triton  # noqa: E402

RAYS, VIEWS = 4800, 10


def fat(samples: int, with_attention: bool, points: int, split: int, warps: int, stages: int) -> None:
    torch.manual_seed(0)
    config = replace(PRESETS["paper-scannet"].transformer, dropout=0.0)
    block = FieldAggregationTransformer(config, compute_dtype_attention=True, fold_logit_projections=True).cuda().eval()
    n, d = RAYS * samples, config.d_rgb
    tokens = torch.randn(n, VIEWS, d, device="cuda").bfloat16()
    direction = torch.randn(n, VIEWS, 4, device="cuda")
    valid = torch.rand(n, VIEWS, device="cuda") > 0.1
    with torch.no_grad():
        weights, query_to_hidden, hidden_bias = block.kernel_weights()
        query_hidden = block.attn_norm(torch.randn(n, d, device="cuda")) @ query_to_hidden.t() - hidden_bias
    arguments, constants = fused.kernel_arguments(tokens, direction, valid, query_hidden, weights, with_attention)
    fused._fused_field_attention_kernel.fn[(triton.cdiv(n, points), split)](
        *arguments, **constants, BLOCK_POINTS=points, CHANNEL_SPLIT=split, num_warps=warps, num_stages=stages
    )
    torch.cuda.synchronize()


def contraction(pairs: int, groups: int, warps: int) -> None:
    args = bench_contraction.parse_args(["--device", "cuda"])
    maps, uv, attentions, means = bench_contraction.inputs(args, torch.device("cuda"))
    deferred = DeferredSamples(maps, uv, args.height, args.width, torch.float32)
    arguments, constants, rays = on_chip.kernel_arguments(deferred, attentions, means)
    on_chip._contract_attention_kernel.fn[(rays * triton.cdiv(args.groups, groups),)](
        *arguments, **constants, BLOCK_PAIRS=pairs, BLOCK_GROUPS=groups, num_warps=warps
    )
    torch.cuda.synchronize()


if __name__ == "__main__":
    fat(64, True, 64, 2, 8, 3)  # the fine pass, the sweep's best (twenty-second run, call 1)
    fat(64, True, 32, 1, 4, 3)  # the fine pass, the render's pick in call 1's old rows
    fat(48, False, 64, 2, 8, 3)  # the coarse pass, features alone
    contraction(16, 8, 2)  # the render's pick (twenty-first run, call 5)
    print("launched")

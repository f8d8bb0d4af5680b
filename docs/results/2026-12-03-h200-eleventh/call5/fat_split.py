"""Eleventh run, call 5: the FAT kernel per launch configuration (points per program x channel split x warps) at the
render's shapes (4800 rays x 64 and x 48 samples, 10 views, d_rgb 64, bf16), CUDA events, median of 20 launches."""
import json, os, statistics
from dataclasses import replace

import torch

from gpnerf.model import PRESETS, fused_field_attention as fused
from gpnerf.model.field_aggregation import FieldAggregationTransformer
from gpnerf.model.triton_support import triton

torch.manual_seed(0)
config = replace(PRESETS["paper-scannet"].transformer, dropout=0.0)
block = FieldAggregationTransformer(config, True, fold_logit_projections=True, fused_inference=True).cuda().eval()
weights, query_to_hidden, hidden_bias = block.kernel_weights()
records = []


def timed(fn, repeats=20):
    fn(); torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); torch.cuda.synchronize(); times.append(a.elapsed_time(b))
    return statistics.median(times)


with torch.no_grad():
    for points in (4800 * 64, 4800 * 48):
        tokens = torch.randn(points, 10, config.d_rgb, device="cuda").bfloat16()
        direction = torch.randn(points, 10, 4, device="cuda")
        valid = torch.rand(points, 10, device="cuda") > 0.2
        query_hidden = torch.randn(points, config.d_attn_hidden, device="cuda")
        arguments, constants = fused.kernel_arguments(tokens, direction, valid, query_hidden, weights)
        kernel = fused._fused_field_attention_kernel
        reference = None
        for cfg in fused.launches_for(kernel.configs, {}, **constants):
            meta = dict(cfg.kwargs)
            grid = (triton.cdiv(points, meta["BLOCK_POINTS"]), meta["CHANNEL_SPLIT"])

            def launch():
                return kernel.fn[grid](*arguments, **constants, **meta, num_warps=cfg.num_warps, num_stages=cfg.num_stages)

            compiled = launch()
            ms = timed(launch)
            outputs = [t.float().clone() for t in arguments[fused.OUTPUTS]]
            reference = reference or outputs
            error = max(float((o - r).norm() / r.norm()) for o, r in zip(outputs, reference))
            regs, spills = getattr(compiled, "n_regs", None), getattr(compiled, "n_spills", None)
            print(points, meta, "warps", cfg.num_warps, f"{ms:.3f} ms", "regs", regs, "spills", spills,
                  f"vs first config {error:.1e}", flush=True)
            records.append(dict(points=points, config=meta, warps=cfg.num_warps, ms=ms, regs=regs, spills=spills, error=error))
        auto = timed(lambda: fused.fused_field_attention(tokens, direction, valid, query_hidden, weights))
        print(points, "autotuned (with the host's argument preparation)", f"{auto:.3f} ms", fused.tuned_launch(), flush=True)
        records.append(dict(points=points, autotuned_ms=auto, launch=fused.tuned_launch()))
json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "fat_split.json"), "w"), indent=1)

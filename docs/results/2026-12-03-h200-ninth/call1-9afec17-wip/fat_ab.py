"""EXPERIMENT (not committed): the FAT kernel's online (view loop) vs one-tile forms at render shapes, per config."""
import json, os, statistics, sys
import torch, triton
sys.path.insert(0, "tests/model")
from dataclasses import replace
from gpnerf.model import PRESETS, fused_field_attention as fused
from gpnerf.model.field_aggregation import FieldAggregationTransformer

out_dir = os.environ.get("OUT", "/tmp")
torch.manual_seed(0)
config = replace(PRESETS["paper-scannet"].transformer, dropout=0.0)
block = FieldAggregationTransformer(config, True, fold_logit_projections=True, fused_inference=True).cuda().eval()
k2h, q2h, p2h, hb = block._folded_weights()
weights = fused.FoldedFieldWeights(block.v_fc.weight, k2h, block.pos_fc[0], block.pos_fc[2], p2h, block.attn_fc[2])
records = []

def timed(fn, repeats=20):
    fn(); torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); torch.cuda.synchronize(); times.append(a.elapsed_time(b))
    return statistics.median(times)

for points in (4800 * 64, 4800 * 48):
    views, d = 10, 64
    tokens = torch.randn(points, views, d, device="cuda").bfloat16()
    direction = torch.randn(points, views, 4, device="cuda")
    valid = torch.rand(points, views, device="cuda") > 0.2
    valid[:7] = False
    query_hidden = torch.randn(points, config.d_attn_hidden, device="cuda")
    results = {}
    for name in ("online", "tile"):
        fused.KERNEL = name
        results[name] = [t.clone() for t in fused.fused_field_attention(tokens, direction, valid, query_hidden, weights)]
        auto = timed(lambda: fused.fused_field_attention(tokens, direction, valid, query_hidden, weights))
        kernel = fused._fused_field_attention_kernel if name == "online" else fused._field_attention_tile_kernel
        print(points, name, "autotuned", f"{auto:.3f} ms", kernel.best_config, flush=True)
        records.append(dict(points=points, kernel=name, config="autotuned:" + str(kernel.best_config), ms=auto))
        args, consts = fused.kernel_arguments(tokens, direction, valid, query_hidden, weights)
        views_pad = triton.next_power_of_2(views)
        for cfg in kernel.configs:
            meta = dict(cfg.kwargs)
            if name == "online":
                grid = (triton.cdiv(points, meta["BLOCK_POINTS"]),)
                extra = {}
            else:
                grid = (triton.cdiv(points, meta["BLOCK_ROWS"] // views_pad), triton.cdiv(d, meta["BLOCK_CHANNELS"]))
                extra = {"VIEWS_PAD": views_pad}
            def launch():
                return kernel.fn[grid](*args, **consts, **extra, **meta, num_warps=cfg.num_warps, num_stages=cfg.num_stages)
            compiled = launch()
            ms = timed(launch)
            regs = getattr(compiled, "n_regs", None); spills = getattr(compiled, "n_spills", None)
            print(points, name, meta, "warps", cfg.num_warps, f"{ms:.3f} ms", "regs", regs, "spills", spills, flush=True)
            records.append(dict(points=points, kernel=name, config=str(meta), warps=cfg.num_warps, ms=ms, regs=regs, spills=spills))
    for i, what in enumerate(("out", "attention", "weighted_position")):
        a, b = results["online"][i].float(), results["tile"][i].float()
        rel = float((a - b).norm() / a.norm()); mx = float((a - b).abs().max())
        print(points, "tile vs online", what, "rel", rel, "max", mx, flush=True)
        records.append(dict(points=points, compare=what, rel=rel, max=mx))
fused.KERNEL = "tile"
json.dump(records, open(os.path.join(out_dir, "fat_ab.json"), "w"), indent=1)

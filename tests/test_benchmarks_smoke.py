"""benchmarks/bench_model.py and bench_table.py run end to end in --smoke mode (tiny, CPU), so they never rot."""

import importlib.util
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gpnerf.model.fused_field_attention import LAUNCH_SHAPES

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_model_smoke_writes_json_and_table(tmp_path, capsys):
    bench, table = load("bench_model"), load("bench_table")
    paths = []
    for implementation in ("reference", "fast"):
        path = tmp_path / f"{implementation}.json"
        extra = ["--trainer-step"] if implementation == "fast" else []  # + the trainer's guard and Adam choice
        record = bench.main(["--smoke", "--implementation", implementation, "--label", implementation, "--json", str(path), *extra])
        assert record["trainer_step"] is bool(extra)
        paths.append(str(path))
        assert json.loads(path.read_text()) == record
        names = [r["name"] for r in record["results"]]
        assert names == ["train", "render"]
        for result in record["results"]:
            assert "error" not in result, result
            assert result["median_s"] > 0 and len(result["times_s"]) == 1 and result["tflops_per_s"] > 0
    assert "| reference | cpu" in capsys.readouterr().out
    text = table.main(paths + ["--baseline", "reference", "--out", str(tmp_path / "table.md")])
    assert text.count("\n") == 5 and "1.00x" in text and (tmp_path / "table.md").exists()


def test_bench_model_kernel_switches_reach_the_blocks_and_the_label(tmp_path):
    bench = load("bench_model")
    record = bench.main(["--smoke", "--implementation", "fast", "--what", "render", "--fused-ray-attention", "off",
                         "--fused-block-tail", "off", "--fused-embedding", "off", "--json", str(tmp_path / "k.json")])
    assert record["label"].endswith("no-fused-rat no-fused-tail no-fused-embedding")
    assert not record["fused_ray_attention"] and not record["fused_block_tail"]  # read from the blocks
    assert not record["fused_embedding"]
    assert set(record["fused_launch"]) == {"field_attention", "ray_attention", "block_tail", "embedding"}  # None each on the CPU
    default = bench.main(["--smoke", "--implementation", "fast", "--what", "render", "--json", str(tmp_path / "d.json")])
    assert default["fused_ray_attention"] and default["fused_block_tail"] and default["fused_embedding"]


def test_bench_model_sets_inductor_settings_and_refuses_bad_ones(tmp_path):
    import torch._inductor.config as inductor_config

    bench = load("bench_model")
    before = inductor_config.autotune_local_cache
    try:
        record = bench.main(["--smoke", "--what", "render", "--inductor-config", "autotune_local_cache=False",
                             "--json", str(tmp_path / "i.json")])
        assert inductor_config.autotune_local_cache is False
    finally:
        inductor_config.autotune_local_cache = before
    assert record["inductor_config"] == {"autotune_local_cache": False}
    assert record["label"].endswith(" autotune_local_cache=False")
    for item, message in (("autotune_local_cache", "takes NAME=VALUE"), ("no_such_setting=1", "has no setting"),
                          ("autotune_local_cache=maybe", "is not a Python literal")):
        with pytest.raises(SystemExit, match=message):
            bench.parse_args(["--smoke", "--inductor-config", item])


def test_bench_model_records_failures_and_continues(tmp_path):
    bench = load("bench_model")
    record = bench.main(["--smoke", "--what", "render", "--chunk", "64", "--json", str(tmp_path / "r.json")])
    assert [r["name"] for r in record["results"]] == ["render"]
    failing = bench.measure("boom", lambda: 1 / 0, bench.Timer(bench.torch.device("cpu")), bench.parse_args(["--smoke"]), bench.torch.device("cpu"), 1.0)
    assert failing["error"].startswith("ZeroDivisionError")


def test_bench_model_records_inductors_autotuning_choices_silently(capsys):
    """What inductor's debug log says about first-launch autotuning lands in the measurement's record (every
    configuration's time and the one kept), not on the console, and the logger is left as it was."""
    import logging

    bench = load("bench_model")
    logger = logging.getLogger(bench.AutotuningLog.LOGGER)
    before = (logger.level, logger.propagate, list(logger.handlers))

    def launch_with_autotuning() -> None:
        logger.debug("Benchmark all input configs for %s, get:", "triton_kernel")
        logger.debug("%s: %f, nreg %d, nspill %d, #shared-mem %s", "BLOCK: 64, num_warps: 4", 0.5, 40, 0, 0)
        logger.debug("Triton cache dir: %s", "/tmp")
        logger.debug("Best config for %s: %s: %f, nreg %d", "triton_kernel", "BLOCK: 64, num_warps: 4", 0.5, 40)

    record = bench.measure("tuned", launch_with_autotuning, bench.Timer(bench.torch.device("cpu")),
                           bench.parse_args(["--smoke"]), bench.torch.device("cpu"), 1.0)
    assert record["autotuning"] == [
        "Benchmark all input configs for triton_kernel, get:", "BLOCK: 64, num_warps: 4: 0.500000, nreg 40, nspill 0, #shared-mem 0",
        "Best config for triton_kernel: BLOCK: 64, num_warps: 4: 0.500000, nreg 40",
    ]
    assert (logger.level, logger.propagate, list(logger.handlers)) == before
    assert "Best config" not in capsys.readouterr().err


def test_bench_contraction_smoke_times_the_pytorch_path(tmp_path, capsys):
    """On the CPU (no Triton kernels) the script times the PyTorch path alone; the kernels' variants and the launch
    sweep are the GPU's (their arithmetic is tested in tests/model/test_fused_attention_contraction.py)."""
    record = load("bench_contraction").main(["--smoke", "--json", str(tmp_path / "c.json")])
    assert [r["variant"] for r in record["results"]] == ["einsum"] and record["results"][0]["median_s"] > 0
    assert json.loads((tmp_path / "c.json").read_text()) == record
    assert "| einsum |" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="multiple of --groups"):
        load("bench_contraction").parse_args(["--channels", "100", "--groups", "64"])


def test_bench_block_tail_smoke_times_the_pytorch_ops(tmp_path, capsys):
    """On the CPU (no Triton kernels) the script times the PyTorch ops alone; the kernel's variant and the launch sweep
    are the GPU's (its arithmetic is tested in tests/model/test_fused_feed_forward.py)."""
    record = load("bench_block_tail").main(["--smoke", "--json", str(tmp_path / "t.json")])
    assert [r["variant"] for r in record["results"]] == ["pytorch"] and record["results"][0]["median_s"] > 0
    assert (record["rows"], record["d_rgb"], record["hidden"]) == (24, 16, 64)
    assert json.loads((tmp_path / "t.json").read_text()) == record
    assert "| pytorch |" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="--rows must be >= 1"):
        load("bench_block_tail").parse_args(["--rows", "0"])


def test_count_ops_smoke_counts_each_phase(tmp_path, capsys):
    """count_ops.py runs on CPU; the multi-tensor guard and fused Adam dispatch far fewer operators."""
    record = load("count_ops").main(["--smoke", "--json", str(tmp_path / "ops.json")])
    counts = record["counts"]
    assert json.loads((tmp_path / "ops.json").read_text()) == record
    assert counts["forward"] > 100 and counts["backward"] > 100
    assert counts["guard_multi_tensor"] < 20 < record["parameter_tensors"] < counts["guard_per_tensor"]
    assert counts["adam_fused"] < 10 < counts["adam_foreach"]
    assert record["step_after"] < record["step_before"]
    assert "| training step |" in capsys.readouterr().out


def test_bench_fat_block_smoke_times_both_variants(tmp_path, capsys):
    record = load("bench_fat_block").main(["--smoke", "--json", str(tmp_path / "fat.json")])
    assert json.loads((tmp_path / "fat.json").read_text()) == record
    assert {(r["variant"], r["measurement"]) for r in record["results"]} == {
        (v, m) for v in ("reference", "folded") for m in ("forward", "train")
    }
    assert all(r["median_s"] > 0 for r in record["results"])
    assert "| train |" in capsys.readouterr().out


def test_gemm_shapes_smoke_logs_products_and_flags_unaligned(tmp_path, capsys):
    module = load("gemm_shapes")
    record = module.main(["--smoke", "--json", str(tmp_path / "gemm.json")])
    assert json.loads((tmp_path / "gemm.json").read_text()) == record
    for phase in ("render", "train"):
        data = record["phases"][phase]
        assert data["flops"] == pytest.approx(sum(row["flops"] for row in data["rows"])) and data["flops"] > 0
        assert 0.0 <= data["unaligned_share"] <= 1.0
    assert "| M | N | K |" in capsys.readouterr().out
    matrix = torch.zeros(16, 64)
    assert module.aligned(matrix) and module.aligned(matrix.t())
    assert not module.aligned(matrix[:, 1:]) and not module.aligned(torch.zeros(16, 35))
    with module.ProductLog() as log:
        torch.zeros(4, 35) @ torch.zeros(35, 16)
        torch.zeros(4, 32) @ torch.zeros(32, 16)
    assert sorted(log.calls) == [(4, 16, 32, 1, True), (4, 16, 35, 1, False)]


@pytest.mark.skipif(importlib.util.find_spec("triton") is None, reason="needs Triton (the dev extra on Linux x86_64)")
def test_saved_tensors_smoke_lists_what_the_backward_keeps(capsys):
    module = load("saved_tensors")
    for unroll in ("on", "off"):
        storages = module.main(["--smoke", "--unroll-views", unroll])
        assert storages and all(size > 0 for size, _, _ in storages.values())
    fold = module.main(["--smoke", "--what", "fold"])
    x_bytes = 2 * 3 * 4 * 8 * 16 * 2  # bf16 X of the smoke fold: rays x samples x views x 8 d_rgb
    assert any(size == x_bytes for size, _, _ in fold.values())  # the weights' gradients read X
    assert "saved for the backward:" in capsys.readouterr().out


def test_kernel_registers_builds_every_kernels_arguments():
    """Every kernel the script lists makes its launch arguments with the model's current signatures (no compile: the
    launch-configuration test below compiles two of them). block_tail_query_update once fell behind QueryUpdate's
    fields and failed only when asked for."""
    import torch

    from gpnerf.model import PRESETS

    module = load("kernel_registers")
    pytest.importorskip("triton")
    for name, make in module.KERNELS.items():
        kernel, arguments, constants = make(PRESETS["paper-scannet"], torch.bfloat16, 10)
        assert callable(getattr(kernel, "run", None)) and arguments and isinstance(constants, dict), name


@pytest.mark.parametrize("name, first_launch", [
    ("embedding", "BLOCK_POINTS 32, 4 warps"), ("attention_contraction", "BLOCK_PAIRS 16, BLOCK_GROUPS 8, 2 warps"),
])
def test_kernel_registers_reads_ptxas_for_every_launch_configuration(capsys, name, first_launch):
    """Two kernels only (a few seconds of CPU each): one row per autotuner configuration, with ptxas's figures and
    nvdisasm's counts (both kernels walk a loop: views, pairs)."""
    from gpnerf.model import fused_attention_contraction, fused_embedding

    kernel = {"embedding": fused_embedding._fused_embedding_kernel,
              "attention_contraction": fused_attention_contraction._contract_attention_kernel}[name]
    rows = load("kernel_registers").main(["--kernel", name])
    assert len(rows) == len(kernel.configs)
    assert all(0 < row["registers"] <= 255 and row["spill_bytes"] >= 0 and row["shared_bytes"] > 0 for row in rows)
    assert all(0 < row["loop_instructions"] < row["instructions"] for row in rows)
    assert f"| {name} | {first_launch} |" in capsys.readouterr().out


def test_folded_fat_logits_run_only_aligned_products():
    """Forward and backward of the folded logits at the default widths (f_P's first layer has K = 4, padded to 8)."""
    from gpnerf.model.config import TransformerConfig
    from gpnerf.model.field_aggregation import FieldAggregationTransformer

    torch.manual_seed(0)
    config = TransformerConfig()
    block = FieldAggregationTransformer(config, fold_logit_projections=True)
    rays, samples, views = 4, 8, 6  # point counts (products' M and the weight gradients' K) multiples of 8
    inputs = [torch.randn(rays, samples, config.d_rgb), torch.randn(rays, samples, views, config.d_rgb),
              torch.randn(rays, samples, views, 4)]
    inputs = [t.requires_grad_() for t in inputs]
    with load("gemm_shapes").ProductLog() as log:
        sum(o.sin().sum() for o in block.attention_logits_folded(*inputs)).backward()
    assert len(log.calls) > 0
    assert [key for key in log.calls if not key[-1]] == []


def test_input_embedding_runs_only_aligned_products():
    """``rgbfeat_fc`` reads 3 + d_rgb_features = 35 columns in the presets, padded to 40: forward and backward."""
    from gpnerf.model import PRESETS
    from gpnerf.model.posenc import PositionalEncoding
    from gpnerf.model.transformer import embed_points

    torch.manual_seed(0)
    config = PRESETS["paper-scannet"]
    d_in = 3 + config.encoder.d_rgb_features
    assert d_in % 8 != 0  # the case this guards
    d_rgb = config.transformer.d_rgb
    rgbfeat_fc = torch.nn.Sequential(torch.nn.Linear(d_in, d_rgb), torch.nn.ReLU(), torch.nn.Linear(d_rgb, d_rgb))
    rgb_tokens = torch.randn(4, 8, 6, d_in, requires_grad=True)
    with load("gemm_shapes").ProductLog() as log:
        tokens, query, _, _ = embed_points(
            rgbfeat_fc, PositionalEncoding(config.transformer.num_frequencies), rgb_tokens, torch.randn(4, 8, 3),
            torch.nn.functional.normalize(torch.randn(4, 3), dim=-1),
        )
        (tokens.sin().sum() + query.sin().sum()).backward()
    assert len(log.calls) >= 3  # the product and both gradients
    assert [key for key in log.calls if not key[-1]] == []


def test_bench_fat_block_sweeps_the_fused_kernels_launches(tmp_path):
    """Under the Triton interpreter (a subprocess: it is read when Triton compiles) the fused kernel runs on the CPU,
    and ``--sweep-launches`` times it in every launch configuration at every ``--stages`` and ``--max-registers``."""
    pytest.importorskip("triton")
    out = tmp_path / "fat.json"
    env = {**os.environ, "TRITON_INTERPRET": "1", "PYTHONPATH": str(BENCHMARKS.parent / "src")}
    command = [
        sys.executable, str(BENCHMARKS / "bench_fat_block.py"), "--smoke", "--sweep-launches", "--stages", "1", "3",
        "--max-registers", "0", "168", "--extra-launches", "32,1,2", "--json", str(out),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    record = json.loads(out.read_text())
    launches = [tuple(row["launch"]) for row in record["launches"]]
    # the smoke preset's d_rgb 16 leaves no channel split (MIN_DOT channels per program at least); the shapes' own
    # register limits (0 or 168) are among --max-registers', so each shape is timed once at each of 0 and 168
    unsplit = {shape[:3] for shape in LAUNCH_SHAPES if shape[1] == 1} | {(32, 1, 2)}
    assert sorted(launches) == sorted(
        (*shape, stages, registers) for shape in unsplit for stages in (1, 3) for registers in (0, 168)
    )
    assert all(row["median_s"] > 0 for row in record["launches"])
    assert "| points / block |" in result.stdout


def test_memory_peak_sums_the_blocks_alive_at_the_peak_by_source_line(tmp_path, capsys):
    def event(action: str, addr: int, size: int, filename: str = "/x/src/gpnerf/model/a.py", line: int = 1) -> dict:
        return {"action": action, "addr": addr, "size": size, "frames": [
            {"filename": "/torch/nn/modules/module.py", "line": 9, "name": "_call_impl"},
            {"filename": filename, "line": line, "name": "forward"},
        ]}

    events = [
        event("alloc", 1, 100), event("alloc", 2, 50, line=2), event("free_requested", 1, 100),
        event("free_completed", 1, 100), event("alloc", 3, 300, "/elsewhere/b.py"), event("alloc", 4, 20, line=2),
        event("free_completed", 3, 300), event("alloc", 5, 10),
    ]  # the peak, 370 bytes: blocks 2, 3 and 4, after the sixth event
    path = tmp_path / "snapshot.pickle"
    path.write_bytes(pickle.dumps({"segments": [], "device_traces": [events]}))
    peak, sizes, counts = load("memory_peak").main([str(path), "--top", "5"])
    assert peak == 370
    assert sizes == {"model/a.py:2 forward": 70, "<other>": 300}
    assert counts == {"model/a.py:2 forward": 2, "<other>": 1}
    assert "| 0.000 | 81.1 % | 1 | <other> |" in capsys.readouterr().out


def test_projection_precision_reports_both_forms_under_autocast(capsys):
    rows = load("projection_precision").main(["--views", "2", "--points", "50"])
    assert [(row["autocast"], row["form"]) for row in rows] == [
        (dtype, form) for dtype in ("bfloat16", "float16") for form in ("gpnerf.geometry.project", "matrix products")
    ]
    assert all(row["max_px"] <= 1e-3 for row in rows if row["form"] == "gpnerf.geometry.project")
    assert "| bfloat16 | matrix products |" in capsys.readouterr().out


def test_bench_batches_smoke_times_building_and_copying():
    line = load("bench_batches").main(["--smoke"])
    assert "cache=on cpu: 10 sources 24x32, median of 2: build " in line and "copy done" in line


def test_autotune_picks_marks_a_kernel_kept_in_another_configuration(tmp_path, capsys):
    """Two records whose contraction kept different launches (the thirty-sixth run's cold rows, lines shortened):
    that launch is marked, the block tail's (same in both) and inductor's own kernel (not listed by default) are not."""
    def line(kernel, config, ms):
        return f"Best config for {kernel}: {config}, num_ctas: 1, num_stages: 3, maxnreg: None: {ms}, nreg 96, nspill 0"

    paths = []
    for name, contraction, ms in (("a", "BLOCK_PAIRS: 32, BLOCK_GROUPS: 8, num_warps: 4", 6.14),
                                  ("b", "BLOCK_PAIRS: 8, BLOCK_GROUPS: 64, num_warps: 4", 2.90)):
        lines = [line("_fused_block_tail_kernel", "BLOCK_ROWS: 64, num_warps: 4", 0.09),
                 line("_contract_attention_kernel", contraction, ms),
                 line("triton_poi_fused_mean_4", f"XBLOCK: {128 if name == 'a' else 256}, num_warps: 4", 0.01)]
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps({"label": name, "results": [{"name": "render", "autotuning": lines}]}))
    differing = load("autotune_picks").main([str(p) for p in paths])
    assert differing == [("_contract_attention_kernel", 0)]
    out = capsys.readouterr().out
    assert "BLOCK_PAIRS: 8, BLOCK_GROUPS: 64, num_warps: 4, num_stages: 3 (2.900 ms)" in out
    assert "triton_poi_fused_mean_4" not in out
    assert load("autotune_picks").main([*map(str, paths), "--all-kernels"]) == [
        ("_contract_attention_kernel", 0), ("triton_poi_fused_mean_4", 0)]
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(SystemExit, match="broken.json: not a bench_model.py --json record"):
        load("autotune_picks").main([str(tmp_path / "broken.json")])

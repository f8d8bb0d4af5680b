"""benchmarks/profile_model.py runs end to end in --smoke mode (tiny, CPU), and its CUDA range
attribution is checked on synthetic profiler events, so the GPU profiling script never rots."""

import gzip
import importlib.util
import json
import os
import subprocess
import sys
from collections import namedtuple
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_profile_smoke(out, *args: str) -> subprocess.CompletedProcess:
    """``profile_model.py --smoke *args --out out`` in a subprocess; fails the test on a non-zero exit."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "profile_model.py"), "--smoke", *args, "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_profile_model_smoke_writes_tables(tmp_path):
    result = run_profile_smoke(tmp_path, "--what", "both", "--trace")
    label = "tiny-cpu_reference_fp32"
    for what in ("train", "render"):
        for kind in ("ops.txt", "ranges.txt", "kernels.txt", "trace.json.gz"):
            assert (tmp_path / f"{label}_{what}_{kind}").stat().st_size > 0, (what, kind)
        assert "aten::" in (tmp_path / f"{label}_{what}_ops.txt").read_text()
    train = (tmp_path / f"{label}_train_ranges.txt").read_text()
    for name in ("train_step", "train.forward", "train.backward", "encoder", "transformer.field_block",
                 "transformer.ray_block", "project_points", "sample_feature_maps", "aggregate_semantic_field", "head"):
        assert name in train, name
    render = (tmp_path / f"{label}_render_ranges.txt").read_text()
    assert "render_frame" in render and "transformer.field_block" in render and "encoder" in render
    assert "100.0%" in train and "== tiny-cpu_reference_fp32 render: ranges" in result.stdout


def test_profile_model_trainer_step_profiles_the_guard(tmp_path):
    run_profile_smoke(tmp_path, "--what", "train", "--trainer-step")
    assert "train.guard" in (tmp_path / "tiny-cpu_reference_fp32_trainer_train_ranges.txt").read_text()


def test_cuda_attribution_on_synthetic_events():
    """Kernels count for every range open at their launch, on any thread; annotation spans are dropped."""
    profile_model = load("profile_model")
    Kernel = namedtuple("Kernel", ["name", "device", "duration"])

    def event(name, start, end, thread=1, kernels=(), device="DeviceType.CPU", annotation=False):
        return SimpleNamespace(name=name, time_range=SimpleNamespace(start=start, end=end), thread=thread,
                               kernels=[Kernel(k, 0, d) for k, d in kernels], is_async=False, device_type=device,
                               is_user_annotation=annotation)

    names = {"train_step", "train.forward", "train.backward", "encoder", "transformer.field_block"}
    events = [
        event("train_step", 0, 100, kernels=[("train_step", 95.0)]),  # GPU annotation span: not a kernel
        event("train.forward", 1, 40),
        event("encoder", 2, 10),
        event("aten::conv2d", 3, 4, kernels=[("conv_kernel", 5.0), ("conv_kernel", 1.0)]),
        event("transformer.field_block", 11, 20),
        event("aten::mm", 12, 13, kernels=[("gemm", 7.0)]),
        event("aten::add", 30, 31, kernels=[("add", 2.0)]),
        event("triton_poi_fused_add_0", 32, 33, kernels=[("triton_poi_fused_add_0", 1.5)]),  # inductor's launch op
        event("train.backward", 50, 90),
        event("aten::mm", 60, 61, thread=2, kernels=[("gemm", 20.0)]),  # autograd thread
        event("transformer.field_block", 70, 80, thread=2),  # checkpoint recompute on the autograd thread
        event("aten::mm", 71, 72, thread=2, kernels=[("gemm", 3.0)]),
        event("gemm", 71, 75, device="DeviceType.CUDA"),  # device-side copy of a kernel: ignored
        event("cudaDeviceSynchronize", 95, 99),
        event("Optimizer.step#Adam.step", 200, 210, kernels=[("Optimizer.step#Adam.step", 9.0)], annotation=True),
        event("ProfilerStep#1", 200, 220, kernels=[("ProfilerStep#1", 19.0)]),  # torch's own ranges: spans only
        event("aten::_foreach_add_", 201, 202, kernels=[("foreach", 4.0)]),  # outside train_step
    ]
    analysis = profile_model.analyse(events, names, "train_step", steps=1, cuda=True)
    assert analysis.step_time_us == 39.5 and analysis.step_kernels == 7
    step = analysis.tree.children["train_step"]
    forward, backward = step.children["train.forward"], step.children["train.backward"]
    assert forward.time_us == 16.5 and forward.children["encoder"].time_us == 6.0
    assert forward.children["transformer.field_block"].time_us == 7.0 and forward.self_us == 3.5
    assert backward.time_us == 23.0 and backward.children["transformer.field_block"].time_us == 3.0
    assert analysis.flat["transformer.field_block"].time_us == 10.0 and analysis.flat["transformer.field_block"].calls == 2
    assert analysis.kernels == {
        "conv_kernel": [6.0, 2], "gemm": [30.0, 3], "add": [2.0, 1], "triton_poi_fused_add_0": [1.5, 1], "foreach": [4.0, 1],
    }
    assert analysis.host_syncs == 1
    text = profile_model.ranges_table(analysis) + profile_model.kernels_table(analysis)
    assert "kernels/step" in text and "gemm" in text and "train_step" not in profile_model.kernels_table(analysis)


def test_instrumentation_is_removed():
    profile_model = load("profile_model")
    import gpnerf.model.gpnerf as gpnerf_module
    from gpnerf.model import PRESETS

    model = profile_model.GPNeRF(PRESETS["tiny-cpu"], 4)
    original = gpnerf_module.sample_feature_maps, model.transformer.fold_semantics, model.project_points
    instrumentation = profile_model.Instrumentation(model, per_layer=True)
    assert all(patched is not before for patched, before in zip(
        (gpnerf_module.sample_feature_maps, model.transformer.fold_semantics, model.project_points), original))
    assert "transformer.field_block[1]" in instrumentation.names and model.encoder._forward_pre_hooks
    instrumentation.remove()
    assert (gpnerf_module.sample_feature_maps, model.transformer.fold_semantics, model.project_points) == original
    assert not model.encoder._forward_pre_hooks and not model.encoder._forward_hooks


def test_profile_model_fast_compiled_keeps_the_fold_range(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "profile_model.py"), "--smoke", "--what", "train", "--implementation", "fast",
         "--compile", "--compile-backend", "aot_eager", "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    ranges = (tmp_path / "tiny-cpu_fast_fp32_compiled_train_ranges.txt").read_text()
    for glue in ("fold_semantic_path", "transformer.embed_points", "transformer.project_positions",
                 "transformer.update_query_projected", "transformer.read_out", "project_points"):
        assert glue in ranges, glue
    for hooked in ("transformer.field_block", "transformer.q_fc", "transformer.rgbfeat_fc", "encoder"):
        assert hooked not in ranges, hooked  # compiled blocks and glue carry no hooks


def test_profile_model_refuses_cuda_graphs_off_cuda():
    module = load("profile_model")
    try:
        module.parse_args(["--smoke", "--cuda-graph"])
    except SystemExit as error:
        assert "--cuda-graph needs a CUDA device" in str(error)
    else:
        raise AssertionError("--cuda-graph on the CPU was accepted")


def test_trace_summary_counts_device_events(tmp_path):
    """Summed time, span, merged busy time, idle stretches and gaps from a synthetic trace (two overlapping kernels,
    a memset, a 2 ms gap, a 40 us one, host events ignored)."""
    trace_summary = load("trace_summary")
    events = [
        {"cat": "kernel", "ph": "X", "name": "gemm", "ts": 0, "dur": 100},
        {"cat": "kernel", "ph": "X", "name": "softmax", "ts": 50, "dur": 100},  # overlaps: busy 0..150
        {"cat": "gpu_memset", "ph": "X", "name": "Memset", "ts": 2150, "dur": 10},  # after a 2,000 us gap
        {"cat": "kernel", "ph": "X", "name": "gemm", "ts": 2200, "dur": 40},
        {"cat": "cpu_op", "ph": "X", "name": "aten::mm", "ts": 0, "dur": 5000},
    ]
    path = tmp_path / "trace.json.gz"
    with gzip.open(path, "wt") as handle:
        json.dump({"traceEvents": events}, handle)
    summary = trace_summary.summarise(trace_summary.load_device_events(path), gap_us=1000)
    assert summary["total"] == 250 and summary["span"] == 2240 and summary["busy"] == 200
    assert [gap for gap, _, _ in summary["gaps"]] == [2000] and summary["by_name"]["gemm"] == [140, 2]
    assert summary["idle"] == [2000, 40]
    classes = {name: (count, total) for name, count, total in trace_summary.idle_classes(summary["idle"])}
    assert classes["10-100 us"] == (1, 40) and classes["> 1000 us"] == (1, 2000) and classes["0-2 us"] == (0, 0)
    report = trace_summary.report(summary, top=2)
    assert "busy 0.2 ms" in report and "10-100 us 1 (0.04 ms)" in report
    assert summary["by_family"] == {"cuBLAS": [140, 2], "other": [100, 1], "memset": [10, 1]}
    assert "by family: cuBLAS 2 (0.14 ms); other 1 (0.10 ms); memset 1 (0.01 ms)" in report
    families = {
        "triton_per_fused_softmax_3": "inductor", "_keep_mask_kernel": "gpnerf", "nvjet_sm90_tst_64x8_h_bz_NNT": "cuBLAS",
        "void cudnn::engines_precompiled::nchwToNhwcKernel<>": "cuDNN", "sm90_xmma_wgrad_implicit_gemm_bf16": "cuDNN",
        "void at::native::elementwise_kernel<128, 4>": "aten", "void cutlass::Kernel2<cutlass_80_gemm>": "cuBLAS",
    }
    for name, family in families.items():
        assert trace_summary.event_family({"cat": "kernel", "name": name}) == family, name
    gaps = [{"cat": "kernel", "ph": "X", "name": name, "ts": 100 * i, "dur": 10}  # 90 us gaps, alternating kernels
            for i, name in enumerate(["encode", "replay"] * 6 + ["head"])]
    with gzip.open(path, "wt") as handle:
        json.dump({"traceEvents": gaps}, handle)
    report = trace_summary.report(trace_summary.summarise(trace_summary.load_device_events(path), gap_us=50), top=2)
    assert "idle gaps over the threshold: 12, 1.1 ms" in report
    assert "0.54 ms     6 x  after encode before replay" in report and "after replay before head" in report
    with gzip.open(path, "wt") as handle:
        json.dump({"traceEvents": events[-1:]}, handle)
    with pytest.raises(SystemExit, match="no kernel"):
        trace_summary.load_device_events(path)

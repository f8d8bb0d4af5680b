"""benchmarks/bench_ddp.py runs end to end in --smoke mode (tiny, CPU): world size 1, two gloo ranks, --compare."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "bench_ddp.py"


def load():
    spec = importlib.util.spec_from_file_location("bench_ddp", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def launch(*args: str) -> subprocess.CompletedProcess:
    """Run ``args`` from the repository root with one CPU thread per process; fail with its output."""
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE")}
    env.update(OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT / "src"))
    process = subprocess.run([sys.executable, *args], check=False, cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    assert process.returncode == 0, process.stdout + process.stderr
    return process


def check_record(record: dict, world_size: int) -> None:
    assert "error" not in record, record
    assert record["world_size"] == world_size and record["ddp"] == (world_size > 1)
    assert (record["preset"], record["implementation"], record["precision"]) == ("tiny-cpu", "reference", "fp32")
    assert record["rays_per_rank"] == 8 and len(record["step_s"]) == 2 and record["peak_mem_gib"] is None
    for key in ("step_s_median", "steps_per_s", "rays_per_s_total", "window_s"):
        assert record[key] > 0, key
    assert abs(record["rays_per_s_total"] - record["steps_per_s"] * 8 * world_size) < 1e-6 * record["rays_per_s_total"]
    assert record["torch_version"] and record["date"] and "bench_ddp.py --smoke" in record["command"]


def test_bench_ddp_smoke_world_size_1(tmp_path):
    path = tmp_path / "w1.json"
    process = launch(str(SCRIPT), "--smoke", "--json", str(path))
    check_record(json.loads(path.read_text()), 1)
    assert "| 1 | cpu x1 | tiny-cpu |" in process.stdout


def test_bench_ddp_smoke_two_gloo_ranks(tmp_path):
    path = tmp_path / "w2.json"
    launch("-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", str(SCRIPT),
           "--smoke", "--json", str(path))
    record = json.loads(path.read_text())
    check_record(record, 2)
    assert record["command"].startswith("torchrun --nproc-per-node 2 ")


def test_bench_ddp_compare_ratio_and_efficiency(tmp_path, capsys):
    base = {"device_name": "GPU", "preset": "paper-scannet", "implementation": "fast", "precision": "bf16",
            "checkpoint": False, "rays_per_rank": 512, "step_s_median": 0.1, "steps_per_s": 10.0, "peak_mem_gib": 9.0}
    paths = []
    for world, rays_per_s in ((1, 5000.0), (2, 9000.0)):
        paths.append(tmp_path / f"w{world}.json")
        paths[-1].write_text(json.dumps({**base, "world_size": world, "rays_per_s_total": rays_per_s}))
    comparison = load().main(["--compare", *map(str, paths), "--json", str(tmp_path / "cmp.json")])
    assert abs(comparison["scaling"] - 1.8) < 1e-12 and abs(comparison["efficiency"] - 0.9) < 1e-12
    assert json.loads((tmp_path / "cmp.json").read_text()) == comparison
    assert "rays/s x1.800, efficiency 90.0%" in capsys.readouterr().out


def test_bench_ddp_records_failures(tmp_path, monkeypatch):
    for var in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        monkeypatch.delenv(var, raising=False)
    bench = load()

    def explode(*args, **kwargs):
        raise MemoryError("no room")

    monkeypatch.setattr(bench, "GPNeRF", explode)
    record = bench.main(["--smoke", "--json", str(tmp_path / "r.json")])
    assert record["error"] == "rank 0: MemoryError: no room" and "step_s_median" not in record
    assert json.loads((tmp_path / "r.json").read_text()) == record


def test_profile_writes_one_table_per_rank(tmp_path):
    launch("-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", str(SCRIPT), "--smoke",
           "--profile", str(tmp_path / "prof"))
    names = sorted(p.name for p in (tmp_path / "prof").iterdir())
    assert names == ["ddp_w2_rank0_ops.txt", "ddp_w2_rank1_ops.txt"]
    text = (tmp_path / "prof" / "ddp_w2_rank0_ops.txt").read_text()
    assert text.startswith("# rank 0 of 2, 3 profiled steps; host wall") and "Self CPU" in text

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_synth.py"


def test_bench_synth_smoke_prints_one_line(capsys):
    spec = importlib.util.spec_from_file_location("bench_synth", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    line = module.main(["--smoke"])
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [line]
    assert "frames_per_s=" in line and "size=24x32" in line and "frames=4" in line

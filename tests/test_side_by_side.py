"""benchmarks/side_by_side.sh on the CPU (bench_model.py --smoke rows): rows that warm up together are timed after all
arrive; a row still warming up at the deadline is killed before the others are timed; ALONE=1 times each row again
alone with an inductor cache of its own (fresh autotuning); bad rows are refused."""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "side_by_side.sh"


def side_by_side(out: Path, deadline: int, *rows: str, **settings: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OUT": str(out), "ROW": "--smoke --what train", "DEADLINE": str(deadline),
           "PYTHON": sys.executable, **settings}
    return subprocess.run(["bash", str(SCRIPT), *rows], env=env, capture_output=True, text=True, timeout=300)


def turn(out: Path, name: str) -> dict:
    (result,) = json.loads((out / f"{name}.json").read_text())["results"]
    return result["timing_barrier"]


def test_rows_are_timed_once_all_have_arrived(tmp_path):
    run = side_by_side(tmp_path, 120, "reference||", "fast||--implementation fast")
    assert run.returncode == 0, run.stderr
    assert "| reference | cpu" in run.stdout and "| fast | cpu" in run.stdout
    turns = [turn(tmp_path, name) for name in ("reference", "fast")]
    assert all(t["arrived"] == 2 and not t["timed_out"] for t in turns)
    assert turns[0]["started_at"] != turns[1]["started_at"]


def test_rows_measuring_different_things_each_wait_for_their_own_kind(tmp_path):
    """A training row and a render row: each barrier counts one party (the twenty-ninth run's mixed rows each waited
    for four, timed out, and took their turns beside the other kind's)."""
    run = side_by_side(tmp_path, 120, "step||", "frame||--what render --render-repeats 1")
    assert run.returncode == 0, run.stderr
    turns = [turn(tmp_path, name) for name in ("step", "frame")]
    assert all(t["parties"] == 1 and t["arrived"] == 1 and not t["timed_out"] for t in turns)


def test_alone_times_each_row_again_by_itself_with_an_inductor_cache_of_its_own(tmp_path):
    """Each alone row compiles in a new inductor cache folder (removed after it), so nothing the first pass chose
    while the rows compiled side by side reaches it."""
    run = side_by_side(tmp_path / "out", 120, "reference||", "fast||--implementation fast", ALONE="1",
                       TMPDIR=str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert "| reference.alone | cpu" in run.stdout and "| fast.alone | cpu" in run.stdout
    caches = []
    for name in ("reference", "fast"):
        first, alone = (json.loads((tmp_path / "out" / f"{n}.json").read_text()) for n in (name, f"{name}.alone"))
        assert first["implementation"] == alone["implementation"]
        caches.append(Path(alone["inductor_cache_dir"]))
        assert caches[-1].name.startswith("side_by_side_alone.") and first["inductor_cache_dir"] != str(caches[-1])
        (result,) = alone["results"]
        assert "timing_barrier" not in result and result["median_s"] > 0
    assert caches[0] != caches[1] and all(c.parent == tmp_path and not c.exists() for c in caches)


def test_a_row_still_warming_up_at_the_deadline_is_killed_before_the_others_are_timed(tmp_path):
    slow = tmp_path / "slow"  # a row whose interpreter sleeps before it starts: a compile that outlasts the deadline
    slow.mkdir()
    (slow / "sitecustomize.py").write_text("import time\ntime.sleep(120)\n")
    out = tmp_path / "out"
    run = side_by_side(out, 30, "quick||", f"slow|PYTHONPATH={slow}|")
    assert run.returncode == 0, run.stderr
    assert "killed before the timed turns: slow" in run.stdout
    assert "slow: no result" in run.stdout and not (out / "slow.json").exists()
    quick = turn(out, "quick")
    assert quick["arrived"] == 1 and quick["timed_out"]


def test_rows_without_one_measurement_or_with_bad_names_are_refused(tmp_path):
    env = {**os.environ, "OUT": str(tmp_path), "ROW": "--smoke", "PYTHON": sys.executable}
    run = subprocess.run(["bash", str(SCRIPT), "a||"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "give --what train or --what render" in run.stderr
    run = subprocess.run(["bash", str(SCRIPT), "a b||--what train"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "must be letters, digits" in run.stderr
    run = subprocess.run(["bash", str(SCRIPT), "a||--what train"], env={**env, "ALONE": "yes"}, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and "ALONE must be 0 or 1" in run.stderr
    assert not list(tmp_path.iterdir())  # nothing started

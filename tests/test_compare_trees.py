"""benchmarks/compare_trees.sh on the CPU (bench_model.py --smoke rows): each tree's cold row, the launch choices
compared, then alone rows in turns; a tree without its benchmarks is refused."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "compare_trees.sh"


def make_tree(variants: Path, name: str, args: str | None = None) -> None:
    tree = variants / name
    tree.mkdir(parents=True)
    for part in ("src", "benchmarks"):
        (tree / part).symlink_to(ROOT / part)
    (tree / "label").write_text(f"+{name}\n")
    if args is not None:
        (tree / "args").write_text(args + "\n")


def compare(tmp_path: Path, trees: str, **settings: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OUT": str(tmp_path / "out"), "TREES": trees, "VARIANTS": str(tmp_path / "variants"),
           "ROW": "--smoke --what render --render-repeats 1", "PYTHON": sys.executable, "COMMIT": "abc1234",
           **settings}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300)


def test_trees_compile_alone_then_take_turns(tmp_path):
    make_tree(tmp_path / "variants", "new")
    make_tree(tmp_path / "variants", "old", "--implementation fast")
    run = compare(tmp_path, "new old", MAX_TURNS="3")
    assert run.returncode == 0, run.stderr
    timed = tmp_path / "out" / "timed"
    names = ["new.cold", "old.cold", "new.alone1", "old.alone2", "new.alone3"]
    assert sorted(p.stem for p in timed.glob("*.json")) == sorted(names)
    for name in names:
        assert f"| {name} | cpu" in run.stdout
        record = json.loads((timed / f"{name}.json").read_text())
        assert record["implementation"] == ("fast" if name.startswith("old") else "reference")  # old's args file
        assert record["results"][0]["median_s"] > 0
    assert "every kernel kept the same launch in every tree" in run.stdout  # the CPU tunes nothing
    assert (tmp_path / "out" / "autotune_picks.txt").exists()


def test_a_tree_without_its_benchmarks_is_refused(tmp_path):
    make_tree(tmp_path / "variants", "new")
    (tmp_path / "variants" / "empty").mkdir()
    run = compare(tmp_path, "new empty")
    assert run.returncode == 2 and "empty has no benchmarks/bench_model.py" in run.stderr
    assert not (tmp_path / "out" / "timed").exists()


def test_each_trees_trace_takes_its_own_chunk(tmp_path):
    """TRACE=1 profiles each tree at the last --chunk of the ROW and its args file (a shim stands in for Python:
    the CPU cannot run profile_model.py's CUDA trace, so the shim records its arguments and runs the rows)."""
    make_tree(tmp_path / "variants", "new")
    make_tree(tmp_path / "variants", "wide", "--chunk 96")
    calls = tmp_path / "profile_calls.txt"
    shim = tmp_path / "python"
    shim.write_text(
        "#!/usr/bin/env bash\n"
        f'if [ "$1" = benchmarks/profile_model.py ]; then echo "$*" >> {calls}; exit 0; fi\n'
        f'exec {sys.executable} "$@"\n'
    )
    shim.chmod(0o755)
    run = compare(tmp_path, "new wide", TRACE="1", MAX_TURNS="0", PYTHON=str(shim),
                  ROW="--smoke --what render --render-repeats 1 --chunk 48")
    assert run.returncode == 0, run.stderr
    traced = {line.split("--label ")[1].split()[0]: line.split("--chunk ")[1].split()[0]
              for line in calls.read_text().splitlines()}
    assert traced == {"new": "48", "wide": "96"}
    assert "new: no trace" in run.stdout and "wide: no trace" in run.stdout

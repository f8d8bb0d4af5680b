"""benchmarks/timing_barrier.py: parties that arrive at different times are timed only after the last arrives, and
never two at once; a missing party costs the timeout, and the record says so."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

PARTY = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, sys.argv[1])
    from timing_barrier import TimingBarrier
    directory, parties, delay, out = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    barrier = TimingBarrier(directory, parties, timeout_s=float(sys.argv[6]), poll_s=0.02)
    time.sleep(delay)  # the warm-up
    arrived = time.time()
    with barrier.turn(sys.argv[7]) as info:
        start = time.time()
        time.sleep(0.3)  # the timed repeats
        end = time.time()
    with open(out, "w") as f:
        json.dump({"arrived": arrived, "start": start, "end": end, **info}, f)
    """
)


def run_parties(tmp_path: Path, delays: list[float], parties: int, timeout_s: float,
                measurements: list[str] | None = None) -> list[dict]:
    script = tmp_path / "party.py"
    script.write_text(PARTY)
    outs = [tmp_path / f"party{i}.json" for i in range(len(delays))]
    measurements = measurements or ["train"] * len(delays)
    processes = [
        subprocess.Popen([sys.executable, str(script), str(BENCHMARKS), str(tmp_path / "barrier"), str(parties),
                          str(delay), str(out), str(timeout_s), measurement])
        for delay, out, measurement in zip(delays, outs, measurements)
    ]
    for process in processes:
        assert process.wait(timeout=60) == 0
    return [json.loads(out.read_text()) for out in outs]


def test_parties_are_timed_after_the_last_arrives_and_one_at_a_time(tmp_path):
    records = run_parties(tmp_path, delays=[0.0, 0.4, 0.8], parties=3, timeout_s=30.0)
    last_arrival = max(r["arrived"] for r in records)
    intervals = sorted((r["start"], r["end"]) for r in records)
    assert all(start >= last_arrival for start, _ in intervals)
    assert all(previous_end <= start for (_, previous_end), (start, _) in zip(intervals, intervals[1:]))
    assert all(r["arrived"] == 3 and not r["timed_out"] and r["parties"] == 3 for r in records)
    first = min(records, key=lambda r: r["arrived"])
    assert first["waited_s"] >= 0.5  # waited for the party that arrived about 0.8 s later


def test_parties_measuring_different_things_take_their_turns_one_at_a_time(tmp_path):
    """Two parties at "train" and two at "render" (parties=2: each name's count): the twenty-ninth run's side-by-side
    timed a render beside a training step when each measurement had its own lock."""
    records = run_parties(tmp_path, delays=[0.0, 0.2, 0.0, 0.2], parties=2, timeout_s=30.0,
                          measurements=["train", "train", "render", "render"])
    intervals = sorted((r["start"], r["end"]) for r in records)
    assert all(previous_end <= start for (_, previous_end), (start, _) in zip(intervals, intervals[1:]))
    assert all(r["arrived"] == 2 and not r["timed_out"] for r in records)


def test_a_missing_party_costs_the_timeout_from_the_start_and_is_recorded(tmp_path):
    (record,) = run_parties(tmp_path, delays=[0.3], parties=2, timeout_s=0.8)
    assert record["timed_out"] and record["arrived"] == 1
    assert 0.1 <= record["waited_s"] < 0.8  # the deadline counts from the barrier's creation, before the warm-up


def test_bad_arguments_are_refused(tmp_path):
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from timing_barrier import TimingBarrier
    finally:
        sys.path.remove(str(BENCHMARKS))
    with pytest.raises(ValueError, match="parties"):
        TimingBarrier(tmp_path, 0, 1.0)
    with pytest.raises(ValueError, match="timeout_s"):
        TimingBarrier(tmp_path, 1, -1.0)


def test_bench_model_records_the_turn(tmp_path):
    out = tmp_path / "row.json"
    subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_model.py"), "--smoke", "--what", "train", "--timing-barrier",
         str(tmp_path / "barrier"), "--timing-parties", "1", "--json", str(out)],
        check=True, capture_output=True,
    )
    (result,) = json.loads(out.read_text())["results"]
    assert result["timing_barrier"]["arrived"] == 1 and not result["timing_barrier"]["timed_out"]
    assert (tmp_path / "barrier" / "turns.lock").exists()

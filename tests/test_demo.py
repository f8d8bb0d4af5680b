"""gpnerf demo end to end on a very small dataset: the time budget stops training early and the report says so."""

import json

from gpnerf.commands.demo import Demo


def test_demo_time_budget_stops_training_and_the_report_says_so(tmp_path):
    demo = Demo(out=tmp_path / "out", data=tmp_path / "data", scenes=5, views=12, height=24, width=32,
                steps=100_000, train_minutes=0.005)
    report = demo.run().read_text()
    results = json.loads((tmp_path / "out" / "eval" / "results.json").read_text())
    assert 0 < results["step"] < 100_000
    assert f"{results['step']} training steps" in report and "of 100000 planned" in report
    assert "majority class" in report and (tmp_path / "out" / "render" / "frame_0000.png").is_file()


def test_demo_rejects_a_non_positive_time_budget(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="--train-minutes must be > 0"):
        Demo(out=tmp_path / "out", data=tmp_path / "data", train_minutes=0).run()
    assert not (tmp_path / "data").exists()  # nothing generated before the check

import pytest

from gpnerf.cli import COMMANDS, entrypoint


def test_info_runs(capsys):
    entrypoint(["info"])
    out = capsys.readouterr().out
    assert "gpnerf" in out and "torch" in out and "fused kernels of the fast implementation" in out


def test_unknown_subcommand_is_rejected():
    with pytest.raises(SystemExit) as exc:
        entrypoint(["no-such-command"])
    assert exc.value.code != 0


def test_every_command_has_help_text():
    for name, cls in COMMANDS.items():
        assert cls.__doc__ and cls.__doc__.strip(), f"subcommand {name} has no docstring"


def test_console_script_reports_bad_input_in_one_line(tmp_path, monkeypatch, capsys):
    from gpnerf.cli import main

    monkeypatch.setattr("sys.argv", ["gpnerf", "eval", "--run-dir", str(tmp_path / "missing")])
    monkeypatch.delenv("GPNERF_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("gpnerf: error: run dir must contain config.json") and "Traceback" not in err

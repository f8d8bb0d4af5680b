import pytest

from gpnerf.cli import COMMANDS, entrypoint


def test_info_runs(capsys):
    entrypoint(["info"])
    out = capsys.readouterr().out
    assert "gpnerf" in out and "torch" in out


def test_unknown_subcommand_is_rejected():
    with pytest.raises(SystemExit) as exc:
        entrypoint(["no-such-command"])
    assert exc.value.code != 0


def test_every_command_has_help_text():
    for name, cls in COMMANDS.items():
        assert cls.__doc__ and cls.__doc__.strip(), f"subcommand {name} has no docstring"

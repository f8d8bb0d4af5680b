"""The `gpnerf` command line: one subcommand per job, each a typed dataclass (tyro) with ``run()``."""

import os
import sys

import tyro

from gpnerf.commands.demo import Demo
from gpnerf.commands.evaluate import Eval
from gpnerf.commands.finetune import Finetune
from gpnerf.commands.info import Info
from gpnerf.commands.inspect import Inspect
from gpnerf.commands.model import ModelSummary
from gpnerf.commands.render import Render
from gpnerf.commands.synth import Synth
from gpnerf.commands.train import Train

COMMANDS: dict[str, type] = {
    "train": Train,
    "finetune": Finetune,
    "eval": Eval,
    "render": Render,
    "demo": Demo,
    "info": Info,
    "inspect": Inspect,
    "synth": Synth,
    "model": ModelSummary,
}
"""Subcommand name -> config dataclass. ``--help`` text comes from each class docstring."""


def entrypoint(argv: list[str] | None = None) -> None:
    """Parse ``argv`` (default ``sys.argv[1:]``) into a command config and run it."""
    command = tyro.extras.subcommand_cli_from_dict(
        {name: cls for name, cls in COMMANDS.items()},
        args=sys.argv[1:] if argv is None else argv,
        prog="gpnerf",
    )
    command.run()


def main() -> None:
    """The console script: like :func:`entrypoint`, but a bad input (ValueError / FileNotFoundError,
    whose messages name the file and the fix) prints one line and exits 1 instead of a traceback.
    Set GPNERF_DEBUG=1 to see the traceback."""
    try:
        entrypoint()
    except (ValueError, FileNotFoundError) as error:
        if os.environ.get("GPNERF_DEBUG"):
            raise
        print(f"gpnerf: error: {error}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()

"""The `gpnerf` command line: one subcommand per job, each a typed dataclass (tyro) with ``run()``."""

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


if __name__ == "__main__":
    entrypoint()

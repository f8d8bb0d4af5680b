"""One module per `gpnerf` subcommand; each defines a dataclass with a ``run()`` method."""

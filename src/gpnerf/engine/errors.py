"""Error classes raised by the training engine. Each message names the file or step involved and how to fix it."""


class ConfigError(ValueError):
    """A config file or dict does not match its dataclass (unknown key, wrong type, bad Literal value)."""


class CheckpointMissingError(FileNotFoundError):
    """A checkpoint file or folder that was asked for does not exist, or holds no valid checkpoint."""

    def __str__(self) -> str:
        return self.args[0]


class CheckpointCorruptError(ValueError):
    """A checkpoint file exists but cannot be read (truncated, not a torch file, missing entries)."""


class CheckpointMismatchError(ValueError):
    """A checkpoint reads fine but does not fit the model or optimizer (renamed, missing or reshaped keys)."""


class NonFiniteLossError(RuntimeError):
    """Too many consecutive training steps had a non-finite loss term or gradient."""


class ParameterGroupError(ValueError):
    """The task's named parameter groups do not cover the model's trainable parameters exactly once."""

"""Model-agnostic training engine: a task protocol, the trainer loop, checkpoints, run dirs, config I/O, DDP."""

from gpnerf.engine.checkpoint import (
    apply_retention,
    checkpoint_path,
    find_latest_checkpoint,
    load_checkpoint,
    load_model_weights,
    load_state_strict,
    save_checkpoint,
)
from gpnerf.engine.config_io import dataclass_from_dict, dataclass_to_dict, load_config_json, save_config_json
from gpnerf.engine.distributed import DistContext, init_distributed, shutdown_distributed, wrap_model
from gpnerf.engine.errors import (
    CheckpointCorruptError,
    CheckpointMismatchError,
    CheckpointMissingError,
    ConfigError,
    NonFiniteLossError,
    ParameterGroupError,
)
from gpnerf.engine.optim import OPTIM_PRESETS, LearningRates, OptimConfig, ScheduleConfig
from gpnerf.engine.run_dir import RunDir, git_commit
from gpnerf.engine.task import TrainTask
from gpnerf.engine.trainer import StepRecord, Trainer, TrainerConfig

__all__ = [
    "OPTIM_PRESETS",
    "CheckpointCorruptError",
    "CheckpointMismatchError",
    "CheckpointMissingError",
    "ConfigError",
    "DistContext",
    "LearningRates",
    "NonFiniteLossError",
    "OptimConfig",
    "ParameterGroupError",
    "RunDir",
    "ScheduleConfig",
    "StepRecord",
    "TrainTask",
    "Trainer",
    "TrainerConfig",
    "apply_retention",
    "checkpoint_path",
    "dataclass_from_dict",
    "dataclass_to_dict",
    "find_latest_checkpoint",
    "git_commit",
    "init_distributed",
    "load_checkpoint",
    "load_config_json",
    "load_model_weights",
    "load_state_strict",
    "save_checkpoint",
    "save_config_json",
    "shutdown_distributed",
    "wrap_model",
]

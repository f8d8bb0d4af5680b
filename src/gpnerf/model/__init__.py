"""The GP-NeRF network: encoder, FAT/RAT transformers, perception head, configs and presets."""

from gpnerf.model.config import (
    PRESETS,
    TABLE4_IDS,
    EncoderConfig,
    LossConfig,
    LossWeights,
    ModelConfig,
    SamplingConfig,
    SemanticConfig,
    TransformerConfig,
    table4_config,
)
from gpnerf.model.compilation import compile_transformer_blocks
from gpnerf.model.gpnerf import GPNeRF, ImageOutput, ModelOutput

__all__ = [
    "PRESETS",
    "TABLE4_IDS",
    "EncoderConfig",
    "GPNeRF",
    "ImageOutput",
    "LossConfig",
    "LossWeights",
    "ModelConfig",
    "ModelOutput",
    "SamplingConfig",
    "SemanticConfig",
    "TransformerConfig",
    "compile_transformer_blocks",
    "table4_config",
]

"""A toy model and task for engine tests: batches come only from the generator; the forward uses all global RNGs."""

import random
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn


class ToyModel(nn.Module):
    """encoder (Linear 4->8) -> tanh -> dropout -> head (Linear 8->1)."""

    def __init__(self, dropout: float = 0.1):
        super().__init__()
        self.encoder = nn.Linear(4, 8)
        self.head = nn.Linear(8, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(torch.tanh(self.encoder(x))))


@dataclass
class ToyTask:
    """Regress sin(sum(x)). ``inject`` maps step -> "nan_loss" | "inf_grad" to make that step non-finite."""

    inject: dict[int, str] = field(default_factory=dict)
    use_global_rngs: bool = True
    rays_per_step: int = 16
    batches: list[torch.Tensor] = field(default_factory=list)

    def parameter_groups(self, model: nn.Module) -> dict[str, list[nn.Parameter]]:
        return {"encoder": list(model.encoder.parameters()), "head": list(model.head.parameters())}

    def build_batch(self, step: int, generator: torch.Generator) -> dict:
        x = torch.randn(16, 4, generator=generator)
        self.batches.append(x)
        return {"step": step, "x": x, "y": torch.sin(x.sum(dim=1, keepdim=True))}

    def training_step(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        x = batch["x"]
        if self.use_global_rngs:
            x = x * (1.0 + 0.01 * float(np.random.rand()) + 0.01 * random.random())
        pred = model(x)
        mse = ((pred - batch["y"]) ** 2).mean()
        terms = {"mse": mse}
        kind = self.inject.get(batch["step"])
        if kind == "nan_loss":
            terms["rgb"] = mse * float("nan")
        elif kind == "inf_grad":
            terms["depth"] = torch.sqrt((pred - pred.detach()).sum())
        return sum(terms.values()), terms

    def validate(self, model: nn.Module, step: int) -> dict[str, float]:
        x = torch.linspace(-1, 1, 32).reshape(8, 4)
        return {"mse": float(((model(x) - torch.sin(x.sum(1, keepdim=True))) ** 2).mean())}

    def validation_images(self, model: nn.Module, step: int) -> dict[str, torch.Tensor]:
        return {"pred": torch.rand(3, 6, 8)}

    def describe_batch(self, batch: dict) -> str:
        return f"toy batch {batch['step']}"

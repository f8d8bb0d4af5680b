"""Label-rendering baseline (Semantic-NeRF / Semantic-Ray style), selectable by config.

Each point of the semantic-embedding field gets class logits from a linear classifier; a ray's
logits are their weighted mean with the per-point ray weights: ``l(r) = sum_i w_i l_i / sum_i w_i``.
No image context is used (the "isolated label rendering" the paper contrasts with).
"""

import torch
from torch import nn


class LabelRenderer(nn.Module):
    """Per-point classifier + weighted compositing of logits."""

    def __init__(self, d_sem: int, num_classes: int) -> None:
        super().__init__()
        self.classifier = nn.Linear(d_sem, num_classes)

    def forward(self, semantic_field: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """``semantic_field`` ``(rays, samples, d_sem)``, ``weights`` ``(rays, samples)`` ->
        ``(rays, classes)`` rendered logits."""
        logits = self.classifier(semantic_field)  # (rays, samples, classes)
        w = weights / weights.sum(dim=-1, keepdim=True).clamp_min(1e-8)
        return (w[..., None] * logits).sum(dim=1)

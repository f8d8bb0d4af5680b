"""Ray sampling and the S_fused construction (plain functions)."""

from gpnerf.rendering.fusion import feature_cells_from_pixels, fuse_rendered_features
from gpnerf.rendering.sampling import coarse_samples, importance_samples, merge_samples, merge_samples_with_order

__all__ = [
    "coarse_samples",
    "feature_cells_from_pixels",
    "fuse_rendered_features",
    "importance_samples",
    "merge_samples",
    "merge_samples_with_order",
]

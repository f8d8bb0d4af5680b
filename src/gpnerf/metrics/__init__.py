"""Evaluation metrics of the published GP-NeRF protocol, computed from torch tensors.

* semantic: per-image total/average accuracy and present-class mIoU (S-Ray protocol), aggregated per
  image -> scene -> dataset, plus the accumulated-confusion mIoU as an extra column;
* image: PSNR / SSIM / LPIPS in the ``"gnt"`` (published) and ``"standard"`` (nerfstudio) conventions;
* lpips: pure-torch LPIPS v0.1 with offline weights (see :mod:`gpnerf.metrics.lpips`);
* instance: DM-NeRF instance AP.

See docs/metrics.md.
"""

from gpnerf.metrics.aggregate import SceneAverager
from gpnerf.metrics.image import (
    CONVENTIONS,
    PUBLISHED_CONVENTION,
    ImageScores,
    image_scores,
    lpips_score,
    psnr,
    ssim,
)
from gpnerf.metrics.instance import (
    AP_THRESHOLDS,
    InstanceAP,
    InstanceAPAccumulator,
    average_precision,
    instance_ap,
    slot_probs_from_instance_map,
)
from gpnerf.metrics.lpips import LpipsSource, export_lpips_weights, lpips_distance, resolve_lpips_source
from gpnerf.metrics.semantic import (
    SemanticAccumulator,
    SemanticScores,
    SemanticSummary,
    confusion_matrix,
    scores_from_confusion,
    semantic_scores,
)

__all__ = [
    "AP_THRESHOLDS",
    "CONVENTIONS",
    "PUBLISHED_CONVENTION",
    "ImageScores",
    "InstanceAP",
    "InstanceAPAccumulator",
    "LpipsSource",
    "SceneAverager",
    "SemanticAccumulator",
    "SemanticScores",
    "SemanticSummary",
    "average_precision",
    "confusion_matrix",
    "export_lpips_weights",
    "image_scores",
    "instance_ap",
    "lpips_distance",
    "lpips_score",
    "psnr",
    "resolve_lpips_source",
    "scores_from_confusion",
    "semantic_scores",
    "slot_probs_from_instance_map",
    "ssim",
]

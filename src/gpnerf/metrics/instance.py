"""Instance segmentation AP of DM-NeRF (data-and-evaluation.md §5.3), which GP-NeRF's Table 2 reports.

Per test image, given ``(H, W, S)`` per-pixel probabilities over ``S`` instance slots and the
``(H, W)`` ground-truth instance map:

1. predicted label = argmax over slots; predicted instances = the distinct labels, packed (ascending)
   into the first columns of an ``S``-column one-hot matrix, the rest zero padding; the confidence of an
   instance = median (numpy's, mean of the two middle values for an even count) over its pixels of the
   max slot probability;
2. ground-truth instances = every distinct value of the map (0 included; no ignore id);
3. Hungarian matching (``scipy.optimize.linear_sum_assignment``) of GT rows to all ``S`` columns on
   ``cost = BCE + (1 - IoU)``: BCE is the mean over pixels of
   ``-g log(p + 1e-8) - (1 - g) log(1 - p + 1e-8)`` for the binary masks ``g`` (GT) and ``p``
   (prediction), and ``IoU = |g p| / (|g| + |p| - |g p| + 1e-6)``;
   each GT gets one column, its IoU and the confidence of that prediction (0 for a padding column);
4. AP at threshold ``t``: GT sorted by confidence (descending, stable), TP = ``IoU > t`` (strict),
   precision ``= cumTP / k``, recall ``= cumTP / #GT``, COCO all-point interpolation. Predictions left
   unmatched are *not* false positives.

Thresholds :data:`AP_THRESHOLDS`; a scene's AP is the mean over its test images.
"""

import math
from dataclasses import dataclass

import torch
from scipy.optimize import linear_sum_assignment

from gpnerf.metrics._checks import require_integer_map, require_tensor
from gpnerf.metrics.aggregate import SceneAverager

AP_THRESHOLDS: tuple[float, ...] = (0.5, 0.75, 0.8, 0.85, 0.9, 0.95)
"""DM-NeRF's IoU thresholds; AP75 (index 1) is the number of GP-NeRF's Table 2."""

_LOG_EPS = math.log(1e-8)
"""``log(0 + 1e-8)``: the BCE term of a pixel where prediction and GT disagree. An agreeing pixel costs
``log(1 + 1e-8)``, which is 0 in the float32 arithmetic of DM-NeRF and is taken as 0 here."""

_IOU_EPS = 1e-6


@dataclass(frozen=True)
class InstanceAP:
    """AP of one image and the matching behind it.

    Attributes:
        thresholds: IoU thresholds. ap: AP at each threshold, in [0, 1].
        gt_ids: ground-truth instance ids, ascending; the following tuples are aligned with them.
        matched_slots: predicted slot matched to each GT instance; -1 for a padding column.
        ious: IoU of each GT instance with its match (0 for padding).
        confidences: confidence of each GT instance's match (0 for padding).
        num_predicted: number of distinct predicted instances.
    """

    thresholds: tuple[float, ...]
    ap: tuple[float, ...]
    gt_ids: tuple[int, ...]
    matched_slots: tuple[int, ...]
    ious: tuple[float, ...]
    confidences: tuple[float, ...]
    num_predicted: int

    def ap_at(self, threshold: float) -> float:
        """AP at ``threshold`` (one of ``thresholds``)."""
        for t, value in zip(self.thresholds, self.ap):
            if math.isclose(t, threshold):
                return value
        raise ValueError(f"threshold must be one of {list(self.thresholds)}; got {threshold!r}.")


def _check_thresholds(thresholds: tuple[float, ...]) -> tuple[float, ...]:
    thresholds = tuple(float(t) for t in thresholds)
    if not thresholds or any(not 0.0 <= t < 1.0 for t in thresholds):
        raise ValueError(
            f"thresholds must be a non-empty sequence of IoU values in [0, 1); got {list(thresholds)}. "
            f"DM-NeRF uses {list(AP_THRESHOLDS)}."
        )
    return thresholds


def average_precision(
    ious: torch.Tensor, confidences: torch.Tensor, thresholds: tuple[float, ...] = AP_THRESHOLDS
) -> tuple[float, ...]:
    """DM-NeRF / COCO all-point AP of ``G`` matched ground-truth instances.

    Args:
        ious: ``(G,)`` IoU of each GT instance with its matched prediction.
        confidences: ``(G,)`` confidence of that prediction (ranking key, descending; ties keep order).
        thresholds: a GT instance is a true positive at ``t`` iff ``iou > t`` (strict).

    Returns:
        AP per threshold: with ``mrec = [0, recall, 1]`` and ``mprec = [0, precision, 0]`` made
        non-increasing from the right, ``sum_i (mrec[i+1] - mrec[i]) mprec[i+1]`` over recall changes.
    """
    ious = require_tensor("ious", ious)
    confidences = require_tensor("confidences", confidences)
    if ious.ndim != 1 or ious.shape != confidences.shape or ious.numel() == 0:
        raise ValueError(
            f"ious and confidences must have the same shape (G,) with G >= 1; got {tuple(ious.shape)} "
            f"and {tuple(confidences.shape)}. Pass one value per ground-truth instance."
        )
    thresholds = _check_thresholds(thresholds)
    order = torch.sort(confidences.double().cpu(), descending=True, stable=True).indices
    ranked = ious.double().cpu()[order]
    num_gt = ranked.numel()
    ranks = torch.arange(1, num_gt + 1, dtype=torch.float64)
    aps = []
    for t in thresholds:
        cum_tp = torch.cumsum((ranked > t).double(), dim=0)
        precision = cum_tp / ranks
        recall = cum_tp / num_gt
        zero, one = torch.zeros(1, dtype=torch.float64), torch.ones(1, dtype=torch.float64)
        mrec = torch.cat([zero, recall, one])
        mprec = torch.cat([zero, precision, zero])
        mprec = torch.flip(torch.cummax(torch.flip(mprec, [0]), dim=0).values, [0])
        change = torch.nonzero(mrec[1:] != mrec[:-1]).flatten()
        aps.append(float(((mrec[change + 1] - mrec[change]) * mprec[change + 1]).sum()))
    return tuple(aps)


def _median_per_label(labels: torch.Tensor, values: torch.Tensor, present: torch.Tensor) -> torch.Tensor:
    """numpy-style median of ``values`` over the pixels of each label in ``present`` (ascending)."""
    by_value = torch.argsort(values, stable=True)
    by_label = by_value[torch.argsort(labels[by_value], stable=True)]
    sorted_values = values[by_label]
    counts = torch.bincount(labels, minlength=int(present.max()) + 1)[present]
    starts = torch.cumsum(counts, dim=0) - counts
    lower = sorted_values[starts + (counts - 1) // 2]
    upper = sorted_values[starts + counts // 2]
    return (lower + upper) / 2


def instance_ap(
    slot_probs: torch.Tensor, gt_instance_ids: torch.Tensor, thresholds: tuple[float, ...] = AP_THRESHOLDS
) -> InstanceAP:
    """DM-NeRF instance AP of one image (procedure in the module docstring).

    Args:
        slot_probs: ``(H, W, S)`` float per-pixel slot probabilities (a softmax over ``S`` slots).
            GP-NeRF drops its last slot before this call; do that in the caller if needed.
        gt_instance_ids: ``(H, W)`` integer ground-truth instance ids ``>= 0`` (0 counts as an
            instance, as in DM-NeRF's Replica evaluation); at most ``S`` distinct ids.
        thresholds: IoU thresholds.

    Example:
        >>> gt = torch.tensor([[0, 0, 1, 1]])
        >>> instance_ap(slot_probs_from_instance_map(gt, torch.tensor([0.9, 0.8])), gt).ap[0]
        1.0
    """
    slot_probs = require_tensor("slot_probs", slot_probs)
    if not slot_probs.dtype.is_floating_point or slot_probs.ndim != 3 or slot_probs.shape[-1] < 1:
        raise ValueError(
            f"slot_probs must be a float tensor of shape (H, W, S) with S >= 1; got {slot_probs.dtype} "
            f"{tuple(slot_probs.shape)}. Build it with slot_probs_from_instance_map for id maps."
        )
    gt = require_integer_map("gt_instance_ids", gt_instance_ids).long().cpu()
    if gt.shape != slot_probs.shape[:2]:
        raise ValueError(
            f"gt_instance_ids must have shape (H, W) = {tuple(slot_probs.shape[:2])} of slot_probs; got "
            f"{tuple(gt.shape)}. Evaluate at the resolution of the ground truth."
        )
    if int(gt.min()) < 0:
        raise ValueError(
            f"gt_instance_ids must be >= 0; got minimum {int(gt.min())}. Map invalid pixels to an id >= 0."
        )
    thresholds = _check_thresholds(thresholds)
    num_slots = slot_probs.shape[-1]
    probs = slot_probs.detach().cpu().double().reshape(-1, num_slots)
    confidence_map, pred = probs.max(dim=1)  # argmax returns the first maximal slot, like DM-NeRF
    gt = gt.reshape(-1)
    num_pixels = gt.numel()

    pred_ids = torch.unique(pred)  # ascending, packed into columns 0 .. P-1
    gt_ids, gt_index = torch.unique(gt, return_inverse=True)
    num_pred, num_gt = pred_ids.numel(), gt_ids.numel()
    if num_gt > num_slots:
        raise ValueError(
            f"gt_instance_ids must hold at most S = {num_slots} distinct ids (one per slot); got {num_gt}. "
            "Give the model at least as many slots as ground-truth instances."
        )
    pred_column = torch.searchsorted(pred_ids, pred)
    pred_conf = _median_per_label(pred, confidence_map, pred_ids)

    inter = torch.bincount(gt_index * num_slots + pred_column, minlength=num_gt * num_slots)
    inter = inter.reshape(num_gt, num_slots).double()  # (G, S); padding columns stay 0
    gt_area = torch.bincount(gt_index, minlength=num_gt).double()[:, None]  # (G, 1)
    pred_area = torch.zeros(num_slots, dtype=torch.float64)
    pred_area[:num_pred] = torch.bincount(pred_column, minlength=num_pred).double()
    pred_area = pred_area[None, :]  # (1, S)
    disagree = gt_area + pred_area - 2 * inter  # pixels where exactly one mask is set
    bce = -_LOG_EPS * disagree / num_pixels
    iou = inter / (gt_area + pred_area - inter + _IOU_EPS)
    rows, cols = linear_sum_assignment((bce + 1.0 - iou).numpy())

    cols_t = torch.as_tensor(cols, dtype=torch.long)
    matched_iou = iou[torch.as_tensor(rows, dtype=torch.long), cols_t]
    is_real = cols_t < num_pred
    real_cols = cols_t.clamp(max=num_pred - 1)  # padding columns are masked out just below
    confidences = torch.where(is_real, pred_conf[real_cols], 0.0)
    matched = torch.where(is_real, pred_ids[real_cols], -1)
    return InstanceAP(
        thresholds=thresholds,
        ap=average_precision(matched_iou, confidences, thresholds),
        gt_ids=tuple(gt_ids.tolist()),
        matched_slots=tuple(matched.tolist()),
        ious=tuple(matched_iou.tolist()),
        confidences=tuple(confidences.tolist()),
        num_predicted=num_pred,
    )


def slot_probs_from_instance_map(
    instance_ids: torch.Tensor, scores: torch.Tensor, num_slots: int | None = None
) -> torch.Tensor:
    """Turn a predicted instance id map and per-id scores into the slot-probability form.

    Pixel ``x`` with id ``i`` gets probability ``scores[i]`` in slot ``i`` and 0 elsewhere, so the
    argmax recovers ``i`` and the instance's confidence (median of the max probability) is ``scores[i]``.

    Args:
        instance_ids: ``(H, W)`` integer ids in ``[0, num_slots)``.
        scores: ``(num_ids,)`` float confidence per id, in ``(0, 1]`` for every id that occurs.
        num_slots: ``S``; default ``len(scores)``.

    Returns:
        ``(H, W, S)`` float32 tensor on ``instance_ids``' device.
    """
    ids = require_integer_map("instance_ids", instance_ids).long()
    scores = require_tensor("scores", scores)
    if scores.ndim != 1 or not scores.dtype.is_floating_point:
        raise ValueError(
            f"scores must be a 1-D float tensor (one confidence per id); got {scores.dtype} "
            f"{tuple(scores.shape)}."
        )
    num_slots = scores.numel() if num_slots is None else num_slots
    if int(ids.min()) < 0 or int(ids.max()) >= min(num_slots, scores.numel()):
        raise ValueError(
            f"instance_ids must lie in [0, {min(num_slots, scores.numel())}) (num_slots and len(scores)); "
            f"got [{int(ids.min())}, {int(ids.max())}]. Relabel ids to 0..n-1 or pass more scores/slots."
        )
    used = scores.to(ids.device)[ids]  # (H, W)
    if bool(((used <= 0) | (used > 1)).any()):
        raise ValueError(
            f"scores of the ids present must lie in (0, 1]; got min {float(used.min())}, max "
            f"{float(used.max())}. A score of 0 would make the argmax pick another slot."
        )
    probs = torch.zeros(*ids.shape, num_slots, dtype=torch.float32, device=ids.device)
    probs.scatter_(-1, ids[..., None], used[..., None].float())
    return probs


class InstanceAPAccumulator:
    """Per-image AP -> mean over the images of a scene -> mean over scenes.

    Keys of the summaries are ``"ap50"``, ``"ap75"``, ... (threshold x 100).
    """

    def __init__(self, thresholds: tuple[float, ...] = AP_THRESHOLDS) -> None:
        self.thresholds = _check_thresholds(thresholds)
        self.keys = tuple(f"ap{round(t * 100)}" for t in self.thresholds)
        self._averager = SceneAverager()

    def add(self, scene: str, slot_probs: torch.Tensor, gt_instance_ids: torch.Tensor) -> InstanceAP:
        """Score one image of ``scene`` with :func:`instance_ap`, record it, and return the result."""
        result = instance_ap(slot_probs, gt_instance_ids, self.thresholds)
        self._averager.add(scene, dict(zip(self.keys, result.ap)))
        return result

    @property
    def num_images(self) -> int:
        """Number of images added so far."""
        return self._averager.num_images

    def scene_means(self) -> dict[str, dict[str, float]]:
        """``{scene: {"ap50": ..., ...}}``: mean over the scene's images."""
        return self._averager.scene_means()

    def summary(self) -> dict[str, float]:
        """``{"ap50": ..., ...}``: mean over scenes of the scene means."""
        return self._averager.dataset_mean()

"""Semantic segmentation metrics of the published S-Ray / GP-NeRF protocol (data-and-evaluation.md §5.1).

Per target image, with ``K`` valid classes and the ignore id of :func:`gpnerf.conventions.ignore_index`:

1. keep the pixels whose target is not the ignore id;
2. build the ``(K, K)`` confusion matrix ``C[target, prediction]`` over classes ``0 .. K-1``; a pixel
   whose *prediction* lies outside ``[0, K)`` (the extra "invalid" channel of a ``K + 1``-way argmax)
   is dropped entirely, as ``sklearn.metrics.confusion_matrix(labels=range(K))`` does;
3. with ``row_c = sum_j C[c, j]``, ``col_c = sum_i C[i, c]`` and present classes ``P = {c : row_c > 0}``:

   * total accuracy ``= trace(C) / sum(C)``
   * average accuracy ``= mean_{c in P} C[c, c] / row_c``
   * ``IoU_c = C[c, c] / (row_c + col_c - C[c, c])`` and mIoU ``= mean_{c in P} IoU_c``
   * an image without a counted pixel scores 0 on all three.

Images are then averaged per scene and scenes averaged (:class:`SemanticAccumulator`). The
accumulator also reports Semantic-NeRF's accumulated-confusion-matrix mIoU as an extra column; it is
*not* the published number.
"""

from dataclasses import dataclass

import torch

from gpnerf.conventions import ignore_index as default_ignore_index
from gpnerf.metrics._checks import require_integer_map, require_same_shape, require_tensor
from gpnerf.metrics.aggregate import SceneAverager


@dataclass(frozen=True)
class SemanticScores:
    """Scores of one image (or one scene / dataset mean), each a fraction in [0, 1].

    Attributes:
        total_acc: correctly classified counted pixels / counted pixels.
        avg_acc: mean over classes present in the target of the per-class recall.
        miou: mean over classes present in the target of the per-class IoU.
    """

    total_acc: float
    avg_acc: float
    miou: float


@dataclass(frozen=True)
class SemanticSummary:
    """Scene or dataset summary of :class:`SemanticAccumulator`.

    Attributes:
        total_acc, avg_acc, miou: the published protocol: per-image scores averaged over the images of
            a scene, then (for the dataset) over scenes.
        accumulated_miou: present-class mIoU of one confusion matrix summed over all counted pixels
            of all images (Semantic-NeRF's ``miou_valid_class``). Not comparable to ``miou``.
        accumulated_miou_nanmean: Semantic-NeRF's ``miou`` on the same summed matrix: mean IoU over
            every class that occurs in the target *or* the prediction (0 when there is none).
        num_images: images that went into the summary.
        num_scenes: scenes that went into the summary.
    """

    total_acc: float
    avg_acc: float
    miou: float
    accumulated_miou: float
    accumulated_miou_nanmean: float
    num_images: int
    num_scenes: int


def _check_num_classes(num_classes: int, ignore_index: int | None) -> int:
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(
            f"num_classes must be an int >= 1; got {num_classes!r}. Pass the size of the label space "
            "(ScanNet 20, Replica 51)."
        )
    ignore = default_ignore_index(num_classes) if ignore_index is None else ignore_index
    if isinstance(ignore, bool) or not isinstance(ignore, int) or 0 <= ignore < num_classes:
        raise ValueError(
            f"ignore_index must be an int outside the valid classes [0, {num_classes}); got {ignore!r}. "
            "Leave it None to use num_classes (gpnerf.conventions.ignore_index)."
        )
    return ignore


def confusion_matrix(
    target: torch.Tensor, pred: torch.Tensor, num_classes: int, ignore_index: int | None = None
) -> torch.Tensor:
    """Confusion matrix of one image, rows = target class, columns = predicted class.

    Args:
        target: ``(H, W)`` integer class ids in ``[0, num_classes)`` or ``ignore_index``.
        pred: ``(H, W)`` integer predicted ids (argmax over the ``K`` or ``K + 1`` channels). Values
            outside ``[0, num_classes)`` are dropped with their pixel (sklearn behaviour).
        num_classes: ``K``, the number of valid classes.
        ignore_index: target id that marks "no class"; default ``num_classes``.

    Returns:
        ``(K, K)`` int64 tensor on ``target``'s device; ``C[i, j]`` counts pixels of class ``i``
        predicted as ``j``.
    """
    ignore = _check_num_classes(num_classes, ignore_index)
    target = require_integer_map("target", target)
    pred = require_integer_map("pred", pred)
    require_same_shape("target", target, "pred", pred)
    target = target.reshape(-1).long()
    pred = pred.reshape(-1).long().to(target.device)
    bad = (target != ignore) & ((target < 0) | (target >= num_classes))
    if bool(bad.any()):
        raise ValueError(
            f"target must hold class ids in [0, {num_classes}) or the ignore id {ignore}; got "
            f"{sorted(set(target[bad].unique().tolist()))[:10]}. Map raw dataset ids through the "
            "dataset's label table first."
        )
    keep = (target != ignore) & (pred >= 0) & (pred < num_classes)
    flat = target[keep] * num_classes + pred[keep]
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def scores_from_confusion(confusion: torch.Tensor) -> SemanticScores:
    """Total accuracy, average accuracy and present-class mIoU of a ``(K, K)`` confusion matrix.

    Args:
        confusion: ``(K, K)`` non-negative counts, rows = target class, columns = prediction.

    Returns:
        :class:`SemanticScores`; all 0 when the matrix sums to 0.
    """
    confusion = require_tensor("confusion", confusion)
    if confusion.ndim != 2 or confusion.shape[0] != confusion.shape[1] or confusion.shape[0] == 0:
        raise ValueError(
            f"confusion must have shape (K, K) with K >= 1; got {tuple(confusion.shape)}. "
            "Build it with gpnerf.metrics.confusion_matrix."
        )
    c = confusion.to(torch.float64)
    total = c.sum()
    if total <= 0:
        return SemanticScores(0.0, 0.0, 0.0)
    diag = c.diagonal()
    row = c.sum(dim=1)
    col = c.sum(dim=0)
    present = row > 0
    recall = diag[present] / row[present]
    iou = diag[present] / (row[present] + col[present] - diag[present])
    return SemanticScores(
        total_acc=float(diag.sum() / total), avg_acc=float(recall.mean()), miou=float(iou.mean())
    )


def _nanmean_iou(confusion: torch.Tensor) -> float:
    """Mean IoU over classes with ``row_c + col_c > 0`` (Semantic-NeRF's nan-mean); 0 if none."""
    c = confusion.to(torch.float64)
    diag = c.diagonal()
    union = c.sum(dim=1) + c.sum(dim=0) - diag
    defined = union > 0
    if not bool(defined.any()):
        return 0.0
    return float((diag[defined] / union[defined]).mean())


def semantic_scores(
    target: torch.Tensor, pred: torch.Tensor, num_classes: int, ignore_index: int | None = None
) -> SemanticScores:
    """Published per-image semantic scores; see the module docstring for the formulas.

    Args:
        target: ``(H, W)`` integer target class ids (``ignore_index`` = not counted).
        pred: ``(H, W)`` integer predicted ids; values outside ``[0, num_classes)`` are dropped.
        num_classes: ``K``.
        ignore_index: default ``num_classes``.

    Example (data-and-evaluation.md §7.3):
        >>> s = semantic_scores(torch.tensor([[0, 0, 1, 1, 3]]), torch.tensor([[0, 2, 1, 0, 1]]), 3)
        >>> round(s.total_acc, 6), round(s.avg_acc, 6), round(s.miou, 6)
        (0.5, 0.5, 0.416667)
    """
    return scores_from_confusion(confusion_matrix(target, pred, num_classes, ignore_index))


class SemanticAccumulator:
    """Per-image scores -> mean over the images of a scene -> mean over scenes.

    Also sums the confusion matrices for the accumulated mIoU columns (see :class:`SemanticSummary`).

    Example:
        >>> acc = SemanticAccumulator(num_classes=3)
        >>> _ = acc.add("scene0", torch.tensor([[0, 1]]), torch.tensor([[0, 1]]))
        >>> acc.summary().miou
        1.0
    """

    def __init__(self, num_classes: int, ignore_index: int | None = None) -> None:
        self.ignore_index = _check_num_classes(num_classes, ignore_index)
        self.num_classes = num_classes
        self._per_image = SceneAverager()
        self._confusion: dict[str, torch.Tensor] = {}

    def add(self, scene: str, target: torch.Tensor, pred: torch.Tensor) -> SemanticScores:
        """Score one ``(H, W)`` image of ``scene``, record it, and return its scores."""
        confusion = confusion_matrix(target, pred, self.num_classes, self.ignore_index).cpu()
        scores = scores_from_confusion(confusion)
        self._per_image.add(
            scene, {"total_acc": scores.total_acc, "avg_acc": scores.avg_acc, "miou": scores.miou}
        )
        previous = self._confusion.get(scene)
        self._confusion[scene] = confusion if previous is None else previous + confusion
        return scores

    @property
    def num_images(self) -> int:
        """Number of images added so far."""
        return self._per_image.num_images

    @property
    def confusion(self) -> torch.Tensor:
        """``(K, K)`` int64 confusion matrix summed over every image added."""
        total = torch.zeros(self.num_classes, self.num_classes, dtype=torch.int64)
        for confusion in self._confusion.values():
            total += confusion
        return total

    def scene_summaries(self) -> dict[str, SemanticSummary]:
        """``{scene: summary over that scene's images}``."""
        counts = self._per_image.image_counts()
        return {
            scene: self._summary(means, self._confusion[scene], counts[scene], 1)
            for scene, means in self._per_image.scene_means().items()
        }

    def summary(self) -> SemanticSummary:
        """Dataset summary: the mean over scenes of the scene means (the published number)."""
        if self.num_images == 0:
            raise ValueError(
                "SemanticAccumulator.summary needs at least one image; got none. Call add() first."
            )
        means = self._per_image.dataset_mean()
        return self._summary(means, self.confusion, self.num_images, len(self._per_image.scenes))

    @staticmethod
    def _summary(
        means: dict[str, float], confusion: torch.Tensor, num_images: int, num_scenes: int
    ) -> SemanticSummary:
        return SemanticSummary(
            total_acc=means["total_acc"],
            avg_acc=means["avg_acc"],
            miou=means["miou"],
            accumulated_miou=scores_from_confusion(confusion).miou,
            accumulated_miou_nanmean=_nanmean_iou(confusion),
            num_images=num_images,
            num_scenes=num_scenes,
        )

import math

import pytest
import torch

from gpnerf.metrics import (
    SceneAverager,
    SemanticAccumulator,
    confusion_matrix,
    scores_from_confusion,
    semantic_scores,
)


def row(values):
    """A (1, N) int64 label map."""
    return torch.tensor([values], dtype=torch.int64)


def reference_scores(target, pred, num_classes, ignore):
    """Slow reference: sklearn's confusion_matrix(labels=range(K)) semantics written with loops."""
    counts = [[0] * num_classes for _ in range(num_classes)]
    for t, p in zip(target.flatten().tolist(), pred.flatten().tolist()):
        if t == ignore or not (0 <= p < num_classes):
            continue
        counts[t][p] += 1
    total = sum(map(sum, counts))
    if total == 0:
        return counts, (0.0, 0.0, 0.0)
    recalls, ious = [], []
    for c in range(num_classes):
        row_c = sum(counts[c])
        col_c = sum(counts[i][c] for i in range(num_classes))
        if row_c > 0:
            recalls.append(counts[c][c] / row_c)
            ious.append(counts[c][c] / (row_c + col_c - counts[c][c]))
    trace = sum(counts[c][c] for c in range(num_classes))
    return counts, (trace / total, sum(recalls) / len(recalls), sum(ious) / len(ious))


def test_reference_fixture_7_3():
    t, p = row([0, 0, 1, 1, 3]), row([0, 2, 1, 0, 1])
    assert confusion_matrix(t, p, 3).tolist() == [[1, 0, 1], [1, 1, 0], [0, 0, 0]]
    s = semantic_scores(t, p, num_classes=3)
    assert s.total_acc == pytest.approx(2 / 4, abs=1e-6)
    assert s.avg_acc == pytest.approx(1 / 2, abs=1e-6)
    assert s.miou == pytest.approx(5 / 12, abs=1e-6)


@pytest.mark.parametrize("invalid", [3, 4, -1])
def test_prediction_outside_valid_classes_is_dropped(invalid):
    base = semantic_scores(row([0, 0, 1, 1, 3]), row([0, 2, 1, 0, 1]), 3)
    t, p = row([0, 0, 1, 1, 3, 0]), row([0, 2, 1, 0, 1, invalid])
    assert confusion_matrix(t, p, 3).tolist() == [[1, 0, 1], [1, 1, 0], [0, 0, 0]]
    assert semantic_scores(t, p, 3) == base


def test_sklearn_example_from_reference():
    # data-and-evaluation.md §5.1, verified there with scikit-learn 1.9.1.
    assert confusion_matrix(row([0, 0, 1, 1]), row([0, 2, 1, 0]), 2).tolist() == [[1, 0], [1, 1]]


@pytest.mark.parametrize(
    "target, pred",
    [([3, 3, 3], [0, 1, 2]), ([0, 1, 2], [3, 3, 3])],
    ids=["all-target-ignored", "all-predictions-invalid"],
)
def test_no_counted_pixel_scores_zero(target, pred):
    s = semantic_scores(row(target), row(pred), 3)
    assert (s.total_acc, s.avg_acc, s.miou) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_slow_reference_on_random_maps(seed):
    g = torch.Generator().manual_seed(seed)
    num_classes = 5
    target = torch.randint(0, num_classes + 1, (9, 11), generator=g)  # includes the ignore id 5
    pred = torch.randint(-1, num_classes + 2, (9, 11), generator=g)  # includes invalid ids -1, 5, 6
    counts, expected = reference_scores(target, pred, num_classes, num_classes)
    assert confusion_matrix(target, pred, num_classes).tolist() == counts
    s = semantic_scores(target, pred, num_classes)
    assert (s.total_acc, s.avg_acc, s.miou) == pytest.approx(expected, abs=1e-12)


def test_custom_ignore_index_and_int32_inputs():
    t = torch.tensor([[0, 255, 1]], dtype=torch.int32)
    p = torch.tensor([[0, 1, 1]], dtype=torch.int32)
    assert confusion_matrix(t, p, 2, ignore_index=255).tolist() == [[1, 0], [0, 1]]


def test_class_only_predicted_lowers_iou_of_true_class_but_is_not_averaged():
    # Class 1 is absent from the target: excluded from the mean, but its false positive lowers IoU_0.
    s = semantic_scores(row([0, 0]), row([0, 1]), 2)
    assert s.miou == pytest.approx(0.5)
    assert s.avg_acc == pytest.approx(0.5)


def test_aggregation_is_image_then_scene_then_dataset():
    acc = SemanticAccumulator(num_classes=2)
    assert acc.add("a", row([0, 1]), row([0, 1])).miou == 1.0
    assert acc.add("a", row([0, 1]), row([1, 0])).miou == 0.0
    assert acc.add("b", row([0, 0]), row([0, 0])).miou == 1.0
    scenes = acc.scene_summaries()
    assert scenes["a"].miou == pytest.approx(0.5) and scenes["a"].num_images == 2
    assert scenes["b"].miou == pytest.approx(1.0)
    summary = acc.summary()
    assert summary.miou == pytest.approx(0.75)  # mean of scene means (0.5, 1.0)
    assert not math.isclose(summary.miou, 2 / 3)  # the mean over the 3 images would be 2/3
    assert (summary.num_images, summary.num_scenes) == (3, 2)


def test_accumulated_miou_differs_from_per_image_miou():
    acc = SemanticAccumulator(num_classes=2)
    acc.add("s", row([0, 0]), row([0, 0]))  # per-image mIoU 1
    acc.add("s", row([1, 1]), row([0, 0]))  # per-image mIoU 0
    summary = acc.summary()
    assert summary.miou == pytest.approx(0.5)
    # Summed matrix [[2, 0], [2, 0]]: IoU_0 = 2 / (2 + 4 - 2) = 0.5, IoU_1 = 0 -> 0.25.
    assert acc.confusion.tolist() == [[2, 0], [2, 0]]
    assert summary.accumulated_miou == pytest.approx(0.25)
    assert summary.accumulated_miou_nanmean == pytest.approx(0.25)


def test_accumulated_nanmean_counts_classes_only_predicted():
    acc = SemanticAccumulator(num_classes=2)
    acc.add("s", row([0, 0]), row([0, 1]))
    summary = acc.summary()
    assert summary.accumulated_miou == pytest.approx(0.5)  # class 0 only
    assert summary.accumulated_miou_nanmean == pytest.approx(0.25)  # classes 0 and 1 (IoU 0)


def test_scores_from_confusion_of_empty_matrix_is_zero():
    assert scores_from_confusion(torch.zeros(3, 3, dtype=torch.int64)).miou == 0.0


def test_scene_averager_example_and_nan_propagation():
    avg = SceneAverager()
    avg.add("a", {"psnr": 20.0, "lpips": float("nan")})
    avg.add("a", {"psnr": 30.0, "lpips": float("nan")})
    avg.add("b", {"psnr": 10.0, "lpips": float("nan")})
    assert avg.scene_means()["a"]["psnr"] == 25.0
    assert avg.dataset_mean()["psnr"] == 17.5
    assert math.isnan(avg.dataset_mean()["lpips"])
    assert avg.image_counts() == {"a": 2, "b": 1}


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: confusion_matrix(row([0]), row([0]), 0), ValueError, "num_classes must be an int >= 1"),
        (lambda: confusion_matrix(row([0]), row([0]), 3, ignore_index=1), ValueError, "ignore_index must be"),
        (lambda: confusion_matrix([0], row([0]), 3), TypeError, "target must be a torch.Tensor"),
        (
            lambda: confusion_matrix(torch.tensor([[0.0]]), row([0]), 3),
            TypeError,
            "target must have an integer dtype",
        ),
        (
            lambda: confusion_matrix(torch.zeros(2, 2, 3).long(), row([0]), 3),
            ValueError,
            r"target must have shape \(H, W\)",
        ),
        (
            lambda: confusion_matrix(row([0, 1]), row([0]), 3),
            ValueError,
            "target and pred must have the same shape",
        ),
        (
            lambda: confusion_matrix(row([0, 7]), row([0, 1]), 3),
            ValueError,
            r"target must hold class ids in \[0, 3\)",
        ),
        (lambda: scores_from_confusion(torch.zeros(2, 3)), ValueError, r"confusion must have shape \(K, K\)"),
        (lambda: SemanticAccumulator(3).summary(), ValueError, "needs at least one image"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_scene_averager_errors():
    avg = SceneAverager()
    with pytest.raises(ValueError, match="dataset_mean needs at least one image"):
        avg.dataset_mean()
    with pytest.raises(TypeError, match="scene must be a non-empty str"):
        avg.add("", {"psnr": 1.0})
    avg.add("a", {"psnr": 1.0})
    with pytest.raises(ValueError, match="every image must report the same metrics"):
        avg.add("a", {"ssim": 1.0})

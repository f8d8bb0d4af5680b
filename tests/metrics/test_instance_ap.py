import numpy as np
import pytest
import torch
from scipy.optimize import linear_sum_assignment

from gpnerf.metrics import (
    AP_THRESHOLDS,
    InstanceAPAccumulator,
    average_precision,
    instance_ap,
    slot_probs_from_instance_map,
)


def blocks(height=8, width=8):
    """GT map with three instances: 0 (background, left half), 3 (top right), 7 (bottom right)."""
    gt = torch.zeros(height, width, dtype=torch.int64)
    gt[: height // 2, width // 2 :] = 3
    gt[height // 2 :, width // 2 :] = 7
    return gt


def scores_for(ids, value, num_slots):
    scores = torch.full((num_slots,), 0.5)
    scores[list(ids)] = torch.tensor(value, dtype=torch.float32)
    return scores


def reference_instance_ap(slot_probs, gt, thresholds=AP_THRESHOLDS):
    """Slow reference following DM-NeRF's dense formulation: (G, S, pixels) BCE and soft IoU arrays,
    numpy median, and a loop-based COCO all-point AP."""
    probs = slot_probs.double().numpy().reshape(-1, slot_probs.shape[-1])
    num_slots = probs.shape[1]
    label = probs.argmax(1)
    conf_map = probs.max(1)
    pred_ids = np.unique(label)
    conf = [np.median(conf_map[label == i]) for i in pred_ids]
    pred = np.zeros((num_slots, label.size))
    for k, i in enumerate(pred_ids):
        pred[k] = label == i
    gt_flat = gt.numpy().reshape(-1)
    gt_ids = np.unique(gt_flat)
    gt_mask = np.stack([(gt_flat == i).astype(float) for i in gt_ids])
    g, p = gt_mask[:, None, :], pred[None, :, :]
    bce = np.mean(-g * np.log(p + 1e-8) - (1 - g) * np.log(1 - p + 1e-8), axis=-1)
    tp = (g * p).sum(-1)
    iou = tp / (tp + (p.sum(-1) - tp) + (g.sum(-1) - tp) + 1e-6)
    rows, cols = linear_sum_assignment(bce + 1 - iou)
    ious = iou[rows, cols]
    confs = np.array([conf[c] if c < len(pred_ids) else 0.0 for c in cols])
    order = np.argsort(-confs, kind="stable")
    aps = []
    for t in thresholds:
        hits = ious[order] > t
        precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
        recall = np.cumsum(hits) / len(hits)
        mrec = np.concatenate([[0.0], recall, [1.0]])
        mprec = np.concatenate([[0.0], precision, [0.0]])
        for i in range(len(mprec) - 1, 0, -1):
            mprec[i - 1] = max(mprec[i - 1], mprec[i])
        aps.append(sum((mrec[i + 1] - mrec[i]) * mprec[i + 1] for i in range(len(mrec) - 1) if mrec[i + 1] != mrec[i]))
    return tuple(aps), ious


def test_exact_copies_give_ap_one_at_all_thresholds():
    gt = blocks()
    result = instance_ap(slot_probs_from_instance_map(gt, scores_for([0, 3, 7], [0.9, 0.8, 0.7], 8)), gt)
    assert result.ap == (1.0,) * len(AP_THRESHOLDS)
    assert result.gt_ids == (0, 3, 7) and result.matched_slots == (0, 3, 7)
    assert result.confidences == pytest.approx((0.9, 0.8, 0.7))


def test_half_overlap_is_not_a_true_positive_at_0_5():
    gt = torch.zeros(2, 4, dtype=torch.int64)  # one GT instance
    pred = torch.tensor([[1, 1, 2, 2], [1, 1, 2, 2]])  # two predictions, each covering half of it
    result = instance_ap(slot_probs_from_instance_map(pred, torch.tensor([0.5, 0.9, 0.9])), gt)
    assert result.ious[0] == pytest.approx(0.5, abs=1e-6)
    assert result.ap_at(0.5) == 0.0
    # Strictness on its own (no epsilon involved): IoU exactly 0.5 fails, anything above passes.
    assert average_precision(torch.tensor([0.5]), torch.tensor([1.0]), (0.5,)) == (0.0,)
    assert average_precision(torch.tensor([0.5 + 1e-9], dtype=torch.float64), torch.tensor([1.0]), (0.5,)) == (1.0,)


def test_extra_spurious_instance_does_not_change_ap():
    gt = blocks()
    clean = instance_ap(slot_probs_from_instance_map(gt, scores_for([0, 3, 7], [0.5, 0.5, 0.5], 8)), gt)
    pred = gt.clone()
    pred[0, 0] = 5  # one background pixel becomes a spurious instance: background IoU 31/32 > 0.95
    spurious = instance_ap(slot_probs_from_instance_map(pred, scores_for([0, 3, 5, 7], [0.5, 0.5, 1.0, 0.5], 8)), gt)
    assert spurious.num_predicted == clean.num_predicted + 1
    assert 5 not in spurious.matched_slots
    assert spurious.ap == clean.ap == (1.0,) * len(AP_THRESHOLDS)


def test_confidence_is_numpy_median_of_max_probability():
    gt = torch.tensor([[0, 0, 0, 0]])
    probs = torch.tensor([[[0.2, 0.1], [0.4, 0.3], [0.6, 0.4], [0.9, 0.1]]])  # all argmax slot 0
    result = instance_ap(probs, gt)
    assert result.confidences == pytest.approx((0.5,))  # mean of the middle values 0.4 and 0.6


def test_ranking_by_confidence():
    ious = torch.tensor([0.9, 0.1])
    # The hit ranked first: precision 1 up to recall 0.5 -> AP 0.5; ranked last -> 0.5 * 0.5.
    assert average_precision(ious, torch.tensor([0.9, 0.2]), (0.5,)) == pytest.approx((0.5,))
    assert average_precision(ious, torch.tensor([0.2, 0.9]), (0.5,)) == pytest.approx((0.25,))


def test_padding_column_when_fewer_predictions_than_gt():
    gt = blocks()
    pred = torch.zeros_like(gt)  # everything predicted as one instance
    result = instance_ap(slot_probs_from_instance_map(pred, torch.full((8,), 0.6)), gt)
    assert result.num_predicted == 1
    assert sorted(result.matched_slots).count(-1) == 2
    assert [c for s, c in zip(result.matched_slots, result.confidences) if s == -1] == [0.0, 0.0]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_matches_dense_reference(seed):
    g = torch.Generator().manual_seed(seed)
    gt = torch.randint(0, 4, (3, 4), generator=g).repeat_interleave(2, 0).repeat_interleave(2, 1)  # (6, 8)
    logits = torch.randn(6, 8, 6, generator=g)
    logits.scatter_add_(-1, gt[..., None], torch.full((6, 8, 1), 1.5))  # predictions correlated with GT
    probs = logits.softmax(-1)
    expected_ap, expected_ious = reference_instance_ap(probs, gt)
    result = instance_ap(probs, gt)
    assert result.ap == pytest.approx(expected_ap, abs=1e-9)
    assert result.ious == pytest.approx(tuple(expected_ious), abs=1e-9)


def test_accumulator_averages_images_then_scenes():
    gt = blocks()
    perfect = slot_probs_from_instance_map(gt, scores_for([0, 3, 7], [0.9, 0.9, 0.9], 8))
    merged = slot_probs_from_instance_map(torch.zeros_like(gt), torch.full((8,), 0.9))
    acc = InstanceAPAccumulator()
    acc.add("a", perfect, gt)
    low = acc.add("a", merged, gt).ap_at(0.75)
    acc.add("b", perfect, gt)
    assert acc.num_images == 3
    assert acc.scene_means()["a"]["ap75"] == pytest.approx((1.0 + low) / 2)
    assert acc.summary()["ap75"] == pytest.approx(((1.0 + low) / 2 + 1.0) / 2)
    assert tuple(acc.summary()) == ("ap50", "ap75", "ap80", "ap85", "ap90", "ap95")


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda gt: instance_ap(torch.ones(8, 8), gt),
            ValueError,
            r"slot_probs must be a float tensor of shape \(H, W, S\)",
        ),
        (
            lambda gt: instance_ap(torch.ones(8, 8, 8, dtype=torch.int64), gt),
            ValueError,
            "slot_probs must be a float tensor",
        ),
        (
            lambda gt: instance_ap(torch.rand(8, 7, 8), gt),
            ValueError,
            r"gt_instance_ids must have shape \(H, W\) = \(8, 7\)",
        ),
        (lambda gt: instance_ap(torch.rand(8, 8, 8), gt - 1), ValueError, "gt_instance_ids must be >= 0"),
        (lambda gt: instance_ap(torch.rand(8, 8, 2), gt), ValueError, "at most S = 2 distinct ids"),
        (
            lambda gt: instance_ap(torch.rand(8, 8, 8), gt, thresholds=(1.0,)),
            ValueError,
            "thresholds must be a non-empty",
        ),
        (lambda gt: instance_ap(torch.rand(8, 8, 8), gt).ap_at(0.6), ValueError, "threshold must be one of"),
        (
            lambda gt: average_precision(torch.rand(3), torch.rand(2)),
            ValueError,
            "ious and confidences must have the same shape",
        ),
        (lambda gt: average_precision(torch.rand(0), torch.rand(0)), ValueError, "G >= 1"),
        (
            lambda gt: slot_probs_from_instance_map(gt, torch.rand(5)),
            ValueError,
            r"instance_ids must lie in \[0, 5\)",
        ),
        (
            lambda gt: slot_probs_from_instance_map(gt, torch.zeros(8)),
            ValueError,
            r"scores of the ids present must lie in \(0, 1\]",
        ),
        (
            lambda gt: slot_probs_from_instance_map(gt, torch.ones(8, 1)),
            ValueError,
            "scores must be a 1-D float tensor",
        ),
        (
            lambda gt: slot_probs_from_instance_map(gt.float(), torch.ones(8)),
            TypeError,
            "instance_ids must have an integer dtype",
        ),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(blocks())

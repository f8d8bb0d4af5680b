"""Target / reference split, source selection, fine-tuning disjointness."""

import pytest
import torch

from data_fixtures import circle_poses
from gpnerf.data.errors import EvaluationLeakError
from gpnerf.data.views import (
    SourceSelectionConfig,
    ViewSplit,
    ViewSplitConfig,
    check_no_leak,
    check_scene_split,
    finetune_frame_ids,
    seeded_generator,
    select_sources,
    split_views,
)


def test_sray_split_on_900_frames():
    split = split_views(list(range(900)))
    assert split.target_ids == (2, 22, 42, 62, 82, 102, 122, 142, 162, 182)
    assert split.reference_ids == tuple(range(0, 700, 5)) and len(split.reference_ids) == 140


def test_split_uses_frame_order_not_values():
    ids = [0, 2, 3, 5, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]
    split = split_views(ids, ViewSplitConfig(target_step=10, num_targets=2))
    assert split.target_ids == (3, 16)  # positions 2 and 12
    assert split.reference_ids == (0, 8, 14, 19, 24)  # positions 0, 5, 10, 15, 20


def test_split_parameters_and_overlap_removed():
    split = split_views(list(range(30)), ViewSplitConfig(max_frames=30, reference_step=2, target_offset=0, target_step=10, num_targets=3))
    assert split.target_ids == (0, 10, 20)
    assert not set(split.target_ids) & set(split.reference_ids)
    with pytest.raises(ValueError, match="ViewSplitConfig.reference_step must be >= 1; got 0"):
        split_views(range(10), ViewSplitConfig(reference_step=0))


def _circle(num):
    return torch.from_numpy(circle_poses(num)).float()


def test_nearest_sources_known_answer():
    poses = _circle(40)
    ids = list(range(40))
    sources = select_sources(10, poses[10], ids, poses, SourceSelectionConfig(num_sources=4))
    assert sources[:2] in ([9, 11], [11, 9])
    assert set(sources) == {8, 9, 11, 12}
    assert 10 not in select_sources(10, poses[10], ids, poses, SourceSelectionConfig(num_sources=39))


def test_pool_too_small():
    poses = _circle(5)
    with pytest.raises(ValueError, match=r"source pool must hold at least num_sources=10 frames besides the target; got 4"):
        select_sources(0, poses[0], list(range(5)), poses)


def test_vector_rule_is_seeded_and_needs_generator():
    poses = _circle(60)
    config = SourceSelectionConfig(num_sources=5, method="vector")
    a = select_sources(3, poses[3], list(range(60)), poses, config, seeded_generator(0, 3))
    b = select_sources(3, poses[3], list(range(60)), poses, config, seeded_generator(0, 3))
    assert a == b and len(set(a)) == 5 and 3 not in a
    draws = {tuple(select_sources(3, poses[3], list(range(60)), poses, config, seeded_generator(s, 3))) for s in range(20)}
    assert len(draws) > 1
    with pytest.raises(ValueError, match="The 'vector' source rule draws random views; pass a seeded torch.Generator"):
        select_sources(3, poses[3], list(range(60)), poses, config)
    with pytest.raises(ValueError, match="source selection method must be 'nearest' or 'vector'; got 'angle'"):
        select_sources(3, poses[3], list(range(60)), poses, SourceSelectionConfig(num_sources=5, method="angle"))


def test_random_pool_needs_generator():
    poses = _circle(30)
    with pytest.raises(ValueError, match="A random source pool needs a seeded torch.Generator; got None"):
        select_sources(0, poses[0], list(range(30)), poses, SourceSelectionConfig(num_sources=3), pool_factor=2)


def test_seeded_generator_keys_do_not_collide():
    def draw(*keys):
        return torch.randint(1 << 30, (4,), generator=seeded_generator(*keys)).tolist()

    assert draw(0, 1, 0) != draw(0, 0, 1)
    assert draw(5, 2, 9) == draw(5, 2, 9)


def test_finetune_frames_exclude_targets():
    ids = list(range(900))
    split = split_views(ids)
    pool = finetune_frame_ids(ids, split)
    assert pool == list(split.reference_ids) and not set(pool) & set(split.target_ids)
    margin = finetune_frame_ids(ids, split, mode="all_minus_margin", margin=2)
    assert all(min(abs(f - t) for t in split.target_ids) > 2 for f in margin)
    assert 5 in margin and 4 not in margin and 700 in margin


def test_finetune_raises_on_leak():
    ids = list(range(900))
    split = split_views(ids)
    # GP-NeRF's fine-tuning targets [:700:3] contain eval targets 42, 102, 162
    with pytest.raises(EvaluationLeakError, match=r"Fine-tuning frames of scene 'scene0376_02' must exclude every evaluation target; got targets \[42, 102, 162\]"):
        finetune_frame_ids(ids, split, include=ids[:700:3], scene="scene0376_02")
    with pytest.raises(EvaluationLeakError, match=r"got targets \[2\]"):
        check_no_leak([1, 2, 3], ViewSplit((0,), (2,)).target_ids, "Training frames")
    with pytest.raises(ValueError, match="mode must be 'reference_pool' or 'all_minus_margin'; got 'all'"):
        finetune_frame_ids(ids, split, mode="all")
    with pytest.raises(ValueError, match="margin must be >= 0; got -1"):
        finetune_frame_ids(ids, split, mode="all_minus_margin", margin=-1)


def test_scene_split_disjoint():
    check_scene_split(["a", "b"], ["c"])
    with pytest.raises(EvaluationLeakError, match=r"Training and test scenes must be disjoint; got \['office_0'\] in both"):
        check_scene_split(["office_0", "office_1"], ["office_0"])

"""Ray batches (per-rank streams, chunks, pixel centres) and EpisodeDataset on the built-in layout."""

import pytest
import torch

from gpnerf.data.episodes import EpisodeConfig, EpisodeDataset, train_and_eval_datasets
from gpnerf.data.errors import EvaluationLeakError
from gpnerf.data.formats.builtin import load_builtin
from gpnerf.data.rays import image_chunks, rays_for_indices, sample_ray_indices
from gpnerf.data.views import SourceSelectionConfig, ViewSplitConfig, seeded_generator
from gpnerf.cuda_graphs import batch_signature
from gpnerf.episode import Episode
from gpnerf.geometry import Cameras


def test_ray_indices_distinct_and_in_range():
    indices = sample_ray_indices(6, 7, 42, seeded_generator(0, 0, 0))
    assert indices.dtype == torch.int64 and sorted(indices.tolist()) == list(range(42))
    with pytest.raises(ValueError, match=r"num_rays must lie in \[1, 42\] \(pixels of a 6x7 image\); got 43"):
        sample_ray_indices(6, 7, 43, seeded_generator(0))


def test_image_chunks_cover_in_order():
    chunks = list(image_chunks(5, 7, 10))
    assert [len(c) for c in chunks] == [10, 10, 10, 5]
    assert torch.equal(torch.cat(chunks), torch.arange(35))
    with pytest.raises(ValueError, match="chunk_size must be >= 1; got 0"):
        list(image_chunks(5, 7, 0))


def test_rays_use_row_major_indices_and_integer_centres():
    K = torch.tensor([[[10.0, 0, 3.0], [0, 10.0, 2.0], [0, 0, 1]]])
    camera = Cameras(K, torch.eye(4)[None], 5, 7)
    origins, directions = rays_for_indices(camera, torch.tensor([2 * 7 + 3, 0]))
    assert torch.allclose(directions[0], torch.tensor([0.0, 0.0, 1.0]))  # pixel (u=3, v=2) = principal point
    assert torch.allclose(directions[1], torch.tensor([-0.3, -0.2, 1.0]))
    assert torch.equal(origins, torch.zeros(2, 3))
    with pytest.raises(ValueError, match="rays_for_indices needs one camera; got 2"):
        rays_for_indices(Cameras(K.repeat(2, 1, 1), torch.eye(4).repeat(2, 1, 1), 5, 7), torch.tensor([0]))


CONFIG = EpisodeConfig(
    views=ViewSplitConfig(reference_step=2, target_step=10, num_targets=3),
    sources=SourceSelectionConfig(num_sources=4),
    num_rays=64,
    seed=7,
)


def test_training_episodes_deterministic_and_per_rank(builtin_root):
    dataset = EpisodeDataset(load_builtin(builtin_root, "train"), "train", CONFIG)
    a, b = dataset.training_episode(step=3, rank=0), dataset.training_episode(step=3, rank=0)
    assert isinstance(a, Episode)
    assert (a.target_id, a.source_ids) == (b.target_id, b.source_ids)
    assert torch.equal(a.ray_indices, b.ray_indices) and torch.equal(a.source_images, b.source_images)
    other_rank = dataset.training_episode(step=3, rank=1)
    assert not torch.equal(a.ray_indices, other_rank.ray_indices)
    other_step = dataset.training_episode(step=4, rank=0)
    assert not torch.equal(a.ray_indices, other_step.ray_indices)
    assert a.target_id not in a.source_ids and len(set(a.source_ids)) == 4
    assert a.source_images.shape == (4, 3, 24, 32) and a.ray_indices.shape == (64,)
    assert a.target_semantic.dtype == torch.int64 and a.target_depth.shape == (24, 32)
    assert torch.equal(dataset[3].ray_indices, a.ray_indices)
    assert len(dataset) == 30


def test_evaluation_episodes(builtin_root):
    dataset = EpisodeDataset(load_builtin(builtin_root, "test"), "eval", CONFIG)
    assert len(dataset) == 3
    episodes = list(dataset.evaluation_episodes(0))
    assert [e.target_id for e in episodes] == [2, 12, 22]
    reference_pool = set(range(0, 30, 2))
    for episode in episodes:
        assert episode.ray_indices is None and episode.scene == "room_b"
        assert set(episode.source_ids) <= reference_pool and episode.target_id not in episode.source_ids
        assert torch.equal(episode.source_cameras.world_from_cam, torch.stack(
            [dataset.scenes[0].world_from_cam[i] for i in episode.source_ids]))
    again = dataset[1]
    assert again.source_ids == episodes[1].source_ids and torch.equal(again.target_image, episodes[1].target_image)


def test_dataset_checks(builtin_root):
    scenes = load_builtin(builtin_root, "train")
    with pytest.raises(ValueError, match="split must be 'train' or 'eval'; got 'val'"):
        EpisodeDataset(scenes, "val")
    with pytest.raises(ValueError, match="EpisodeDataset needs at least one scene; got none"):
        EpisodeDataset([], "train")
    with pytest.raises(ValueError, match=r"Scene names must be unique; got \['room_a', 'room_a'\]"):
        EpisodeDataset(scenes + scenes, "train")
    with pytest.raises(EvaluationLeakError, match=r"got \['room_a'\] in both"):
        train_and_eval_datasets(scenes, scenes, CONFIG)
    train, test = train_and_eval_datasets(scenes, load_builtin(builtin_root, "test"), CONFIG)
    assert (train.split, test.split) == ("train", "eval")


def test_training_episodes_share_one_cuda_graph_signature(builtin_root):
    """A CUDA-graphed training step (trainer.cuda_graph) captures once per batch signature: every training
    episode of a dataset must have the same one (shapes, near/far, image size; names and frame ids excluded)."""
    scenes = load_builtin(builtin_root, "train") + load_builtin(builtin_root, "test")
    dataset = EpisodeDataset(scenes, "train", CONFIG)
    episodes = [dataset.training_episode(step) for step in range(12)]
    assert len({episode.scene for episode in episodes}) == 2
    assert len({batch_signature(episode)[0] for episode in episodes}) == 1


def test_episodes_built_in_threads_equal_those_built_in_turn(builtin_root):
    """The trainer's worker threads build training episodes concurrently (gpnerf.engine.prefetch), from cached
    scenes too: each step's episode must be the one built alone."""
    from concurrent.futures import ThreadPoolExecutor

    scenes = [scene.cached() for scene in load_builtin(builtin_root, "train")]
    dataset = EpisodeDataset(scenes, "train", CONFIG)
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(dataset.training_episode, range(12)))
    for step, episode in enumerate(threaded):
        alone = EpisodeDataset(load_builtin(builtin_root, "train"), "train", CONFIG).training_episode(step)
        _, tensors = batch_signature(episode)
        _, alone_tensors = batch_signature(alone)
        assert (episode.target_id, episode.source_ids) == (alone.target_id, alone.source_ids)
        assert all(torch.equal(a, b) for a, b in zip(tensors, alone_tensors, strict=True))


def test_episode_apply_reaches_every_tensor(builtin_root):
    episode = EpisodeDataset(load_builtin(builtin_root, "train"), "train", CONFIG).training_episode(0)
    _, tensors = batch_signature(episode)
    seen = []
    copied = episode.apply(lambda x: seen.append(x) or x.clone())
    assert len(seen) == len(tensors) and all(any(s is t for s in seen) for t in tensors)
    _, copies = batch_signature(copied)
    assert all(torch.equal(a, b) and a is not b for a, b in zip(copies, tensors, strict=True))
    moved = episode.to("cpu", non_blocking=True)
    assert all(torch.equal(a, b) for a, b in zip(batch_signature(moved)[1], tensors, strict=True))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_pinned_non_blocking_copy_equals_the_blocking_one(builtin_root):
    """GP-NeRF's task stages batches through pinned memory with non-blocking copies (gpnerf.task.batch_to_device)."""
    episode = EpisodeDataset(load_builtin(builtin_root, "train"), "train", CONFIG).training_episode(0)
    pinned = episode.pin_memory()
    assert all(t.is_pinned() for t in batch_signature(pinned)[1])
    staged, blocking = pinned.to("cuda", non_blocking=True), episode.to("cuda")
    torch.cuda.synchronize()
    assert all(torch.equal(a, b) for a, b in zip(batch_signature(staged)[1], batch_signature(blocking)[1], strict=True))

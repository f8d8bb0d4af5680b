"""Which frames are evaluation targets, which are source ("reference") views, and which may be
used for fine-tuning. Facts: data-and-evaluation.md §1.5, §2.4, §4, §6.
"""

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
import torch

from gpnerf.data.errors import EvaluationLeakError


@dataclass(frozen=True)
class ViewSplitConfig:
    """The per-scene target / reference rule over the scene's frame ids in order.

    reference pool = ``ids[:max_frames:reference_step]``; targets =
    ``ids[target_offset:max_frames:target_step][:num_targets]`` (S-Ray: 700, 5, 2, 20, 10).
    """

    max_frames: int = 700
    reference_step: int = 5
    target_offset: int = 2
    target_step: int = 20
    num_targets: int = 10


@dataclass(frozen=True)
class ViewSplit:
    """Frame ids of one scene: ``reference_ids`` (source pool) and ``target_ids`` (evaluation)."""

    reference_ids: tuple[int, ...]
    target_ids: tuple[int, ...]


def split_views(frame_ids: Sequence[int], config: ViewSplitConfig = ViewSplitConfig()) -> ViewSplit:
    """Apply the split rule to ``frame_ids`` (in the scene's order). A target is never in the pool
    (with the default steps the sets are already disjoint: 2 mod 20 vs 0 mod 5)."""
    ids = list(frame_ids)
    for name in ("max_frames", "reference_step", "target_step", "num_targets"):
        if getattr(config, name) < 1:
            raise ValueError(f"ViewSplitConfig.{name} must be >= 1; got {getattr(config, name)}.")
    targets = tuple(ids[config.target_offset : config.max_frames : config.target_step][: config.num_targets])
    excluded = set(targets)
    references = tuple(i for i in ids[: config.max_frames : config.reference_step] if i not in excluded)
    return ViewSplit(references, targets)


@dataclass(frozen=True)
class SourceSelectionConfig:
    """How N source views are picked for a target.

    Attributes:
        num_sources: N.
        method: ``"nearest"`` (S-Ray: N nearest camera centres, Euclidean) or ``"vector"`` (GP-NeRF's
            released rule: angle between camera-position vectors w.r.t. the world origin; the nearest
            ``N * k`` form a pool with ``k ~ vector_pool_probs`` over 1..5, and N are drawn from it).
        vector_pool_probs: probabilities of ``k = 1, 2, ...`` for the ``"vector"`` rule.
        train_pool_factors: training uses the nearest ``N * k`` frames with ``k`` uniform over these,
            then N at random (S-Ray's training rule); evaluation never uses this.
    """

    num_sources: int = 10
    method: Literal["nearest", "vector"] = "nearest"
    vector_pool_probs: tuple[float, ...] = (0.3, 0.25, 0.2, 0.2, 0.05)
    train_pool_factors: tuple[int, ...] = (1, 2, 3)


def seeded_generator(*keys: int) -> torch.Generator:
    """A torch.Generator seeded from the integers ``keys`` mixed by NumPy's SeedSequence (no
    collisions between e.g. (seed, rank=1, step=0) and (seed, rank=0, step=1))."""
    state = np.random.SeedSequence([int(k) for k in keys]).generate_state(2, dtype=np.uint32)
    generator = torch.Generator()
    generator.manual_seed((int(state[0]) << 31) ^ int(state[1]))
    return generator


def _distances(target_pose: torch.Tensor, pool_poses: torch.Tensor, method: str) -> torch.Tensor:
    target_center = target_pose[:3, 3]
    centers = pool_poses[:, :3, 3]
    if method == "nearest":
        return (centers - target_center).norm(dim=-1)
    if method == "vector":
        cos = torch.nn.functional.cosine_similarity(centers, target_center[None], dim=-1, eps=1e-8)
        return torch.arccos(cos.clamp(-1.0, 1.0))
    raise ValueError(f"source selection method must be 'nearest' or 'vector'; got {method!r}.")


def select_sources(
    target_id: int,
    target_pose: torch.Tensor,
    pool_ids: Sequence[int],
    pool_poses: torch.Tensor,
    config: SourceSelectionConfig = SourceSelectionConfig(),
    generator: torch.Generator | None = None,
    pool_factor: int | None = None,
) -> list[int]:
    """Frame ids of the N source views for one target, nearest first (the target is never chosen).

    Args:
        target_pose: ``(4, 4)`` world_from_cam of the target.
        pool_ids: candidate frame ids; pool_poses: their ``(pool, 4, 4)`` poses.
        generator: randomness for the ``"vector"`` rule and for ``pool_factor``; required by them.
        pool_factor: if given, pick N at random from the nearest ``N * pool_factor`` (training).
    """
    keep = [i for i, frame_id in enumerate(pool_ids) if frame_id != target_id]
    ids = [pool_ids[i] for i in keep]
    num = config.num_sources
    if len(ids) < num:
        raise ValueError(
            f"The source pool must hold at least num_sources={num} frames besides the target; got {len(ids)}. "
            "Lower num_sources or use a scene with more frames."
        )
    distances = _distances(target_pose.double(), pool_poses[keep].double(), config.method)
    order = torch.sort(distances, stable=True).indices
    if config.method == "vector" and pool_factor is None:
        if generator is None:
            raise ValueError("The 'vector' source rule draws random views; pass a seeded torch.Generator.")
        probs = torch.tensor(config.vector_pool_probs, dtype=torch.float64)
        pool_factor = int(torch.multinomial(probs, 1, generator=generator)) + 1
    if pool_factor is not None:
        if generator is None:
            raise ValueError("A random source pool needs a seeded torch.Generator; got None.")
        candidates = order[: min(len(ids), num * pool_factor)]
        chosen = candidates[torch.randperm(len(candidates), generator=generator)[:num]]
        order = chosen[torch.sort(distances[chosen], stable=True).indices]
    return [ids[int(i)] for i in order[:num]]


def check_no_leak(used_ids: Sequence[int], target_ids: Sequence[int], what: str, scene: str = "") -> None:
    """Raise :class:`EvaluationLeakError` if any evaluation target is among ``used_ids``."""
    leaked = sorted(set(used_ids) & set(target_ids))
    if leaked:
        raise EvaluationLeakError(
            f"{what}{f' of scene {scene!r}' if scene else ''} must exclude every evaluation target; "
            f"got targets {leaked} among them. Drop those frames (see finetune_frame_ids)."
        )


def finetune_frame_ids(
    frame_ids: Sequence[int],
    split: ViewSplit,
    mode: Literal["reference_pool", "all_minus_margin"] = "reference_pool",
    margin: int = 0,
    include: Sequence[int] = (),
    scene: str = "",
) -> list[int]:
    """Frame ids that single-scene fine-tuning may render as targets; never an evaluation target.

    Args:
        frame_ids: all frame ids of the scene, in order.
        mode: ``"reference_pool"`` (the source pool minus targets) or ``"all_minus_margin"`` (every
            frame whose position is more than ``margin`` frames away from every target).
        include: extra frame ids requested by the caller.

    Raises:
        EvaluationLeakError: if the result (e.g. through ``include``) contains an evaluation target.
    """
    targets = set(split.target_ids)
    if mode == "reference_pool":
        chosen = [i for i in split.reference_ids if i not in targets]
    elif mode == "all_minus_margin":
        if margin < 0:
            raise ValueError(f"margin must be >= 0; got {margin}.")
        positions = {frame_id: p for p, frame_id in enumerate(frame_ids)}
        target_positions = [positions[t] for t in targets]
        chosen = [f for p, f in enumerate(frame_ids) if all(abs(p - t) > margin for t in target_positions)]
    else:
        raise ValueError(f"mode must be 'reference_pool' or 'all_minus_margin'; got {mode!r}.")
    chosen = chosen + [i for i in include if i not in chosen]
    check_no_leak(chosen, split.target_ids, "Fine-tuning frames", scene)
    return chosen


def check_scene_split(train_scenes: Sequence[str], test_scenes: Sequence[str]) -> None:
    """Raise :class:`EvaluationLeakError` if a test scene is also a training scene."""
    both = sorted(set(train_scenes) & set(test_scenes))
    if both:
        raise EvaluationLeakError(
            f"Training and test scenes must be disjoint; got {both} in both. Remove them from one list."
        )

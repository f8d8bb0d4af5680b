"""Scene data: label spaces, dataset formats, view selection, ray batches and episodes.

Depends only on gpnerf.conventions, gpnerf.geometry and gpnerf.episode. Layouts and switches: docs/data.md.
"""

from gpnerf.data.episodes import EpisodeConfig, EpisodeDataset, build_episode, train_and_eval_datasets
from gpnerf.data.errors import DataFormatError, DataMissingError, EvaluationLeakError
from gpnerf.data.formats.builtin import load_builtin, load_builtin_scene
from gpnerf.data.formats.detect import discover, load_path
from gpnerf.data.formats.niceslam import NiceSlamConfig, load_niceslam
from gpnerf.data.formats.replica import ReplicaConfig, load_replica, load_replica_sequence
from gpnerf.data.formats.scannet import ScanNetConfig, load_scannet, load_scannet_scene
from gpnerf.data.labels import REPLICA51, SCANNET20, LabelSpace
from gpnerf.data.rays import image_chunks, rays_for_indices, sample_ray_indices
from gpnerf.data.scene import Frame, FrameMaps, Scene
from gpnerf.data.validate import Problem, validate_path
from gpnerf.data.views import (
    SourceSelectionConfig,
    ViewSplit,
    ViewSplitConfig,
    finetune_frame_ids,
    select_sources,
    split_views,
)

__all__ = [
    "DataFormatError",
    "DataMissingError",
    "EpisodeConfig",
    "EpisodeDataset",
    "EvaluationLeakError",
    "Frame",
    "FrameMaps",
    "LabelSpace",
    "NiceSlamConfig",
    "Problem",
    "REPLICA51",
    "ReplicaConfig",
    "SCANNET20",
    "ScanNetConfig",
    "Scene",
    "SourceSelectionConfig",
    "ViewSplit",
    "ViewSplitConfig",
    "build_episode",
    "discover",
    "finetune_frame_ids",
    "image_chunks",
    "load_builtin",
    "load_builtin_scene",
    "load_niceslam",
    "load_path",
    "load_replica",
    "load_replica_sequence",
    "load_scannet",
    "load_scannet_scene",
    "rays_for_indices",
    "sample_ray_indices",
    "select_sources",
    "split_views",
    "train_and_eval_datasets",
    "validate_path",
]

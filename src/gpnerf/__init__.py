"""gpnerf: Generalized Perception NeRF (GP-NeRF, CVPR 2024) for context-aware 3D scene understanding."""

__version__ = "0.1.0"

"""Camera geometry: pinhole projection, back-projection and rays (conventions in gpnerf.conventions)."""

from gpnerf.geometry.cameras import (
    Cameras,
    intrinsics_from_fov,
    invert_rigid,
    pixel_centers_from_indices,
    pixel_grid,
    project,
    rays_from_pixels,
    scale_intrinsics,
    transform,
    unproject,
)

__all__ = [
    "Cameras",
    "intrinsics_from_fov",
    "invert_rigid",
    "pixel_centers_from_indices",
    "pixel_grid",
    "project",
    "rays_from_pixels",
    "scale_intrinsics",
    "transform",
    "unproject",
]

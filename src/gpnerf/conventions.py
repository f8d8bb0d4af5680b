"""The one source of truth for gpnerf's conventions. Everything else imports from here.

Frames and poses
    * Camera axes are **OpenCV**: x right, y down, z forward (the camera looks along +z).
    * A pose is stored as ``world_from_cam``: a float32 ``(..., 4, 4)`` rigid transform mapping
      camera coordinates to world coordinates (camera-to-world, "c2w"). Replica's
      ``traj_w_c.txt``, ScanNet's ``pose/*.txt`` and NICE-SLAM's ``traj.txt`` are all already
      this. ``cam_from_world`` is its inverse. Frames compose right to left:
      ``a_from_c = a_from_b @ b_from_c``.
    * World up is **+z** (Replica and the built-in procedural data; ScanNet is roughly z-up).

Pixels
    * A pixel is addressed ``(u, v)`` = (column, row).
    * Pixel ``(u, v)`` has its centre at the continuous image coordinate
      ``(u + PIXEL_CENTER_OFFSET, v + PIXEL_CENTER_OFFSET)`` in the frame of the intrinsics ``K``.
      The offset is 0: pixel centres sit on integer coordinates, the convention of the published
      intrinsics (Replica's true ``cx = (W - 1) / 2 = 319.5``, ScanNet's OpenCV calibration) and of
      the released GP-NeRF/GNT ray generation.
    * ``K`` is in pixels of the image as stored (or as resized, after ``scale_intrinsics``).
    * Feature maps are sampled with ``torch.nn.functional.grid_sample(..., align_corners=True)``:
      normalised coordinate -1 is the centre of the first pixel, +1 the centre of the last one,
      which matches integer pixel centres. ``GRID_SAMPLE_ALIGN_CORNERS`` is that choice.

Depth
    * Depth is **z-depth** in metres (distance along the optical axis), never ray length.
    * Rays are generated with directions ``world_from_cam[:3, :3] @ K^-1 @ [u, v, 1]``, whose
      camera-frame z component is 1: the ray parameter ``t`` *is* the z-depth of the point.
    * On disk (Replica / built-in layout) depth is a uint16 PNG in millimetres, 0 = no hit.

Images and labels
    * Images inside gpnerf are float32 in [0, 1], ``(views, 3, H, W)``; HWC only at file I/O.
    * Semantic labels are int64 class ids ``0 .. num_classes - 1``; the ignore id is
      ``num_classes`` (ScanNet: 20 classes, ignore 20; Replica: 51 classes, ignore 51).
    * Instance ids are int64; 0 is "no instance".
"""

import torch

PIXEL_CENTER_OFFSET: float = 0.0
"""Continuous coordinate of pixel index 0's centre, in the frame of ``K``."""

GRID_SAMPLE_ALIGN_CORNERS: bool = True
"""``align_corners`` for every ``grid_sample`` / ``interpolate`` over images and feature maps."""

DEPTH_PNG_UNITS_PER_METRE: float = 1000.0
"""uint16 depth PNG value per metre in the Replica / Semantic-NeRF / built-in layout (millimetres)."""

WORLD_UP = (0.0, 0.0, 1.0)
"""World up axis of the built-in data and of Replica."""

OPENGL_FROM_OPENCV_CAM = torch.diag(torch.tensor([1.0, -1.0, -1.0, 1.0]))
"""Maps OpenCV camera axes (x right, y down, z forward) to OpenGL ones (x right, y up, z back)."""


def ignore_index(num_classes: int) -> int:
    """The label value that marks "no class" for a label space of ``num_classes`` classes."""
    if num_classes < 1:
        raise ValueError(f"num_classes must be >= 1; got {num_classes}.")
    return num_classes


def opencv_from_opengl(world_from_cam_gl: torch.Tensor) -> torch.Tensor:
    """Convert ``(..., 4, 4)`` camera-to-world poses with OpenGL camera axes (nerfstudio,
    ``transforms.json``) to gpnerf's OpenCV camera axes. The world frame is unchanged."""
    return world_from_cam_gl @ OPENGL_FROM_OPENCV_CAM.to(world_from_cam_gl)


def opengl_from_opencv(world_from_cam_cv: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`opencv_from_opengl` (the flip is its own inverse)."""
    return world_from_cam_cv @ OPENGL_FROM_OPENCV_CAM.to(world_from_cam_cv)

"""Batched analytic ray casting of a :class:`~gpnerf.synthetic.room.Room` in PyTorch.

The same code runs on CPU and CUDA. For each chunk of views:

1. every primitive's bounding box is projected into every view, and each ``tile x tile`` pixel
   tile keeps the primitives whose projected bounds touch it (conservative culling; a primitive
   that straddles the camera plane is kept for the whole image);
2. each (tile, primitive) pair is intersected exactly (slab test in the box's yaw frame,
   quadratic for cylinders and spheres); the nearest hit per ray is a ``scatter_reduce(amin)`` on
   an int64 key ``(float bits of t) << 32 | surface index``, which is exact and order-independent;
3. the room shell (walls, floor, ceiling: the inside of the room box) is the default hit;
4. hits are shaded: procedural albedo, Lambert + Blinn-Phong specular from one point light with a
   cube shadow map (rendered once per room with the same caster), plus an ambient term.

Rays come from :func:`gpnerf.geometry.rays_from_pixels` over :func:`gpnerf.geometry.pixel_grid`,
so their camera-frame z is 1 and the hit parameter ``t`` is the z-depth.
"""

import math
from dataclasses import dataclass

import torch

from gpnerf.geometry import Cameras, intrinsics_from_fov, invert_rigid, pixel_grid, rays_from_pixels
from gpnerf.synthetic.materials import PATTERNS, Material, albedo
from gpnerf.synthetic.room import PART_KINDS, SHELL_CLASS_IDS, SHELL_INSTANCE_IDS, Room

_BOX, _CYLINDER, _SPHERE = (PART_KINDS.index(k) for k in ("box", "cylinder", "sphere"))
_T_MIN = 1e-4
"""Hits closer than this (metres along the ray parameter) are ignored."""


@dataclass
class SceneTensors:
    """A room as tensors on one device.

    Primitive tables have ``prims`` rows; surface tables have ``surfaces = prims + 6`` rows (the
    six shell faces of :data:`~gpnerf.synthetic.room.SHELL_FACES` come last).

    Attributes:
        room_size: ``(3,)`` interior extent, metres.
        kind: ``(prims,)`` int64 index into :data:`~gpnerf.synthetic.room.PART_KINDS`, sorted.
        center, half_size: ``(prims, 3)`` metres.
        cos_yaw, sin_yaw: ``(prims,)``.
        corners: ``(prims, 8, 3)`` world corners of each primitive's bounding box.
        surface_class, surface_instance: ``(surfaces,)`` int64 labels.
        pattern: ``(surfaces,)`` int64 index into :data:`~gpnerf.synthetic.materials.PATTERNS`.
        color_a, color_b, offset: ``(surfaces, 3)``; scale, specular, shininess: ``(surfaces,)``.
        light_position: ``(3,)``; light_intensity, ambient: floats.
    """

    room_size: torch.Tensor
    kind: torch.Tensor
    center: torch.Tensor
    half_size: torch.Tensor
    cos_yaw: torch.Tensor
    sin_yaw: torch.Tensor
    corners: torch.Tensor
    surface_class: torch.Tensor
    surface_instance: torch.Tensor
    pattern: torch.Tensor
    color_a: torch.Tensor
    color_b: torch.Tensor
    offset: torch.Tensor
    scale: torch.Tensor
    specular: torch.Tensor
    shininess: torch.Tensor
    light_position: torch.Tensor
    light_intensity: float
    ambient: float

    @property
    def num_prims(self) -> int:
        return self.kind.shape[0]


def scene_tensors(room: Room, device: torch.device | str = "cpu") -> SceneTensors:
    """Convert a room to :class:`SceneTensors` on ``device``."""
    parts = [(obj, part) for obj in room.objects for part in obj.parts]
    parts.sort(key=lambda item: PART_KINDS.index(item[1].kind))  # stable: kinds contiguous
    materials: list[Material] = [part.material for _, part in parts] + list(room.shell_materials)

    def tensor(values, dtype=torch.float32):
        return torch.tensor(values, dtype=dtype, device=device)

    num = len(parts)
    center = tensor([p.center for _, p in parts]).reshape(num, 3)
    half = tensor([p.half_size for _, p in parts]).reshape(num, 3)
    yaw = tensor([p.yaw for _, p in parts]).reshape(num)
    cos_yaw, sin_yaw = torch.cos(yaw), torch.sin(yaw)
    signs = torch.tensor(
        [[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)], dtype=torch.float32, device=device
    )
    local = signs[None] * half[:, None, :]  # (prims, 8, 3)
    corners = torch.stack(
        [
            center[:, None, 0] + cos_yaw[:, None] * local[..., 0] - sin_yaw[:, None] * local[..., 1],
            center[:, None, 1] + sin_yaw[:, None] * local[..., 0] + cos_yaw[:, None] * local[..., 1],
            center[:, None, 2] + local[..., 2],
        ],
        dim=-1,
    )
    return SceneTensors(
        room_size=tensor(room.size),
        kind=tensor([PART_KINDS.index(p.kind) for _, p in parts], torch.int64).reshape(num),
        center=center,
        half_size=half,
        cos_yaw=cos_yaw,
        sin_yaw=sin_yaw,
        corners=corners,
        surface_class=tensor([o.class_id for o, _ in parts] + list(SHELL_CLASS_IDS), torch.int64),
        surface_instance=tensor([o.instance_id for o, _ in parts] + list(SHELL_INSTANCE_IDS), torch.int64),
        pattern=tensor([PATTERNS.index(m.pattern) for m in materials], torch.int64),
        color_a=tensor([m.color_a for m in materials]),
        color_b=tensor([m.color_b for m in materials]),
        offset=tensor([m.offset for m in materials]),
        scale=tensor([m.scale for m in materials]),
        specular=tensor([m.specular for m in materials]),
        shininess=tensor([m.shininess for m in materials]),
        light_position=tensor(room.light_position),
        light_intensity=room.light_intensity,
        ambient=room.ambient,
    )


# ---------------------------------------------------------------------------------------------
# exact intersections in a primitive's frame (translated to its centre, rotated by -yaw):
# o (pairs, 1, 3) the ray origin, d (pairs, rays, 3) directions, half (pairs, 1, 3) -> t (pairs, rays)


def _to_local(scene: SceneTensors, prim: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Rotate world vectors ``(n, 3)`` into each box's yaw frame (inverse yaw about +z)."""
    c, s = scene.cos_yaw[prim], scene.sin_yaw[prim]
    return torch.stack([c * v[:, 0] + s * v[:, 1], -s * v[:, 0] + c * v[:, 1], v[:, 2]], dim=-1)


def _intersect_box(o, d, half):
    d = torch.where(d.abs() < 1e-12, torch.full_like(d, 1e-12), d)
    inv = 1.0 / d
    t1, t2 = (-half - o) * inv, (half - o) * inv
    t_near = torch.minimum(t1, t2).amax(dim=-1)
    t_far = torch.maximum(t1, t2).amin(dim=-1)
    hit = (t_far >= t_near) & (t_near > _T_MIN)
    return torch.where(hit, t_near, torch.full_like(t_near, math.inf))


def _intersect_cylinder(o, d, half):
    radius, half_h = half[..., 0], half[..., 2]
    a = d[..., 0] ** 2 + d[..., 1] ** 2
    b = o[..., 0] * d[..., 0] + o[..., 1] * d[..., 1]
    c = o[..., 0] ** 2 + o[..., 1] ** 2 - radius**2
    disc = b * b - a * c
    safe_a = torch.where(a > 1e-12, a, torch.ones_like(a))
    t_side = (-b - torch.sqrt(disc.clamp(min=0.0))) / safe_a
    z_side = o[..., 2] + t_side * d[..., 2]
    inf = torch.full_like(t_side, math.inf)
    t_side = torch.where((disc >= 0) & (a > 1e-12) & (t_side > _T_MIN) & (z_side.abs() <= half_h), t_side, inf)
    safe_dz = torch.where(d[..., 2].abs() > 1e-12, d[..., 2], torch.full_like(a, 1e-12))
    cap_z = torch.where(o[..., 2] > 0, half_h, -half_h)
    t_cap = (cap_z - o[..., 2]) / safe_dz
    x = o[..., 0] + t_cap * d[..., 0]
    y = o[..., 1] + t_cap * d[..., 1]
    t_cap = torch.where((t_cap > _T_MIN) & (x * x + y * y <= radius**2), t_cap, inf)
    return torch.minimum(t_side, t_cap)


def _intersect_sphere(o, d, half):
    radius = half[..., 0]
    a = (d * d).sum(-1)
    b = (o * d).sum(-1)
    c = (o * o).sum(-1) - radius**2
    disc = b * b - a * c
    t = (-b - torch.sqrt(disc.clamp(min=0.0))) / a
    return torch.where((disc >= 0) & (t > _T_MIN), t, torch.full_like(t, math.inf))


_INTERSECTORS = {_BOX: _intersect_box, _CYLINDER: _intersect_cylinder, _SPHERE: _intersect_sphere}


def _intersect_shell(scene: SceneTensors, o: torch.Tensor, d: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Exit of rays ``(n, 3)`` from the room box: ``t (n,)`` and face index ``(n,)`` in
    :data:`~gpnerf.synthetic.room.SHELL_FACES` order (2 * axis + (1 if the upper face))."""
    upper = d > 0
    bound = torch.where(upper, scene.room_size.expand_as(o), torch.zeros_like(o))
    safe_d = torch.where(d.abs() > 1e-12, d, torch.full_like(d, 1e-12))
    t_axis = torch.where(d.abs() > 1e-12, (bound - o) / safe_d, torch.full_like(d, math.inf))
    t, axis = t_axis.min(dim=-1)
    face = 2 * axis + upper.gather(-1, axis[:, None]).squeeze(-1).long()
    return t, face


def _float_key(t: torch.Tensor, surface: torch.Tensor) -> torch.Tensor:
    """int64 keys ordered by ``t`` (positive float32) then surface index."""
    return (t.contiguous().view(torch.int32).long() << 32) | surface


@dataclass
class Hits:
    """Nearest hits of ``rays`` rays: ``t (rays,)`` z-depth-parameter (metres) and
    ``surface (rays,)`` int64 index into the surface tables of :class:`SceneTensors`."""

    t: torch.Tensor
    surface: torch.Tensor


def cast(
    scene: SceneTensors,
    cameras: Cameras,
    tile: int = 16,
    max_pair_rays: int | None = None,
) -> tuple[Hits, torch.Tensor, torch.Tensor]:
    """Nearest hit of every pixel ray of ``cameras`` (all on ``scene``'s device).

    Args:
        scene: the room.
        cameras: ``views`` cameras; their pixel rays are ``views * H * W`` rays, view-major then
            row-major.
        tile: culling tile size in pixels.
        max_pair_rays: at most this many (ray, primitive) tests per step (memory bound);
            default 2**26 on CUDA, 2**21 on CPU.

    Returns:
        hits, origins ``(rays, 3)`` and directions ``(rays, 3)`` (camera-z = 1) of the rays.
    """
    device = scene.room_size.device
    height, width = cameras.height, cameras.width
    uv = pixel_grid(height, width, device=device)
    origins, dirs = rays_from_pixels(uv[None], cameras.K, cameras.world_from_cam)  # (views, H*W, 3)
    origins, dirs = origins.reshape(-1, 3), dirs.reshape(-1, 3)
    t_shell, face = _intersect_shell(scene, origins, dirs)
    best = _float_key(t_shell, face + scene.num_prims)
    if scene.num_prims == 0:
        return _unpack(best), origins, dirs
    pairs = _tile_pairs(scene, cameras, tile)  # (pairs, 4): prim, view, tile row, tile col; by prim
    offsets = torch.arange(tile, device=device)
    du, dv = offsets.repeat(tile), offsets.repeat_interleave(tile)  # (tile*tile,)
    K_inv = torch.linalg.inv(cameras.K)  # (views, 3, 3)
    cam_rot, cam_center = cameras.world_from_cam[:, :3, :3], cameras.world_from_cam[:, :3, 3]
    no_hit = torch.iinfo(torch.int64).max
    pair_kind = scene.kind[pairs[:, 0]]
    bounds = torch.searchsorted(pair_kind, torch.arange(len(PART_KINDS) + 1, device=device)).tolist()
    if max_pair_rays is None:
        max_pair_rays = 1 << 26 if device.type == "cuda" else 1 << 21
    pairs_per_step = max(1, max_pair_rays // (tile * tile))
    for kind, intersect in _INTERSECTORS.items():
        for start in range(bounds[kind], bounds[kind + 1], pairs_per_step):
            chunk = pairs[start : min(start + pairs_per_step, bounds[kind + 1])]
            prim, view = chunk[:, 0], chunk[:, 1]
            u = chunk[:, 3:4] * tile + du  # (pairs, tile*tile)
            v = chunk[:, 2:3] * tile + dv
            # prim_from_cam rotation: yaw^-1 @ world_from_cam rotation, (pairs, 3, 3)
            c, s = scene.cos_yaw[prim], scene.sin_yaw[prim]
            yaw_inv = torch.zeros(prim.shape[0], 3, 3, device=device)
            yaw_inv[:, 0, 0], yaw_inv[:, 0, 1], yaw_inv[:, 1, 0], yaw_inv[:, 1, 1], yaw_inv[:, 2, 2] = c, s, -s, c, 1.0
            prim_from_pix = yaw_inv @ cam_rot[view] @ K_inv[view]
            # prim_from_pix @ [u, v, 1] as broadcast products (a batched 3x3 matmul is slow on GPU)
            d_local = (
                u.float()[..., None] * prim_from_pix[:, None, :, 0]
                + v.float()[..., None] * prim_from_pix[:, None, :, 1]
                + prim_from_pix[:, None, :, 2]
            )  # (pairs, tile*tile, 3)
            o_local = (yaw_inv @ (cam_center[view] - scene.center[prim])[:, :, None]).transpose(-1, -2)  # (pairs, 1, 3)
            t = intersect(o_local, d_local, scene.half_size[prim][:, None, :])  # (pairs, tile*tile)
            valid = (u < width) & (v < height)
            ray = torch.where(valid, (view[:, None] * height + v) * width + u, torch.zeros_like(u))
            key = torch.where(valid, _float_key(t, prim[:, None].expand_as(u)), torch.full_like(u, no_hit))
            best.scatter_reduce_(0, ray.reshape(-1), key.reshape(-1), reduce="amin", include_self=True)
    return _unpack(best), origins, dirs


def _unpack(best: torch.Tensor) -> Hits:
    return Hits((best >> 32).to(torch.int32).view(torch.float32), best & 0xFFFFFFFF)


def _tile_pairs(scene: SceneTensors, cameras: Cameras, tile: int) -> torch.Tensor:
    """``(pairs, 4)`` int64 rows ``(prim, view, tile_row, tile_col)``, sorted by prim, whose
    projected primitive bounds touch the tile."""
    height, width = cameras.height, cameras.width
    device = scene.room_size.device
    cam_from_world = invert_rigid(cameras.world_from_cam)  # (views, 4, 4)
    rot, trans = cam_from_world[:, :3, :3], cam_from_world[:, :3, 3]
    xyz_cam = torch.einsum("vij,pcj->pvci", rot, scene.corners) + trans[None, :, None, :]  # (prims, views, 8, 3)
    z = xyz_cam[..., 2]
    front = z > 1e-4
    all_front, any_front = front.all(-1), front.any(-1)
    pix = torch.einsum("vij,pvcj->pvci", cameras.K, xyz_cam)
    safe_z = torch.where(front, z, torch.ones_like(z))
    u, v = pix[..., 0] / safe_z, pix[..., 1] / safe_z
    big = torch.full_like(u[..., 0], 1e9)
    u_min = torch.where(all_front, u.amin(-1), -big)
    u_max = torch.where(all_front, u.amax(-1), big)
    v_min = torch.where(all_front, v.amin(-1), -big)
    v_max = torch.where(all_front, v.amax(-1), big)
    tile_u0 = torch.arange(0, width, tile, device=device, dtype=torch.float32)
    tile_v0 = torch.arange(0, height, tile, device=device, dtype=torch.float32)
    hit_u = (u_max[..., None] >= tile_u0 - 1.0) & (u_min[..., None] <= tile_u0 + tile)  # (prims, views, tiles_x)
    hit_v = (v_max[..., None] >= tile_v0 - 1.0) & (v_min[..., None] <= tile_v0 + tile)
    mask = any_front[..., None, None] & hit_v[..., :, None] & hit_u[..., None, :]
    return mask.nonzero()


# ---------------------------------------------------------------------------------------------
# shading


def _normals(scene: SceneTensors, points: torch.Tensor, surface: torch.Tensor) -> torch.Tensor:
    """``(n, 3)`` outward unit normals at hit points ``(n, 3)`` of surfaces ``(n,)`` (the shell's
    point into the room)."""
    normal = torch.zeros_like(points)
    is_prim = surface < scene.num_prims
    shell = (~is_prim).nonzero().squeeze(-1)
    if shell.numel():
        face = surface[shell] - scene.num_prims
        axis, upper = face // 2, face % 2
        normal[shell] = torch.nn.functional.one_hot(axis, 3).float() * (1.0 - 2.0 * upper.float())[:, None]
    prim_rows = is_prim.nonzero().squeeze(-1)
    prim = surface[prim_rows]
    kinds = scene.kind[prim]
    for kind in (_BOX, _CYLINDER, _SPHERE):
        sel = (kinds == kind).nonzero().squeeze(-1)
        if sel.numel() == 0:
            continue
        rows, p = prim_rows[sel], prim[sel]
        rel = points[rows] - scene.center[p]
        half = scene.half_size[p]
        if kind == _BOX:
            local = _to_local(scene, p, rel)
            axis = (local.abs() / half).argmax(-1)
            n_local = torch.nn.functional.one_hot(axis, 3).float() * torch.sign(local.gather(-1, axis[:, None]))
            c, s = scene.cos_yaw[p], scene.sin_yaw[p]
            n = torch.stack([c * n_local[:, 0] - s * n_local[:, 1], s * n_local[:, 0] + c * n_local[:, 1], n_local[:, 2]], -1)
        elif kind == _CYLINDER:
            radial = rel[:, :2].norm(dim=-1)
            on_cap = (rel[:, 2].abs() - half[:, 2]).abs() < (radial - half[:, 0]).abs()
            side = torch.cat([rel[:, :2] / radial.clamp(min=1e-9)[:, None], torch.zeros_like(radial[:, None])], -1)
            cap = torch.zeros_like(rel)
            cap[:, 2] = torch.sign(rel[:, 2])
            n = torch.where(on_cap[:, None], cap, side)
        else:
            n = rel / half[:, :1]
        normal[rows] = n
    return torch.nn.functional.normalize(normal, dim=-1)


@dataclass
class ShadowMap:
    """A cube map of z-depths seen from the light.

    Attributes:
        cam_from_world_rot: ``(6, 3, 3)`` rotation of each face camera (OpenCV axes).
        K: ``(3, 3)`` face intrinsics (90 degree field of view).
        depth: ``(6, res, res)`` z-depth of the nearest surface per face pixel, metres.
    """

    cam_from_world_rot: torch.Tensor
    K: torch.Tensor
    depth: torch.Tensor


def shadow_map(scene: SceneTensors, resolution: int = 256) -> ShadowMap:
    """Render the cube shadow map of the room's light with :func:`cast`."""
    device = scene.room_size.device
    forwards = torch.tensor(
        [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], dtype=torch.float32, device=device
    )
    helper = torch.tensor([0.0, 0.0, 1.0], device=device).expand(6, 3).clone()
    helper[4:] = torch.tensor([0.0, 1.0, 0.0], device=device)
    right = torch.nn.functional.normalize(torch.cross(forwards, helper, dim=-1), dim=-1)
    down = torch.cross(forwards, right, dim=-1)
    world_from_cam = torch.eye(4, device=device).repeat(6, 1, 1)
    world_from_cam[:, :3, :3] = torch.stack([right, down, forwards], dim=-1)
    world_from_cam[:, :3, 3] = scene.light_position
    K = intrinsics_from_fov(resolution, resolution, 90.0).to(device)
    cams = Cameras(K.expand(6, 3, 3).contiguous(), world_from_cam, resolution, resolution)
    hits, _, _ = cast(scene, cams)
    depth = hits.t.reshape(6, resolution, resolution)
    return ShadowMap(world_from_cam[:, :3, :3].transpose(-1, -2), K, depth)


def _visibility(shadow: ShadowMap, scene: SceneTensors, points: torch.Tensor, normal: torch.Tensor) -> torch.Tensor:
    """``(n,)`` fraction in [0, 1] of the light seen from ``points`` (2x2 percentage closer)."""
    to_point = points + 0.02 * normal - scene.light_position
    face = torch.stack([to_point[:, 0], -to_point[:, 0], to_point[:, 1], -to_point[:, 1], to_point[:, 2], -to_point[:, 2]], -1).argmax(-1)
    xyz_cam = (shadow.cam_from_world_rot[face] * to_point[:, None, :]).sum(-1)  # (n, 3)
    z = xyz_cam[:, 2].clamp(min=1e-6)
    res = shadow.depth.shape[-1]
    u = shadow.K[0, 0] * xyz_cam[:, 0] / z + shadow.K[0, 2]
    v = shadow.K[1, 1] * xyz_cam[:, 1] / z + shadow.K[1, 2]
    u0, v0 = torch.floor(u), torch.floor(v)
    lit = torch.zeros_like(z)
    for du in (0, 1):
        for dv in (0, 1):
            uu = (u0 + du).clamp(0, res - 1).long()
            vv = (v0 + dv).clamp(0, res - 1).long()
            occluder = shadow.depth[face, vv, uu]
            lit = lit + (z <= occluder + 0.01 + 0.004 * z).float()
    return lit / 4.0


def shade(
    scene: SceneTensors, shadow: ShadowMap, origins: torch.Tensor, dirs: torch.Tensor, hits: Hits
) -> torch.Tensor:
    """``(rays, 3)`` RGB in [0, 1] of the hits: ``albedo * (ambient + diffuse * shadow) + specular``,
    then an exposure curve and gamma 2.2."""
    points = origins + dirs * hits.t[:, None]
    s = hits.surface
    normal = _normals(scene, points, s)
    view = torch.nn.functional.normalize(-dirs, dim=-1)
    normal = torch.where(((normal * view).sum(-1) < 0)[:, None], -normal, normal)
    base = albedo(scene.pattern[s], points, normal, scene.color_a[s], scene.color_b[s], scene.scale[s], scene.offset[s])
    to_light = scene.light_position - points
    dist2 = (to_light * to_light).sum(-1)
    to_light = to_light / dist2.sqrt()[:, None]
    n_dot_l = (normal * to_light).sum(-1).clamp(min=0.0)
    irradiance = scene.light_intensity / (1.0 + dist2 / 4.0) * _visibility(shadow, scene, points, normal)
    halfway = torch.nn.functional.normalize(to_light + view, dim=-1)
    n_dot_h = (normal * halfway).sum(-1).clamp(min=0.0)
    spec = scene.specular[s] * n_dot_h ** scene.shininess[s] * (n_dot_l > 0).float()
    ambient = scene.ambient * (0.8 + 0.2 * normal[:, 2])
    linear = base**2.2 * (ambient + irradiance * n_dot_l)[:, None] + (irradiance * spec)[:, None]
    return (1.0 - torch.exp(-1.3 * linear)) ** (1.0 / 2.2)


# ---------------------------------------------------------------------------------------------
# views


@dataclass
class RenderedViews:
    """Rendered frames (HWC, the file layout), on the device they were rendered on.

    Attributes:
        rgb: ``(views, H, W, 3)`` float32 in [0, 1].
        depth: ``(views, H, W)`` float32 z-depth in metres (0 where no surface was hit).
        semantic: ``(views, H, W)`` int64 ScanNet-20 class ids, 20 = unlabeled.
        instance: ``(views, H, W)`` int64 instance ids (see :mod:`gpnerf.synthetic.room`).
    """

    rgb: torch.Tensor
    depth: torch.Tensor
    semantic: torch.Tensor
    instance: torch.Tensor


def default_batch_rays(device: torch.device | str) -> int:
    """Rays per rendering step when none is given: 2**24 on CUDA, 2**17 on CPU."""
    return 1 << 24 if torch.device(device).type == "cuda" else 1 << 17


def render_views(
    room: Room,
    cameras: Cameras,
    device: torch.device | str = "cpu",
    batch_rays: int | None = None,
    shadow_resolution: int | None = None,
) -> RenderedViews:
    """Render RGB, z-depth, semantic and instance maps of ``room`` from ``cameras``.

    Args:
        room: the room.
        cameras: ``views`` cameras (any device; moved to ``device``).
        device: where to render (``"cpu"``, ``"cuda"``, ...).
        batch_rays: pixel rays per step (whole views, at least one);
            default :func:`default_batch_rays`.
        shadow_resolution: pixels per side of each cube shadow-map face; default
            ``max(H, W)`` clamped to [64, 256].

    Returns:
        :class:`RenderedViews` on ``device``.
    """
    if batch_rays is not None and batch_rays < 1:
        raise ValueError(f"batch_rays must be >= 1; got {batch_rays}. Pass None for the default.")
    scene = scene_tensors(room, device)
    height, width = cameras.height, cameras.width
    if shadow_resolution is None:
        shadow_resolution = min(256, max(64, height, width))
    shadow = shadow_map(scene, shadow_resolution)
    cameras = cameras.to(device)
    views_per_step = max(1, (batch_rays or default_batch_rays(device)) // (height * width))
    outputs: dict[str, list[torch.Tensor]] = {"rgb": [], "depth": [], "semantic": [], "instance": []}
    for start in range(0, len(cameras), views_per_step):
        chunk = cameras[list(range(start, min(start + views_per_step, len(cameras))))]
        hits, origins, dirs = cast(scene, chunk)
        shape = (len(chunk), height, width)
        finite = torch.isfinite(hits.t)
        outputs["rgb"].append(shade(scene, shadow, origins, dirs, hits).reshape(*shape, 3))
        outputs["depth"].append(torch.where(finite, hits.t, torch.zeros_like(hits.t)).reshape(shape))
        outputs["semantic"].append(scene.surface_class[hits.surface].reshape(shape))
        outputs["instance"].append(scene.surface_instance[hits.surface].reshape(shape))
    return RenderedViews(**{key: torch.cat(value) for key, value in outputs.items()})

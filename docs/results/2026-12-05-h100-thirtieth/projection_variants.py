"""Two measurements for the thirtieth run, one GPU, no compile (a few seconds each):

1. The intrinsics' inverse in a CUDA graph: ``rays_from_pixels`` for a 320 x 240 frame with ``torch.linalg.inv_ex``
   (as main has it) against a closed-form 3 x 3 inverse (:func:`invert_3x3` below; in the run it sat in
   gpnerf.geometry.cameras), each captured in a graph and replayed (the render trace of main showed a 1.58 ms idle
   gap before cuSOLVER's getrf).
2. The projection kernel (``_project_points_kernel``, 153 us a launch at 4,800 x 48 x 10 in the same trace, about ten
   times its 39 MB of output at the H100's bandwidth) in launch variants: BLOCK_POINTS x warps, and a variant storing
   ``uv`` and ``direction`` as joined vectors; each against the kernel's own outputs, and a store-only kernel writing
   the same bytes in the same layouts (the bandwidth ceiling).

    PYTHONPATH=src python3 docs/results/2026-12-05-h100-thirtieth/projection_variants.py
"""

import json
import sys

import torch
import triton
import triton.language as tl

from gpnerf.geometry import Cameras
from gpnerf.geometry import cameras as camera_module
from gpnerf.model import fused_projection as fp


def timed(fn, repeats=50) -> float:
    """Median ms of ``fn`` over ``repeats`` CUDA-event-timed calls after 5 warm-up calls."""
    for _ in range(5):
        fn()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def graphed(fn):
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):
            fn()
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        fn()
    return graph.replay


def invert_3x3(matrix: torch.Tensor) -> torch.Tensor:
    """The closed form tried against ``torch.linalg.inv_ex`` (the adjugate over the determinant, elementwise ops);
    on gpnerf's working tree during the run, dropped after it (docs/benchmarks.md, thirtieth run)."""
    a, b, c = matrix[..., 0, 0], matrix[..., 0, 1], matrix[..., 0, 2]
    d, e, f = matrix[..., 1, 0], matrix[..., 1, 1], matrix[..., 1, 2]
    g, h, i = matrix[..., 2, 0], matrix[..., 2, 1], matrix[..., 2, 2]
    cofactors = (e * i - f * h, f * g - d * i, d * h - e * g)
    adjugate = torch.stack([
        torch.stack([cofactors[0], c * h - b * i, b * f - c * e], dim=-1),
        torch.stack([cofactors[1], a * i - c * g, c * d - a * f], dim=-1),
        torch.stack([cofactors[2], b * g - a * h, a * e - b * d], dim=-1),
    ], dim=-2)
    return adjugate / (a * cofactors[0] + b * cofactors[1] + c * cofactors[2])[..., None, None]


def rays_from_pixels(uv, K, world_from_cam, inverse):
    """``gpnerf.geometry.cameras.rays_from_pixels`` with the intrinsics' inverse from ``inverse``."""
    pix_h = torch.cat([uv, torch.ones_like(uv[..., :1])], dim=-1)
    dirs_world = camera_module.transform(world_from_cam[..., :3, :3], camera_module.transform(inverse(K), pix_h))
    return world_from_cam[..., None, :3, 3].expand_as(dirs_world), dirs_world


def intrinsics_inverse() -> dict:
    views = 11
    K = camera_module.intrinsics_from_fov(320, 240, 60.0).cuda().expand(views, 3, 3).contiguous()
    poses = torch.eye(4, device="cuda").expand(views, 4, 4).contiguous()
    uv = torch.rand(views, 240 * 320 // views, 2, device="cuda") * 300
    result = {}
    for name, inverse in (("linalg.inv_ex", lambda k: torch.linalg.inv_ex(k).inverse), ("invert_3x3", invert_3x3)):
        replay = graphed(lambda: rays_from_pixels(uv, K, poses, inverse))
        result[name] = timed(replay)
    inv = torch.linalg.inv(K.double())
    result["max_relative_difference"] = float((invert_3x3(K).double() - inv).abs().max() / inv.abs().max())
    return result


@triton.jit
def _store_only_kernel(uv_ptr, valid_ptr, direction_ptr, points, views,
                       BLOCK_POINTS: tl.constexpr, VIEW_LANES: tl.constexpr):
    point = tl.program_id(0).to(tl.int64) * BLOCK_POINTS + tl.arange(0, BLOCK_POINTS)
    view = tl.arange(0, VIEW_LANES)
    ok = (point < points)[:, None] & (view < views)[None, :]
    value = (point[:, None] + view[None, :]).to(tl.float32)
    uv_offsets = (view[None, :] * points + point[:, None]) * 2
    tl.store(uv_ptr + uv_offsets, value, mask=ok)
    tl.store(uv_ptr + uv_offsets + 1, value, mask=ok)
    point_view = point[:, None] * views + view[None, :]
    tl.store(valid_ptr + point_view, value > 0, mask=ok)
    stored = direction_ptr.dtype.element_ty
    for k in tl.static_range(4):
        tl.store(direction_ptr + point_view * 4 + k, value.to(stored), mask=ok)


def joined_source() -> str:
    """The kernel's source with its stores as joined vectors (one 8-byte uv, one 8-byte bf16 direction)."""
    import inspect
    source = inspect.getsource(fp._project_points_kernel.fn)
    uv_old = ("        tl.store(uv_ptr + uv_offsets, u, mask=ok)\n"
              "        tl.store(uv_ptr + uv_offsets + 1, v, mask=ok)\n")
    uv_new = ("        pair = tl.arange(0, 2)[None, None, :]\n"
              "        tl.store(uv_ptr + uv_offsets[:, :, None] + pair, tl.join(u, v), mask=ok[:, :, None])\n")
    direction_old = source[source.index("        direction = direction_ptr + point_view * 4"):]
    direction_new = (
        "        stored = direction_ptr.dtype.element_ty\n"
        "        quad = (tl.arange(0, 2)[:, None] * 2 + tl.arange(0, 2)[None, :])[None, None, :, :]\n"
        "        values = tl.join(tl.join(diff_x * diff_scale, diff_z * diff_scale),\n"
        "                         tl.join(diff_y * diff_scale, cosine))\n"
        "        tl.store(direction_ptr + point_view[:, :, None, None] * 4 + quad, values.to(stored),\n"
        "                 mask=ok[:, :, None, None])\n")
    assert source.count(uv_old) == 1
    source = source.replace(uv_old, uv_new).replace(direction_old, direction_new)
    return source.replace("def _project_points_kernel(", "def _project_points_joined(").replace("    @triton.jit\n", "")


def load_joined():
    import tempfile, importlib.util, textwrap
    text = "import triton\nimport triton.language as tl\nfrom gpnerf.model.fused_projection import _view_entry\n\n"
    text += "@triton.jit\n" + textwrap.dedent(joined_source())
    path = tempfile.NamedTemporaryFile("w", suffix="_joined.py", delete=False)
    path.write(text)
    path.close()
    spec = importlib.util.spec_from_file_location("joined", path.name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._project_points_joined


def projection(rays: int, samples: int, views: int = 10) -> dict:
    g = torch.Generator(device="cuda").manual_seed(0)
    xyz = torch.randn(rays, samples, 3, device="cuda", generator=g) * 2
    K = camera_module.intrinsics_from_fov(320, 240, 60.0).cuda().expand(views, 3, 3).contiguous()
    poses = torch.eye(4, device="cuda").repeat(views, 1, 1)
    poses[:, :3, 3] = torch.randn(views, 3, device="cuda", generator=g) * 3
    cameras = Cameras(K=K, world_from_cam=poses, height=240, width=320)
    target = torch.randn(3, device="cuda", generator=g)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        arguments, constants, _ = fp.kernel_arguments(xyz, cameras, target)
    points = rays * samples
    rows = {}
    reference = None
    joined = load_joined()
    for name, kernel in (("kernel", fp._project_points_kernel), ("joined", joined)):
        for block in (32, 64, 128, 256):
            for warps in (1, 2, 4, 8):
                if block * 16 // (32 * warps) < 1:
                    continue
                outputs = [t.zero_() if t.dtype != torch.bool else t.fill_(False) for t in arguments[fp.OUTPUTS]]
                launch = dict(constants, BLOCK_POINTS=block)
                grid = (triton.cdiv(points, block),)
                try:
                    ms = timed(lambda: kernel[grid](*arguments, **launch, num_warps=warps))
                except Exception as error:  # a launch that does not fit: say so, go on
                    rows[f"{name} {block}x{warps}"] = repr(error)[:200]
                    continue
                got = [t.clone() for t in outputs]
                if reference is None:
                    reference = got
                same = all(torch.equal(a, b) for a, b in zip(got, reference))
                rows[f"{name} {block}x{warps}"] = {"us": round(ms * 1e3, 1), "equal_to_default": same}
    uv, valid, direction = arguments[fp.OUTPUTS]
    for block, warps in ((64, 4), (128, 4), (256, 8)):
        grid = (triton.cdiv(points, block),)
        ms = timed(lambda: _store_only_kernel[grid](uv, valid, direction, points, views, BLOCK_POINTS=block,
                                                    VIEW_LANES=16, num_warps=warps))
        rows[f"store only {block}x{warps}"] = {"us": round(ms * 1e3, 1)}
    written = uv.numel() * 4 + valid.numel() + direction.numel() * direction.element_size()
    rows["bytes_written"] = written
    return rows


if __name__ == "__main__":
    results = {"device": torch.cuda.get_device_name(), "intrinsics_inverse_ms": intrinsics_inverse()}
    print(json.dumps(results), flush=True)
    for rays, samples in ((4800, 48), (4800, 64)):
        results[f"projection_{rays}x{samples}"] = projection(rays, samples)
        print(json.dumps(results[f"projection_{rays}x{samples}"]), flush=True)
    json.dump(results, open(sys.argv[1] if len(sys.argv) > 1 else "projection_variants.json", "w"), indent=1)

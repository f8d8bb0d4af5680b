"""Benchmark the procedural renderer: frames per second of RGB + depth + semantic + instance.

    python benchmarks/bench_synth.py --device cpu --height 240 --width 320 --views 32
    python benchmarks/bench_synth.py --device cuda --views 2048
    python benchmarks/bench_synth.py --smoke          # tiny sizes, for CI

Times :func:`gpnerf.synthetic.render_views` (shadow map included, once per room) over
``--scenes`` rooms after one warm-up render; room layout and trajectory generation are excluded
(they take milliseconds). Prints one line.
"""

import argparse
import time

import torch

from gpnerf.synthetic import make_room, make_trajectory, render_views
from gpnerf.synthetic.writer import scene_seed


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--views", type=int, default=32, help="frames rendered per room")
    parser.add_argument("--scenes", type=int, default=2, help="rooms timed")
    parser.add_argument("--batch-rays", type=int, default=None, help="rays per step (default per device)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (24x32, 4 views, 1 room)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.height, args.width, args.views, args.scenes = 24, 32, 4, 1
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("--device cuda requested but torch.cuda.is_available() is False; use --device cpu.")
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    def sync():
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    jobs = []
    for index in range(args.scenes):
        room = make_room(scene_seed(0, "train", index))
        jobs.append((room, make_trajectory(room, args.views, args.height, args.width, seed=room.seed).to(args.device)))
    render_views(jobs[0][0], jobs[0][1][[0, 1]], device=args.device, batch_rays=args.batch_rays)
    sync()
    start = time.perf_counter()
    for room, cams in jobs:
        render_views(room, cams, device=args.device, batch_rays=args.batch_rays)
    sync()
    seconds = time.perf_counter() - start
    frames = args.views * args.scenes
    name = torch.cuda.get_device_name() if args.device.startswith("cuda") else f"cpu x{torch.get_num_threads()} threads"
    line = (
        f"bench_synth device={args.device} ({name}) size={args.height}x{args.width} views={args.views} "
        f"scenes={args.scenes} frames={frames} seconds={seconds:.3f} frames_per_s={frames / seconds:.1f} "
        f"ms_per_frame={1000 * seconds / frames:.2f} torch={torch.__version__}"
    )
    print(line)
    return line


if __name__ == "__main__":
    main()

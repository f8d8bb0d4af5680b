"""Kernel weights made once per rendered frame (``GeneralizableTransformer.frame_weights``) against made per launch.

On the CPU the kernels run under the Triton interpreter (this file run as a script, as the kernels' own tests do).
Within a frame each layer's weights are made once and every chunk's launches read them: the same tensors the launches
would make, so the outputs are the same to the bit; after the frame they are dropped, so a changed parameter shows in
the next frame. ``render_image`` renders its chunks within one frame's weights.
"""

from dataclasses import replace

import pytest
import torch

from gpnerf.model.triton_support import PreparedWeights
from triton_checks import needs_triton, run_interpreted


def test_prepared_weights_refuse_a_launch_in_another_dtype():
    prepared = PreparedWeights((torch.zeros(2),), torch.bfloat16)
    assert prepared.for_launch(torch.bfloat16, "kernel") == prepared.tensors
    with pytest.raises(ValueError, match=r"kernel: weights prepared for torch.bfloat16, but the launch computes in "
                                         r"torch.float32"):
        prepared.for_launch(torch.float32, "kernel")


def count_preparations(stack) -> dict[str, int]:
    """Wrap every block's ``prepare_kernel_weights`` to count its calls (by block kind)."""
    counts = {"field": 0, "ray": 0}
    for kind, blocks in (("field", stack.field_blocks), ("ray", stack.ray_blocks)):
        for block in blocks:
            def counted(dtype, prepare=block.prepare_kernel_weights, kind=kind):
                counts[kind] += 1
                return prepare(dtype)

            block.prepare_kernel_weights = counted
    return counts


def blocks_on(stack) -> None:
    """The kernels that take prepared weights on (FAT, RAT, their tails and the q_fcs in them)."""
    for blocks in (stack.field_blocks, stack.ray_blocks):
        for block in blocks:
            block.fused_inference = block.fused_tail = True


def stack_inputs(config, rays: int, seed: int) -> tuple:
    """Random inputs of the transformer stack for ``rays`` rays of ``config``'s coarse samples and 3 views."""
    gen = torch.Generator().manual_seed(seed)
    samples, views, d_in = config.sampling.num_coarse, 3, 3 + config.encoder.d_rgb_features
    valid = torch.rand(rays, samples, views, generator=gen) > 0.3
    direction = torch.nn.functional.normalize(torch.randn(rays, 3, generator=gen), dim=-1)
    return (
        torch.rand(rays, samples, views, d_in, generator=gen), torch.randn(rays, samples, views, config.encoder.d_sem,
                                                                           generator=gen),
        torch.randn(rays, samples, views, 4, generator=gen), valid, torch.randn(rays, samples, 3, generator=gen),
        direction,
    )


def frame_matches_per_launch_weights() -> None:
    """A fast stack with the FAT, RAT and tail kernels on (the others stay off: slow under the interpreter; 2 layers,
    a q_fc in layer 0) runs two batches of rays (two chunks of a frame) within ``frame_weights``: its layers' weights
    are made once each (2 FAT and 2 RAT preparations in all), and both outputs equal, to the bit, those of a stack
    whose launches make their own weights. A parameter changed before a second frame shows in it as in the
    per-launch stack, and the frame's weights are dropped after it."""
    from model_helpers import small_config

    from gpnerf.model import GPNeRF

    torch.manual_seed(0)
    config = replace(small_config(d_rgb=16, d_fpn=16), implementation="fast", fused_kernels=False)
    framed, per_launch = (GPNeRF(config, 5).eval().transformer for _ in range(2))
    per_launch.load_state_dict(framed.state_dict())
    for stack in (framed, per_launch):
        blocks_on(stack)
    counts = count_preparations(framed)
    for frame in range(2):
        if frame == 1:
            for stack in (framed, per_launch):
                stack.ray_blocks[1].ff[3].weight.mul_(1.5)
                stack.field_blocks[0].pos_fc[0].bias.add_(0.25)
                stack.q_fcs[0][0].weight.mul_(0.5)
        with framed.frame_weights():
            for chunk in range(2):
                inputs = stack_inputs(config, rays=3 + chunk, seed=10 * frame + chunk)
                got, expected = framed(*inputs), per_launch(*inputs)
                for name in ("rgb", "weights", "semantic_field", "semantic_rendered"):
                    assert torch.equal(getattr(got, name), getattr(expected, name)), (frame, chunk, name)
        assert counts == {"field": 2 * (frame + 1), "ray": 2 * (frame + 1)}, (frame, counts)
        assert framed._frame_weights is None


def interpreted_checks() -> None:
    with torch.no_grad():
        frame_matches_per_launch_weights()
    print("interpreted checks passed")


@needs_triton
def test_frame_weights_under_the_triton_interpreter():
    run_interpreted(__file__)


if __name__ == "__main__":
    interpreted_checks()


def test_render_image_renders_its_chunks_within_one_frame_of_weights(monkeypatch):
    from model_helpers import make_episode, small_config

    from gpnerf.model import GPNeRF

    model = GPNeRF(replace(small_config(), implementation="fast"), 5).eval()
    frames, forwards = [], []
    enter = model.transformer.frame_weights

    def recorded():
        frames.append(len(forwards))
        return enter()

    forward = model.transformer.forward
    monkeypatch.setattr(model.transformer, "frame_weights", recorded)
    monkeypatch.setattr(model.transformer, "forward", lambda *a, **k: forwards.append(
        model.transformer._frame_weights is not None) or forward(*a, **k))
    model.render_image(make_episode(rays=None, height=16, width=16), 100)
    assert frames == [0] and forwards == [True] * 6  # 3 chunks, a coarse and a fine pass each
    assert model.transformer._frame_weights is None

"""The overlapped guarded update (fused Adam launched before the host reads the verdict, skipped on the device)
against the reference order (verdict first, then clip and step): same parameters, moments, step counts and
verdicts, step after step, through finite, non-finite and overflowing-norm steps, with and without clipping.
CPU fused Adam runs the same ``found_inf`` logic as the CUDA one."""

import pytest
import torch

from gpnerf.engine.optim import OptimConfig
from gpnerf.engine.trainer import Trainer, TrainerConfig
from gpnerf.engine.update import guarded_update, overlap_supported
from toy import ToyModel, ToyTask

KINDS = ("finite", "nan_grad", "inf_term", "finite", "overflowing_norm", "finite", "host_nan_term", "finite")


def step_inputs(kind: str, params: list[torch.nn.Parameter], step: int) -> tuple[torch.Tensor, dict]:
    """Set each parameter's gradient for one step of ``kind``; return the loss and its terms."""
    generator = torch.Generator().manual_seed(step)
    device = params[0].device
    for p in params:
        p.grad = torch.randn(p.shape, generator=generator).to(device)
    loss, terms = torch.tensor(0.5, device=device), {"rgb": torch.tensor(0.25, device=device), "count": 3.0}
    if kind == "nan_grad":
        params[0].grad[0] = float("nan")
    elif kind == "inf_term":
        terms["rgb"] = torch.tensor(float("inf"), device=device)
    elif kind == "overflowing_norm":  # finite values whose float32 L1 norm is inf: the screen flags them
        params[1].grad.fill_(3e38)
    elif kind == "host_nan_term":
        terms["count"] = float("nan")
    return loss, terms


def identical(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal element for element, NaN where the other is NaN (CUDA's fused Adam turns the overflowing-norm step's
    parameters into NaN in both orders; ``torch.equal`` calls NaN unequal to itself)."""
    nan = a.isnan()
    return torch.equal(nan, b.isnan()) and torch.equal(a[~nan], b[~nan])


def run(overlap: bool, clip: float | None, kinds=KINDS, device: str = "cpu") -> list:
    torch.manual_seed(0)
    model = ToyModel(dropout=0.0).to(device)
    named = [(n, p) for n, p in model.named_parameters()]
    params = [p for _, p in named]
    optimizer = torch.optim.Adam(params, lr=1e-2, fused=True)
    history = []
    for step, kind in enumerate(kinds):
        loss, terms = step_inputs(kind, params, step)
        verdict = guarded_update(optimizer, loss, terms, named, clip, lambda bad: bad, overlap)
        if verdict[2]:
            optimizer.zero_grad(set_to_none=True)
        state = {i: {k: v.clone() for k, v in s.items()} for i, s in enumerate(optimizer.state.values())}
        history.append((verdict, [p.detach().clone() for p in params], state))
    return history


@pytest.mark.parametrize("device", [
    "cpu", pytest.param("cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]),
])
@pytest.mark.parametrize("clip", [None, 0.5])
def test_overlapped_update_matches_the_reference_order(clip, device):
    expected_verdicts = {
        "finite": ((), (), False), "nan_grad": ((), ("encoder.weight",), True), "inf_term": (("rgb",), (), True),
        "overflowing_norm": ((), (), False), "host_nan_term": (("count",), (), True),
    }
    reference, overlapped = run(False, clip, device=device), run(True, clip, device=device)
    for kind, (v_ref, p_ref, s_ref), (v_ovl, p_ovl, s_ovl) in zip(KINDS, reference, overlapped):
        assert v_ref == v_ovl == expected_verdicts[kind], kind
        for a, b in zip(p_ref, p_ovl):
            assert identical(a, b), kind
        assert s_ref.keys() == s_ovl.keys()
        for i in s_ref:
            for key in s_ref[i]:
                assert identical(s_ref[i][key], s_ovl[i][key]), (kind, key)
    assert not torch.equal(reference[0][1][0], reference[-1][1][0])  # the finite steps did update


def test_a_skipped_first_step_only_initialises_the_state():
    """Overlapped, a skipped first step leaves zero moments and step 0 (the reference leaves no state); every later
    step matches."""
    kinds = ("nan_grad", "finite", "finite")
    reference, overlapped = run(False, None, kinds), run(True, None, kinds)
    assert reference[0][2] == {}
    for state in overlapped[0][2].values():
        assert float(state["step"]) == 0 and not state["exp_avg"].any() and not state["exp_avg_sq"].any()
    for (_, p_ref, s_ref), (_, p_ovl, s_ovl) in zip(reference[1:], overlapped[1:]):
        assert all(torch.equal(a, b) for a, b in zip(p_ref, p_ovl))
        for i in s_ref:
            assert all(torch.equal(s_ref[i][k], s_ovl[i][k]) for k in s_ref[i])


def test_overlap_needs_fused_adam_in_one_process():
    params = list(ToyModel().parameters())
    fused, plain = torch.optim.Adam(params, fused=True), torch.optim.Adam(params)
    assert overlap_supported(fused, 1) and not overlap_supported(fused, 2) and not overlap_supported(plain, 1)
    for p in params:
        p.grad = torch.zeros_like(p)
    with pytest.raises(ValueError, match="needs torch.optim.Adam\\(fused=True\\)"):
        guarded_update(plain, torch.tensor(1.0), {}, [("p", p) for p in params], None, lambda bad: bad, True)


def test_trainer_with_fused_adam_matches_with_and_without_the_overlap():
    """Whole trainer steps (a NaN loss and an inf gradient injected): identical model, optimizer and schedule."""
    results = []
    for overlap in (True, False):
        torch.manual_seed(0)
        config = TrainerConfig(
            max_steps=6, val_every=0, save_every=0, progress="off", overlap_optimizer=overlap,
            optim=OptimConfig(fused=True, grad_clip_max_norm=1.0),
        )
        trainer = Trainer(config, ToyTask(inject={2: "nan_loss", 3: "inf_grad"}), ToyModel())
        assert trainer.overlap_optimizer is overlap
        records = trainer.train()
        results.append((
            [(r.skipped, repr(r.loss)) for r in records], trainer.model.state_dict(),  # repr: NaN == NaN
            [s["step"] for s in trainer.optimizer.state.values()], trainer.scheduler.state_dict(),
        ))
    (records_on, model_on, steps_on, sched_on), (records_off, model_off, steps_off, sched_off) = results
    assert records_on == records_off and [r[0] for r in records_on] == [False, False, True, True, False, False]
    assert all(torch.equal(model_on[k], model_off[k]) for k in model_off)
    assert [float(s) for s in steps_on] == [float(s) for s in steps_off] == [4.0] * len(steps_off)
    assert sched_on == sched_off


def test_ensure_train_mode_switches_an_evaluated_model_and_skips_the_walk_otherwise(monkeypatch):
    from gpnerf.engine.trainer import ensure_train_mode

    model = ToyModel(dropout=0.1).eval()
    ensure_train_mode(model)
    assert all(module.training for module in model.modules())
    walks = []
    monkeypatch.setattr(torch.nn.Module, "train", lambda self, mode=True: walks.append(mode))
    ensure_train_mode(model)
    assert walks == []  # already training: no walk over the submodules

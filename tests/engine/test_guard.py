"""Non-finite guard (reliability #8): skipped steps leave params, optimizer and scheduler untouched; abort after K."""

import json
import logging

import pytest
import torch

from gpnerf.engine.errors import NonFiniteLossError
from gpnerf.engine.optim import OptimConfig
from gpnerf.engine.run_dir import RunDir
from gpnerf.engine.trainer import Trainer, TrainerConfig
from toy import ToyModel, ToyTask


def snapshot(trainer: Trainer) -> tuple[dict, dict, dict]:
    params = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    optim = {i: {k: v.clone() for k, v in s.items()} for i, s in enumerate(trainer.optimizer.state.values())}
    return params, optim, dict(trainer.scheduler.state_dict())


def assert_same(a: tuple[dict, dict, dict], b: tuple[dict, dict, dict]) -> None:
    for key in a[0]:
        assert torch.equal(a[0][key], b[0][key]), key
    assert a[1].keys() == b[1].keys()
    for i in a[1]:
        for key in a[1][i]:
            assert torch.equal(a[1][i][key], b[1][i][key])
    assert a[2] == b[2]


def test_nan_loss_then_inf_grad_are_skipped(tmp_path, caplog):
    s = 3
    task = ToyTask(inject={s: "nan_loss", s + 1: "inf_grad"})
    run = RunDir.create(tmp_path, "guard", TrainerConfig())
    config = TrainerConfig(max_steps=8, log_every=1, val_every=0, save_every=0, progress="off")
    trainer = Trainer(config, task, ToyModel(), run_dir=run)
    trainer.train(until=s)
    before = snapshot(trainer)
    with caplog.at_level(logging.WARNING, logger="gpnerf.engine"):
        nan_record = trainer.train_step()
        after_nan = snapshot(trainer)
        inf_record = trainer.train_step()
    after_inf = snapshot(trainer)
    assert nan_record.skipped and inf_record.skipped
    assert torch.isnan(torch.tensor(nan_record.loss)) and torch.isfinite(torch.tensor(inf_record.loss))
    assert_same(before, after_nan)
    assert_same(before, after_inf)
    assert trainer.scheduler.last_epoch == s
    assert all(p.grad is None for p in trainer.model.parameters())
    assert "step 3: non-finite loss terms ['loss', 'rgb']" in caplog.text
    assert "step 4: non-finite loss terms [], non-finite gradients ['encoder.weight'" in caplog.text
    assert "batch toy batch 4" in caplog.text
    good = trainer.train_step()
    assert not good.skipped and trainer.guard.consecutive == []
    assert trainer.scheduler.last_epoch == s + 1
    assert not torch.equal(trainer.model.head.weight, before[0]["head.weight"])
    trainer.close()
    events = [json.loads(line) for line in run.metrics_path.read_text().splitlines()]
    nonfinite = [e for e in events if e["event"] == "nonfinite"]
    assert [(e["step"], e["terms"], e["batch"]) for e in nonfinite] == [
        (3, ["loss", "rgb"], "toy batch 3"),
        (4, [], "toy batch 4"),
    ]
    assert "encoder.weight" in nonfinite[1]["grads"]


def test_abort_after_k_consecutive_nonfinite_steps():
    task = ToyTask(inject={step: "nan_loss" for step in range(2, 20)})
    config = TrainerConfig(max_steps=20, val_every=0, save_every=0, max_consecutive_nonfinite=4, progress="off")
    trainer = Trainer(config, task, ToyModel())
    with pytest.raises(
        NonFiniteLossError,
        match=r"got 4 non-finite steps in a row, the last at step 5 with loss terms \['loss', 'rgb'\].*batch toy batch 2",
    ):
        trainer.train()
    assert trainer.step == 6
    assert trainer.scheduler.last_epoch == 2


def test_grad_clipping_bounds_the_gradient_norm_at_the_update():
    norms = {}
    for clip in (None, 1e-3):
        torch.manual_seed(0)
        config = TrainerConfig(max_steps=1, val_every=0, save_every=0, progress="off", optim=OptimConfig(grad_clip_max_norm=clip))
        trainer = Trainer(config, ToyTask(use_global_rngs=False), ToyModel(dropout=0.0))
        seen = []
        trainer.optimizer.register_step_pre_hook(
            lambda opt, args, kwargs: seen.append(float(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in trainer.model.parameters()]))))
        )
        trainer.train_step()
        norms[clip] = seen[0]
    assert norms[None] > 1e-2
    assert norms[1e-3] <= 1e-3 * (1 + 1e-5)


def test_find_nonfinite_names_terms_in_order_and_parameters():
    from gpnerf.engine.guard import find_nonfinite

    a, b, c = (torch.nn.Parameter(torch.zeros(3)) for _ in range(3))
    a.grad, b.grad = torch.tensor([0.0, float("inf"), 1.0]), torch.ones(3)  # c has no gradient
    terms = {"rgb": torch.tensor(1.0), "sem": torch.tensor(float("nan")), "count": float("inf"), "ok": 2.0}
    assert find_nonfinite(torch.tensor(float("nan")), terms, [("a", a), ("b", b), ("c", c)]) == (("loss", "sem", "count"), ("a",))
    assert find_nonfinite(torch.tensor(0.5), {"rgb": torch.tensor(1.0)}, [("b", b)]) == ((), ())


def test_nonfinite_flags_match_the_per_tensor_reference_on_random_tensors():
    from gpnerf.engine.guard import nonfinite_flags, nonfinite_flags_reference

    generator = torch.Generator().manual_seed(0)
    tensors = [torch.tensor(1.5), torch.empty(0), torch.full((4,), 3e38), torch.full((2, 2), 3e38).bfloat16()]
    for i in range(60):
        shape = tuple(int(d) for d in torch.randint(1, 6, (int(torch.randint(0, 4, ()).item()),), generator=generator))
        t = torch.randn(shape, generator=generator) * 10 ** float(torch.randint(-3, 4, ()).item())
        if i % 3 and t.numel():  # plant a NaN, +inf or -inf
            t.view(-1)[int(torch.randint(0, t.numel(), (), generator=generator))] = (float("nan"), float("inf"), -float("inf"))[i % 4 % 3]
        tensors.append(t.bfloat16() if i % 5 == 0 else t)
    expected = nonfinite_flags_reference(tensors)
    assert nonfinite_flags(tensors) == expected
    assert expected[:4] == [False, False, False, False]  # overflowing L1 norms of finite tensors are not flagged
    assert 0 < sum(expected) < len(expected)

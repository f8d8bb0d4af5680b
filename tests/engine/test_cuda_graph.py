"""CUDA-graphed training step (gpnerf.cuda_graphs): batch signatures on any device; replays against the eager
reference step on the GPU (loss, gradients, BatchNorm statistics, random streams, resume)."""

from dataclasses import replace

import pytest
import torch
from torch import nn

from gpnerf.cuda_graphs import GraphCaptureError, GraphedTrainingStep, batch_signature, rebuild_batch
from gpnerf.engine.distributed import DistContext
from gpnerf.engine.run_dir import RunDir
from gpnerf.engine.trainer import Trainer, TrainerConfig
from gpnerf.losses import compute_losses
from gpnerf.model import GPNeRF
from model_helpers import make_episode, small_config
from toy import ToyModel, ToyTask

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


# --- signatures (any device) ---------------------------------------------------------------------------------------

def test_signature_ignores_values_and_descriptive_fields():
    a = make_episode(seed=0)
    b = replace(make_episode(seed=1), scene="other", target_id=7, source_ids=[4, 5, 6])
    assert batch_signature(a)[0] == batch_signature(b)[0]


def test_signature_changes_with_shape_dtype_and_computed_values():
    base = batch_signature(make_episode())[0]
    assert batch_signature(make_episode(rays=41))[0] != base
    assert batch_signature(make_episode(views=4))[0] != base
    assert batch_signature(replace(make_episode(), far=6.0))[0] != base
    episode = make_episode()
    assert batch_signature(replace(episode, target_image=episode.target_image.double()))[0] != base
    assert batch_signature({"x": torch.zeros(2), "k": 1})[0] != batch_signature({"x": torch.zeros(2), "k": 2})[0]


def test_rebuild_batch_puts_tensors_back_in_signature_order():
    episode = make_episode()
    _, tensors = batch_signature(episode)
    clones = [t.clone() + 1 for t in tensors]
    rebuilt = rebuild_batch(episode, iter(clones))
    _, rebuilt_tensors = batch_signature(rebuilt)
    assert len(rebuilt_tensors) == len(tensors) == 9
    for clone, tensor in zip(clones, rebuilt_tensors):
        assert tensor is clone
    assert rebuilt.scene == episode.scene and rebuilt.near == episode.near


def test_unhashable_value_in_batch_is_rejected():
    with pytest.raises(TypeError):
        batch_signature({"x": torch.zeros(1), "bad": {1, 2}})


@pytest.mark.gpu
@needs_cuda
def test_host_sync_in_the_step_is_named_before_capture():
    model = ToyModel(dropout=0.0).cuda()

    def forward(batch):
        loss = model(batch["x"]).square().mean()
        if loss.item() > 1e9:  # a host sync
            loss = loss * 0
        return loss, {}

    with pytest.raises(GraphCaptureError, match="synchronises with the host"):
        GraphedTrainingStep(forward, model)({"x": torch.randn(8, 4, device="cuda")})
    assert torch.cuda.get_sync_debug_mode() == 0


def test_cpu_batch_and_bad_arguments_raise_clear_errors():
    model = ToyModel()
    step = GraphedTrainingStep(lambda batch: (model(batch["x"]).sum(), {}), model)
    with pytest.raises(GraphCaptureError, match="CUDA device"):
        step({"x": torch.zeros(2, 4)})
    with pytest.raises(ValueError, match="warmup_steps"):
        GraphedTrainingStep(lambda batch: None, model, warmup_steps=0)


def test_trainer_rejects_cuda_graph_off_cuda():
    config = TrainerConfig(max_steps=1, val_every=0, save_every=0, progress="off", cuda_graph=True)
    with pytest.raises(ValueError, match="trainer.cuda_graph needs one process on a CUDA device"):
        Trainer(config, ToyTask(), ToyModel())


# --- replays against eager steps (CUDA) ----------------------------------------------------------------------------

class NormDropoutNet(nn.Module):
    """Linear -> BatchNorm -> ReLU -> dropout -> Linear: buffers and random numbers in the step."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 1))

    def forward(self, x):
        return self.body(x)


def run_steps(model, step_fn, batches, lr=0.05):
    """Call ``step_fn(batch) -> (loss, terms)`` (which runs backward) per batch, SGD-update in between; return the
    losses and every step's gradients (copied)."""
    losses, grads = [], []
    for batch in batches:
        loss, _ = step_fn(batch)
        losses.append(loss.detach().clone())
        grads.append([p.grad.detach().clone() for p in model.parameters()])
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    return torch.stack(losses), grads


def eager_step(forward, model):
    def step(batch):
        for p in model.parameters():
            p.grad = None
        loss, terms = forward(batch)
        loss.backward()
        return loss, terms
    return step


@pytest.mark.gpu
@needs_cuda
def test_replays_match_eager_with_batchnorm_and_dropout():
    batches = [{"x": torch.randn(32, 4, device="cuda"), "y": torch.randn(32, 1, device="cuda")} for _ in range(4)]
    results = []
    for graphed in (False, True):
        torch.manual_seed(0)
        model = NormDropoutNet().cuda()

        def forward(batch):
            mse = ((model(batch["x"]) - batch["y"]) ** 2).mean()
            return mse, {"mse": mse}

        step = GraphedTrainingStep(forward, model) if graphed else eager_step(forward, model)
        torch.cuda.manual_seed(123)
        losses, grads = run_steps(model, step, batches)
        results.append((losses, grads, [b.clone() for b in model.buffers()]))
    (eager_losses, eager_grads, eager_buffers), (graph_losses, graph_grads, graph_buffers) = results
    torch.testing.assert_close(graph_losses, eager_losses, rtol=1e-6, atol=1e-7)
    for eager, graph in zip(eager_grads, graph_grads):
        for a, b in zip(eager, graph):
            torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-7)
    for a, b in zip(eager_buffers, graph_buffers):
        torch.testing.assert_close(b, a, rtol=1e-6, atol=1e-7)


@pytest.mark.gpu
@needs_cuda
def test_signature_beyond_max_graphs_runs_eagerly():
    model = ToyModel(dropout=0.0).cuda()

    def forward(batch):
        loss = model(batch["x"]).square().mean()
        return loss, {}

    step = GraphedTrainingStep(forward, model, max_graphs=1)
    step({"x": torch.randn(8, 4, device="cuda")})
    x = torch.randn(5, 4, device="cuda")
    loss, _ = step({"x": x})
    assert step.graphed.eager_calls == 1 and len(step.graphed.captures) == 1
    expected = torch.autograd.grad(model(x).square().mean(), list(model.parameters()))
    torch.testing.assert_close(loss, model(x).square().mean())
    for p, g in zip(model.parameters(), expected):
        torch.testing.assert_close(p.grad, g)


class GraphToyTask(ToyTask):
    """ToyTask on the GPU with a step-independent batch structure (no step id, no host-side random numbers)."""

    def __init__(self):
        super().__init__(use_global_rngs=False)

    def build_batch(self, step, generator):
        batch = super().build_batch(step, generator)
        return {"x": batch["x"].cuda(), "y": batch["y"].cuda(), "step": -1}

    def validate(self, model, step):
        return {}


@pytest.mark.gpu
@needs_cuda
def test_trainer_cuda_graph_matches_eager_and_resumes_exactly(tmp_path):
    ctx = DistContext(device=torch.device("cuda", 0))

    def build(run, cuda_graph, seed=1):
        torch.manual_seed(seed)
        config = TrainerConfig(max_steps=8, val_every=0, save_every=0, progress="off", cuda_graph=cuda_graph)
        return Trainer(config, GraphToyTask(), ToyModel(), run_dir=run, dist=ctx)

    eager = build(None, False)
    eager_history = eager.train()
    straight = build(None, True)
    history = straight.train()
    assert len(straight.graphed_step.graphed.captures) == 1 and straight.graphed_step.graphed.eager_calls == 0
    for a, b in zip(eager_history, history):
        assert abs(a.loss - b.loss) <= 1e-5 * max(1.0, abs(a.loss))
    run = RunDir.create(tmp_path, "graph", TrainerConfig())
    first = build(run, True)
    first.train(until=4)
    first.save()
    first.close()
    second = build(run, True, seed=2)
    second.resume(run.path)
    second.train()
    second.close()
    for (name, a), b in zip(straight.model.state_dict().items(), second.model.state_dict().values()):
        assert torch.equal(a, b), name


class PrefetchingGraphToyTask(GraphToyTask):
    """GraphToyTask in two halves, so the trainer builds its batches ahead (gpnerf.engine.prefetch): host batches in
    worker threads while a step may be capturing, pinned non-blocking copies staged during the step before."""

    def build_host_batch(self, step, generator):
        x = torch.randn(16, 4, generator=generator)
        return {"x": x, "y": torch.sin(x.sum(dim=1, keepdim=True)), "step": -1}

    def batch_to_device(self, batch):
        return {"x": batch["x"].pin_memory().cuda(non_blocking=True),
                "y": batch["y"].pin_memory().cuda(non_blocking=True), "step": -1}


@pytest.mark.gpu
@needs_cuda
def test_graphed_trainer_with_batches_built_ahead_trains_as_without():
    ctx = DistContext(device=torch.device("cuda", 0))
    trained = []
    for depth in (0, 2):
        torch.manual_seed(1)
        config = TrainerConfig(max_steps=8, val_every=0, save_every=0, progress="off", cuda_graph=True,
                               prefetch_batches=depth)
        trainer = Trainer(config, PrefetchingGraphToyTask(), ToyModel(), dist=ctx)
        assert (trainer.prefetcher is not None) == bool(depth)
        trained.append(([r.loss for r in trainer.train()], trainer.model.state_dict()))
        trainer.close()
    (reference_losses, reference_state), (losses, state) = trained
    assert losses == reference_losses
    for (name, a), b in zip(reference_state.items(), state.values()):
        assert torch.equal(a, b), name


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("checkpointing", [False, True])
def test_graphed_gpnerf_step_matches_eager(checkpointing):
    """The model's training step (stratified jitter from the CUDA generator, coarse + fine, all losses), fp32,
    with and without activation checkpointing. Last in the file: a failed capture can break the process's CUDA
    random generator for the tests after it."""
    config = replace(small_config(), activation_checkpointing=checkpointing)
    batches = [make_episode(seed=s).to("cuda") for s in range(3)]
    results = []
    for graphed in (False, True):
        torch.manual_seed(0)
        model = GPNeRF(config, num_classes=5).cuda().train()

        def forward(episode):
            return compute_losses(model(episode), episode, config)

        step = GraphedTrainingStep(forward, model) if graphed else eager_step(forward, model)
        torch.cuda.manual_seed(7)
        results.append(run_steps(model, step, batches, lr=1e-3))
    (eager_losses, eager_grads), (graph_losses, graph_grads) = results
    torch.testing.assert_close(graph_losses, eager_losses, rtol=1e-5, atol=1e-6)
    for eager, graph in zip(eager_grads, graph_grads):
        for a, b in zip(eager, graph):
            torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-6)

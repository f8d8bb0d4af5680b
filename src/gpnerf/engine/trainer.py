"""The model-agnostic training loop: Adam over named groups, schedule, non-finite guard, checkpoints, logging, DDP.

Each optimizer step ``s`` (0-based; ``Trainer.step`` counts completed steps):

1. re-seed the batch generator with ``derive_seed(seed, rank, s)`` and call ``task.build_batch(s, generator)``
   (with ``prefetch_batches`` and a task that builds host batches, worker threads have built it from a generator
   seeded alike and it was copied to the device during step ``s - 1``: :mod:`gpnerf.engine.prefetch`);
2. ``loss, terms = task.training_step(wrapped_model, batch)`` under bf16 autocast if enabled (CUDA only);
3. ``loss.backward()`` (DDP averages gradients across ranks); with ``cuda_graph``, steps 2-3 replay a CUDA graph
   (:mod:`gpnerf.cuda_graphs`);
4. if the loss, any term or any gradient is NaN/inf on any rank: zero grads, skip optimizer AND scheduler step,
   log it, abort after ``max_consecutive_nonfinite`` in a row; else clip (optional), ``optimizer.step()``,
   ``scheduler.step()`` (with fused Adam in one process the step is launched before the verdict reaches the
   host and skipped on the device if needed: :mod:`gpnerf.engine.update`, same result);
5. every ``log_every`` steps log scalars; every ``val_every`` validate (rank 0); every ``save_every`` checkpoint.
"""

import logging
import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
from torch import nn

import gpnerf
from gpnerf.cuda_graphs import GraphedTrainingStep
from gpnerf.engine.checkpoint import (
    FORMAT_VERSION,
    apply_retention,
    checkpoint_path,
    find_latest_checkpoint,
    load_checkpoint,
    load_state_strict,
    remove_stale_temp_files,
    save_checkpoint,
)
from gpnerf.engine.config_io import dataclass_to_dict
from gpnerf.engine.distributed import DistContext, all_gather_objects, any_rank, broadcast_object, wrap_model
from gpnerf.engine.errors import CheckpointMismatchError
from gpnerf.engine.guard import NonFiniteGuard, NonFiniteReport
from gpnerf.engine.logger import RunLogger
from gpnerf.engine.optim import OptimConfig, build_optimizer, build_scheduler
from gpnerf.engine.prefetch import BatchPrefetcher
from gpnerf.engine.progress import ProgressBar, progress_enabled
from gpnerf.engine.rng import capture_rng_state, derive_seed, restore_rng_state, seed_globals
from gpnerf.engine.run_dir import RunDir, git_commit
from gpnerf.engine.task import TrainTask
from gpnerf.engine.update import guarded_update, overlap_supported

log = logging.getLogger("gpnerf.engine")


@dataclass(frozen=True)
class TrainerConfig:
    """How long to train and how often to log, validate and save."""

    max_steps: int = 200_000
    """Total optimizer steps (paper: 200k for generalisation)."""
    seed: int = 0
    """Base seed; rank r's batch at step s uses derive_seed(seed, r, s)."""
    optim: OptimConfig = field(default_factory=OptimConfig)
    """Optimizer, learning rates, schedule and gradient clipping."""
    mixed_precision: Literal["no", "bf16"] = "no"
    """bf16 autocast for the forward pass; applies on CUDA only (CPU always runs fp32)."""
    log_every: int = 100
    """Log training scalars every this many steps."""
    val_every: int = 5000
    """Run task.validate every this many steps on rank 0; 0 disables."""
    save_every: int = 10_000
    """Save a checkpoint every this many steps (and always at the last step); 0 saves only at the end."""
    keep_last: int = 3
    """Checkpoints kept in checkpoints/ (older ones deleted after the new one re-loads); 0 keeps all."""
    max_consecutive_nonfinite: int = 5
    """Abort after this many consecutive steps with a NaN/inf loss term or gradient."""
    progress: Literal["auto", "on", "off"] = "auto"
    """Progress bar: auto shows it on rank 0 when stderr is a terminal."""
    cuda_graph: bool = False
    """Capture the forward, losses and backward in a CUDA graph once per batch shape and replay it (CUDA, one
    process): the host stops launching ~7,000 kernels a step (docs/benchmarks.md). The step must not sync with the
    host (a sync is named before capture)."""
    overlap_optimizer: bool = True
    """Launch the fused Adam step before the host reads the non-finite guard's verdict, gated on the device
    (:mod:`gpnerf.engine.update`; same result, the GPU no longer idles while the host launches it). Applies with
    fused Adam (``optim.fused``, the default on CUDA) in one process; otherwise the reference order runs."""
    prefetch_batches: int | None = None
    """With a task that builds host batches (``build_host_batch`` and ``batch_to_device``, as GP-NeRF's does): worker
    threads build the next this many steps' batches while the device trains, and each is copied to the device
    during the step before its own (:mod:`gpnerf.engine.prefetch`; the same batches). 0 builds each batch at the
    start of its step, after the previous step's verdict (the reference order). None: 2 on CUDA (the graphed
    paper-builtin trainer on an H100: 11,900 rays/s with 2 against 5,500 with 0 on frames decoded every step), 0
    elsewhere (on the CPU the step itself runs on the host, so there is no idle device to fill: the tiny-cpu preset
    trained at 700-751 rays/s with 2 against 1,050-1,268 with 0 on a 2-core machine; docs/benchmarks.md)."""
    max_minutes: float | None = None
    """Stop this invocation after this much training wall time (rank 0's clock decides for all ranks), saving a
    checkpoint; `--resume` continues. The schedule still runs to max_steps. None: no time limit."""

    def __post_init__(self) -> None:
        for name in ("max_steps", "log_every", "max_consecutive_nonfinite"):
            if getattr(self, name) < 1:
                raise ValueError(f"trainer.{name} must be >= 1; got {getattr(self, name)}.")
        for name in ("val_every", "save_every", "keep_last", "seed"):
            if getattr(self, name) < 0:
                raise ValueError(f"trainer.{name} must be >= 0; got {getattr(self, name)}. Use 0 to disable.")
        if self.prefetch_batches is not None and self.prefetch_batches < 0:
            raise ValueError(f"trainer.prefetch_batches must be >= 0 or None; got {self.prefetch_batches}.")
        if self.max_minutes is not None and not self.max_minutes > 0:
            raise ValueError(f"trainer.max_minutes must be > 0 or None; got {self.max_minutes}.")


def ensure_train_mode(module: nn.Module) -> None:
    """``module.train()`` unless ``module`` is in training mode already.

    ``Module.train`` walks every submodule (1.8 ms for the paper model's 501 modules on a 2-core CPU): host time
    the GPU waits through before each step. gpnerf switches modes for the whole model only (validation and
    ``render_image`` restore the mode they found), so the root's flag speaks for every submodule."""
    if not module.training:
        module.train()


@dataclass(frozen=True)
class StepRecord:
    """One optimizer step as it happened."""

    step: int
    """0-based step index."""
    loss: float
    """Total loss returned by the task (may be NaN/inf on a skipped step)."""
    skipped: bool
    """True when the guard skipped the optimizer and scheduler step."""


class Trainer:
    """Runs a :class:`TrainTask` on ``model``; rank 0 writes to ``run_dir`` (None: write nothing).

    Construction moves ``model`` to ``dist.device``, builds Adam over ``task.parameter_groups(model)`` and the
    schedule, wraps the model in DDP when distributed, and seeds the global torch/numpy/python RNGs from
    ``derive_seed(seed, rank)`` (build the model before, so its init is the caller's business).
    ``full_config`` (a dataclass, default ``config``) is what checkpoints store as ``config``.

    Example::

        trainer = Trainer(TrainerConfig(max_steps=1000), task, model, run_dir=RunDir.create(root, "exp", cfg))
        trainer.resume(run_dir.path)    # optional: continue from the newest valid checkpoint
        history = trainer.train()
        trainer.close()
    """

    def __init__(
        self,
        config: TrainerConfig,
        task: TrainTask,
        model: nn.Module,
        run_dir: RunDir | None = None,
        dist: DistContext | None = None,
        full_config: Any = None,
    ):
        self.config = config
        self.task = task
        self.ctx = dist or DistContext()
        self.run_dir = run_dir
        self.full_config = dataclass_to_dict(full_config if full_config is not None else config)
        self.model = model.to(self.ctx.device)
        self.optimizer = build_optimizer(self.model, task.parameter_groups(self.model), config.optim)
        self.scheduler = build_scheduler(self.optimizer, config.optim.schedule, config.max_steps)
        self.wrapped_model = wrap_model(self.model, self.ctx)
        self.generator = torch.Generator(device="cpu")
        self.generator.manual_seed(derive_seed(config.seed, self.ctx.rank))
        seed_globals(derive_seed(config.seed, self.ctx.rank))
        self.guard = NonFiniteGuard(max_consecutive=config.max_consecutive_nonfinite)
        self.step = 0
        self._last_terms: Mapping[str, float | torch.Tensor] = {}
        self.use_bf16 = config.mixed_precision == "bf16" and self.ctx.device.type == "cuda"
        if config.mixed_precision == "bf16" and not self.use_bf16:
            log.info("mixed_precision='bf16' applies on CUDA only; training in fp32 on %s", self.ctx.device)
        writes = self.ctx.is_main and run_dir is not None
        self.logger = RunLogger(
            run_dir.tensorboard_dir if writes else None, run_dir.metrics_path if writes else None, enabled=writes
        )
        if writes:
            remove_stale_temp_files(run_dir.checkpoints_dir)
        self.graphed_step = self._graphed_step() if config.cuda_graph else None
        self.prefetcher = self._prefetcher()
        self.overlap_optimizer = config.overlap_optimizer and overlap_supported(self.optimizer, self.ctx.world_size)

    def _graphed_step(self) -> GraphedTrainingStep:
        if self.ctx.device.type != "cuda" or self.ctx.world_size > 1:
            raise ValueError(
                f"trainer.cuda_graph needs one process on a CUDA device; got {self.ctx.device} with world size "
                f"{self.ctx.world_size}. Leave it off (--trainer.no-cuda-graph)."
            )
        return GraphedTrainingStep(self._forward, self.model)

    def _prefetcher(self) -> BatchPrefetcher | None:
        depth = self.config.prefetch_batches
        if depth is None:
            depth = 2 if self.ctx.device.type == "cuda" else 0
        splits = callable(getattr(self.task, "build_host_batch", None)) and callable(getattr(self.task, "batch_to_device", None))
        if not (depth and splits):
            return None
        return BatchPrefetcher(
            lambda step: self.task.build_host_batch(step, self._batch_generator(step, torch.Generator(device="cpu"))),
            self.task.batch_to_device, depth, self.config.max_steps,
        )

    def _batch_generator(self, step: int, generator: torch.Generator) -> torch.Generator:
        """``generator`` seeded for step ``step``'s batch on this rank."""
        return generator.manual_seed(derive_seed(self.config.seed, self.ctx.rank, step))

    def _batch(self, step: int) -> Any:
        if self.prefetcher is not None:
            return self.prefetcher.take(step)
        return self.task.build_batch(step, self._batch_generator(step, self.generator))

    def _forward(self, batch: Any) -> tuple[torch.Tensor, Mapping[str, float | torch.Tensor]]:
        """``task.training_step`` under the configured autocast."""
        autocast = torch.autocast("cuda", dtype=torch.bfloat16) if self.use_bf16 else nullcontext()
        with autocast:
            return self.task.training_step(self.wrapped_model, batch)

    def _named_params(self) -> list[tuple[str, nn.Parameter]]:
        return [(n, p) for n, p in self.model.named_parameters() if p.requires_grad]

    def train_step(self) -> StepRecord:
        """Run optimizer step ``self.step`` (build batch, forward, backward, guard, update) and advance."""
        step = self.step
        batch = self._batch(step)
        ensure_train_mode(self.wrapped_model)
        self.optimizer.zero_grad(set_to_none=True)
        if self.graphed_step is not None:
            loss, terms = self.graphed_step(batch)
        else:
            loss, terms = self._forward(batch)
            loss.backward()
        stage_next = None if self.prefetcher is None else lambda: self.prefetcher.stage(step + 1)
        bad_terms, bad_grads, skipped = guarded_update(
            self.optimizer, loss, terms, self._named_params(), self.config.optim.grad_clip_max_norm,
            lambda bad: any_rank(bad, self.ctx), self.overlap_optimizer, before_verdict=stage_next,
        )
        loss_value = float(loss.detach().float().item())
        self.step = step + 1
        if skipped:
            self.optimizer.zero_grad(set_to_none=True)
            describe = getattr(self.task, "describe_batch", None)
            report = NonFiniteReport(step, bad_terms, bad_grads, describe(batch) if describe else "")
            self.logger.log_event(step, "nonfinite", {"terms": list(bad_terms), "grads": list(bad_grads), "batch": report.batch})
            self.guard.record_bad(report)
        else:
            self.scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)
            self.guard.record_good()
        self._last_terms = terms
        return StepRecord(step=step, loss=loss_value, skipped=skipped)

    def train(self, until: int | None = None) -> list[StepRecord]:
        """Train from ``self.step`` to ``until`` (default and at most ``config.max_steps``).

        Returns the record of every step run in this call. Checkpoints are written every ``save_every`` steps and
        at ``max_steps`` (not at ``until``: call :meth:`save` for that), and when ``max_minutes`` stops the call.
        """
        end = self.config.max_steps if until is None else min(until, self.config.max_steps)
        history: list[StepRecord] = []
        rays = getattr(self.task, "rays_per_step", None)
        bar_on = progress_enabled(self.config.progress, self.ctx.is_main)
        last_time, last_step = time.perf_counter(), self.step
        deadline = None if self.config.max_minutes is None else last_time + 60.0 * self.config.max_minutes
        with ProgressBar(self.config.max_steps, self.step, enabled=bar_on) as bar:
            while self.step < end:
                record = self.train_step()
                history.append(record)
                done = self.step
                rays_per_sec = None
                if done % self.config.log_every == 0 or done == self.config.max_steps:
                    now = time.perf_counter()
                    if rays is not None and now > last_time:
                        rays_per_sec = rays * self.ctx.world_size * (done - last_step) / (now - last_time)
                    last_time, last_step = now, done
                    self._log_train(record, rays_per_sec)
                    bar.update(done, record.loss, rays_per_sec)
                if self.config.val_every and done % self.config.val_every == 0:
                    self.run_validation()
                saved = (self.config.save_every and done % self.config.save_every == 0) or done == self.config.max_steps
                if saved:
                    self.save()
                if deadline is not None and done < end and self._time_is_up(deadline):
                    if not saved:
                        self.save()
                    self.logger.log_event(done, "time_limit", {"max_minutes": self.config.max_minutes})
                    log.info("trainer.max_minutes=%s reached at step %d; checkpoint saved", self.config.max_minutes, done)
                    break
        self.logger.flush()
        return history

    def _time_is_up(self, deadline: float) -> bool:
        """Rank 0's clock against ``deadline``, shared with every rank (all stop after the same step)."""
        return any_rank(self.ctx.is_main and time.perf_counter() >= deadline, self.ctx)

    def _log_train(self, record: StepRecord, rays_per_sec: float | None) -> None:
        scalars: dict[str, float | torch.Tensor] = {"train/loss": record.loss}
        scalars.update({f"train/{name}": value for name, value in self._last_terms.items()})
        for group in self.optimizer.param_groups:
            scalars[f"train/lr/{group['name']}"] = group["lr"]
        if rays_per_sec is not None:
            scalars["train/rays_per_sec"] = rays_per_sec
        scalars["train/skipped_steps"] = self.guard.total_skipped
        self.logger.log_scalars(self.step, scalars)

    def run_validation(self) -> dict[str, float]:
        """``task.validate`` on rank 0 (eval mode, no grad); logs ``val/<name>`` scalars and images. {} elsewhere."""
        if not self.ctx.is_main:
            return {}
        self.model.eval()
        with torch.no_grad():
            metrics = {k: float(v) for k, v in self.task.validate(self.model, self.step).items()}
            images_fn = getattr(self.task, "validation_images", None)
            images = images_fn(self.model, self.step) if images_fn else {}
        self.model.train()
        self.logger.log_scalars(self.step, {f"val/{k}": v for k, v in metrics.items()}, event="val")
        for tag, image in images.items():
            self.logger.log_image(self.step, f"val/{tag}", image)
        return metrics

    def state_payload(self) -> dict[str, Any]:
        """The checkpoint dict (plain types). Collective under DDP: every rank must call it (RNG states gathered)."""
        rng_states = all_gather_objects(capture_rng_state(self.generator), self.ctx)
        return {
            "format_version": FORMAT_VERSION,
            "step": self.step,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "rng": rng_states,
            "config": self.full_config,
            "gpnerf_version": gpnerf.__version__,
            "git_commit": git_commit(),
        }

    def save(self) -> Path | None:
        """Checkpoint ``self.step`` to ``run_dir/checkpoints`` (rank 0 writes; all ranks must call). Returns the path."""
        payload = self.state_payload()
        if not self.ctx.is_main or self.run_dir is None:
            return None
        path = checkpoint_path(self.run_dir.checkpoints_dir, self.step)
        save_checkpoint(payload, path)
        deleted = apply_retention(self.run_dir.checkpoints_dir, path, self.config.keep_last)
        self.logger.log_event(self.step, "checkpoint", {"path": str(path), "deleted": [str(p) for p in deleted]})
        return path

    def resume(self, source: Path) -> Path:
        """Restore everything from a checkpoint file, or from the newest valid one under a run dir/checkpoints dir.

        Model weights load strictly; optimizer groups must match by name and size; RNG states are restored per
        rank (with another world size, ranks re-seed from (seed, rank, step) and a warning says so).
        Returns the checkpoint path used. All ranks must call it.
        """
        path = None
        if self.ctx.is_main:
            source = Path(source)
            if source.is_dir():
                folder = source / "checkpoints" if (source / "checkpoints").is_dir() else source
                path, _ = find_latest_checkpoint(folder)
            else:
                path = source
        path = Path(broadcast_object(str(path) if path else None, self.ctx))
        payload = load_checkpoint(path, map_location="cpu")
        self.load_payload(payload, source=str(path))
        log.info("resumed from %s at step %d", path, self.step)
        return path

    def load_payload(self, payload: Mapping[str, Any], source: str) -> None:
        """Apply a checkpoint dict (see :meth:`state_payload`) to model, optimizer, scheduler, step and RNGs."""
        load_state_strict(self.model, payload["model"], source)
        saved_groups = [(g.get("name"), len(g["params"])) for g in payload["optimizer"]["param_groups"]]
        current_groups = [(g["name"], len(g["params"])) for g in self.optimizer.param_groups]
        if saved_groups != current_groups:
            raise CheckpointMismatchError(
                f"optimizer parameter groups in {source} must match the task's groups (name, size); got "
                f"{saved_groups} in the file vs {current_groups} now. Use the same task/model config as the run."
            )
        self.optimizer.load_state_dict(payload["optimizer"])
        self.scheduler.load_state_dict(payload["scheduler"])
        self.step = int(payload["step"])
        rng_states = payload["rng"]
        if len(rng_states) == self.ctx.world_size:
            restore_rng_state(rng_states[self.ctx.rank], self.generator)
        else:
            log.warning(
                "checkpoint %s holds RNG states of %d ranks, this job has %d: re-seeding global RNGs from "
                "(seed, rank, step); batches are unaffected (they derive from (seed, rank, step))",
                source,
                len(rng_states),
                self.ctx.world_size,
            )
            seed_globals(derive_seed(self.config.seed, self.ctx.rank, self.step))

    def close(self) -> None:
        """Close the TensorBoard writer and metrics file; drop the batches built ahead."""
        if self.prefetcher is not None:
            self.prefetcher.close()
        self.logger.close()

    def __enter__(self) -> "Trainer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""End to end through the CLI on a tiny built-in dataset: train -> eval -> render -> resume -> finetune."""

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from gpnerf.cli import entrypoint
from gpnerf.commands.train import check_resumable
from gpnerf.data.views import split_views
from gpnerf.engine import RunDir, find_latest_checkpoint, load_checkpoint
from gpnerf.experiment import EXPERIMENT_PRESETS, ExperimentConfig, training_and_test_scenes
from gpnerf.runs import build_data
from gpnerf.synthetic import generate_dataset


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("builtin")
    generate_dataset(root, num_scenes=3, num_views=24, seed=3, height=24, width=32)
    return root


def train_args(data: Path, out: Path, steps: int) -> list[str]:
    return [
        "train", "tiny-cpu", "--data.root", str(data), "--output-root", str(out),
        "--trainer.max-steps", str(steps), "--trainer.save-every", "3", "--trainer.val-every", "3",
        "--trainer.log-every", "1", "--trainer.progress", "off", "--data.episodes.num-rays", "64",
    ]


def only_run(out: Path) -> Path:
    (run,) = (out / "tiny-cpu").iterdir()
    return run


def test_train_eval_render(dataset, tmp_path, monkeypatch):
    from gpnerf.model import GPNeRF

    chunks = []
    render_image = GPNeRF.render_image

    def render_image_recording_chunks(self, episode, chunk_rays, **options):
        chunks.append(chunk_rays)
        return render_image(self, episode, chunk_rays, **options)

    monkeypatch.setattr(GPNeRF, "render_image", render_image_recording_chunks)
    out = tmp_path / "out"
    entrypoint(train_args(dataset, out, 3))
    run = only_run(out)
    assert (run / "config.json").is_file() and (run / "checkpoints" / "step-000000003.ckpt").is_file()
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert any("val/psnr" in r.get("scalars", r) or "val/psnr" in json.dumps(r) for r in records)

    entrypoint(["eval", "--run-dir", str(run), "--max-targets-per-scene", "2", "--precision", "bf16", "--out", str(tmp_path / "eval"),
                "--fused-kernels", "False", "--chunk-rays", "300"])
    assert chunks[-2:] == [300, 300]  # both targets rendered in the flag's chunks, not the run's
    results = json.loads((tmp_path / "eval" / "results.json").read_text())
    assert results["settings"]["eval"]["chunk_rays"] == 300
    assert results["step"] == 3 and results["num_images"] == 2 and results["num_scenes"] == 1
    assert results["settings"]["eval"]["precision"] == "bf16" and results["settings"]["render_precision"] == "fp32"  # CPU
    assert results["settings"]["model"]["fused_kernels"] is False  # the override is what the results record
    assert 0.0 <= results["semantic"]["miou"] <= 1.0
    assert results["metrics"]["psnr_gnt"] > 0 and results["metrics"]["lpips_gnt"] is None
    assert 0.0 <= results["majority_class_baseline"]["miou"] <= 1.0
    with (tmp_path / "eval" / "per_image.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 and {"psnr_gnt", "ssim_standard", "miou", "depth_rmse"} <= set(rows[0])

    entrypoint(["render", "--run-dir", str(run), "--trajectory", "interpolate", "--num-frames", "3", "--precision", "bf16",
                "--out", str(tmp_path / "r"), "--chunk-rays", "200"])
    assert chunks[-3:] == [200, 200, 200]
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["frame_0000.png", "frame_0001.png", "frame_0002.png", "render.mp4"]
    with pytest.raises(ValueError, match="chunk_rays must be >= 1; got 0"):
        entrypoint(["render", "--run-dir", str(run), "--chunk-rays", "0", "--out", str(tmp_path / "r0")])


def test_resume_continues_exactly(dataset, tmp_path):
    # A constant schedule, so that stopping at max_steps 3 and extending to 6 is the same schedule as
    # running 6 straight (an exponential schedule is defined by max_steps).
    constant = ["--trainer.optim.schedule.kind", "constant"]
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    entrypoint(train_args(dataset, straight, 6) + constant)
    entrypoint(train_args(dataset, resumed, 3) + constant)
    run = only_run(resumed)
    entrypoint(train_args(dataset, resumed, 6) + constant + ["--resume", str(run)])
    a = load_checkpoint(find_latest_checkpoint(only_run(straight) / "checkpoints")[0])
    b = load_checkpoint(find_latest_checkpoint(run / "checkpoints")[0])
    assert a["step"] == b["step"] == 6
    assert a["model"].keys() == b["model"].keys()
    for key in a["model"]:
        assert torch.equal(a["model"][key], b["model"][key]), key


def test_resume_rejects_a_different_config(dataset, tmp_path):
    entrypoint(train_args(dataset, tmp_path, 3))
    run = only_run(tmp_path)
    saved = RunDir.open(run).load_config(ExperimentConfig)
    check_resumable(saved, replace(saved, trainer=replace(saved.trainer, max_steps=99)), run)
    with pytest.raises(ValueError, match=r"--resume must use the run's own config .*data.episodes.num_rays"):
        changed = replace(saved, data=replace(saved.data, episodes=replace(saved.data.episodes, num_rays=7)))
        check_resumable(saved, changed, run)


def test_finetuning_never_sees_evaluation_targets(dataset):
    config = EXPERIMENT_PRESETS["tiny-cpu"]
    config = replace(config, data=replace(config.data, root=dataset, finetune_scene="test_000"))
    (train_scene,), (eval_scene,) = training_and_test_scenes(config.data)
    targets = set(split_views(eval_scene.frame_ids, config.data.episodes.views).target_ids)
    assert targets and not targets & set(train_scene.frame_ids)
    data = build_data(config)
    for step in range(50):
        episode = data.train_set.training_episode(step)
        assert episode.target_id not in targets and not targets & set(episode.source_ids)


def test_finetune_command_starts_from_the_generalized_checkpoint(dataset, tmp_path):
    entrypoint(train_args(dataset, tmp_path / "gen", 3))
    run = only_run(tmp_path / "gen")
    entrypoint(["finetune", "--run-dir", str(run), "--scene", "test_000", "--steps", "2"])
    (ft_run,) = (tmp_path / "gen" / "tiny-cpu-ft-test_000").iterdir()
    config = RunDir.open(ft_run).load_config(ExperimentConfig)
    assert config.data.finetune_scene == "test_000"
    assert config.init_from == run / "checkpoints" / "step-000000003.ckpt"
    assert load_checkpoint(find_latest_checkpoint(ft_run / "checkpoints")[0])["step"] == 2


def test_field_memory_budget_outside_zero_to_one_is_rejected():
    with pytest.raises(ValueError, match=r"compile_field_memory_budget must be in \(0, 1\]; got 0.0"):
        ExperimentConfig(compile_field_memory_budget=0.0)


@pytest.mark.parametrize("setting", [{"compile_field_memory_budget": 0.5}, {"compile_gemm_autotune": True},
                                     {"compile_channels_last_convolutions": False}])
def test_compile_settings_without_compile_are_rejected(setting):
    ((name, value),) = setting.items()
    with pytest.raises(ValueError, match=rf"apply to the compiled model only; got {name}={value} .*Add --compile"):
        ExperimentConfig(**setting)
    assert ExperimentConfig(compile=True, **setting).compile


def test_finetune_rejects_unknown_scene(dataset, tmp_path):
    entrypoint(train_args(dataset, tmp_path, 3))
    with pytest.raises(ValueError, match="data.finetune_scene must name a scene of split 'test'"):
        entrypoint(["finetune", "--run-dir", str(only_run(tmp_path)), "--scene", "nope", "--steps", "1"])


def test_time_limits_stop_training_and_finetuning_with_a_checkpoint(dataset, tmp_path):
    entrypoint(train_args(dataset, tmp_path / "gen", 5) + ["--trainer.max-minutes", "1e-9", "--model.implementation", "fast"])
    run = only_run(tmp_path / "gen")
    assert load_checkpoint(find_latest_checkpoint(run / "checkpoints")[0])["step"] == 1
    entrypoint(["finetune", "--run-dir", str(run), "--scene", "test_000", "--steps", "5", "--max-minutes", "1e-9"])
    (ft_run,) = (tmp_path / "gen" / "tiny-cpu-ft-test_000").iterdir()
    assert load_checkpoint(find_latest_checkpoint(ft_run / "checkpoints")[0])["step"] == 1
    assert RunDir.open(ft_run).load_config(ExperimentConfig).trainer.max_minutes == 1e-9


def test_compile_switch_compiles_for_training_and_evaluation(dataset, tmp_path, monkeypatch):
    import gpnerf.runs
    import gpnerf.task
    from gpnerf.losses import compile_losses
    from gpnerf.model import compile_transformer_blocks

    compiled = []

    def compile_without_codegen(model, **options):  # same code path, no C++ / Triton code generation on the CPU test box
        compiled.append(options)
        return compile_transformer_blocks(model, backend="aot_eager", **options)

    compiled_losses = []

    def compile_losses_without_codegen(**options):
        compiled_losses.append(options)
        return compile_losses(backend="aot_eager", **options)

    monkeypatch.setattr(gpnerf.runs, "compile_transformer_blocks", compile_without_codegen)
    monkeypatch.setattr(gpnerf.task, "compile_losses", compile_losses_without_codegen)
    entrypoint(train_args(dataset, tmp_path, 2) + ["--compile", "--compile-field-memory-budget", "0.5",
                                                    "--no-compile-channels-last-convolutions"])
    run = only_run(tmp_path)
    config = RunDir.open(run).load_config(ExperimentConfig)
    assert config.compile is True and config.compile_field_memory_budget == 0.5
    assert config.compile_channels_last_convolutions is False
    assert compiled == [{"field_memory_budget": 0.5, "gemm_autotune": False, "channels_last_convolutions": False}]
    assert compiled_losses == [{}]  # the trainer's losses compiled with the model
    entrypoint(["eval", "--run-dir", str(run), "--max-targets-per-scene", "1", "--out", str(tmp_path / "e")])
    assert compiled[1:] == [{"gemm_autotune": False, "channels_last_convolutions": False}]  # as the run was trained
    entrypoint(["eval", "--run-dir", str(run), "--max-targets-per-scene", "1", "--compile", "False", "--out", str(tmp_path / "e2")])
    assert len(compiled) == 2
    first = json.loads((tmp_path / "e" / "results.json").read_text())
    second = json.loads((tmp_path / "e2" / "results.json").read_text())
    assert abs(first["metrics"]["psnr_gnt"] - second["metrics"]["psnr_gnt"]) < 1e-4  # compiled == eager

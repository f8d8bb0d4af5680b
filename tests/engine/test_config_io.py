"""dataclass_to_dict / dataclass_from_dict round trips and their errors."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

import pytest

from gpnerf.engine.config_io import dataclass_from_dict, dataclass_to_dict, load_config_json, save_config_json
from gpnerf.engine.errors import ConfigError
from gpnerf.engine.optim import OPTIM_PRESETS
from gpnerf.engine.trainer import TrainerConfig


@dataclass(frozen=True)
class Inner:
    """Nested toy config."""

    norm: Literal["instance", "batch"] = "instance"
    widths: tuple[int, ...] = (8, 16)
    pair: tuple[int, float] = (1, 2.5)


@dataclass(frozen=True)
class Outer:
    """Toy experiment config covering every supported field type."""

    inner: Inner = field(default_factory=Inner)
    root: Path = Path("data/scannet")
    init_from: Path | None = None
    note: Optional[str] = None
    lr: float = 1e-3
    steps: int = 10
    use_x: bool = False
    names: list[str] = field(default_factory=lambda: ["a"])
    table: dict[str, int] = field(default_factory=dict)
    choice: Inner | int = 3


@dataclass(frozen=True)
class Required:
    """A config with a field without default."""

    size: int


def test_nested_round_trip_through_json(tmp_path):
    config = Outer(
        inner=Inner(norm="batch", widths=(1, 2, 3), pair=(4, 0.5)),
        init_from=Path("/x/y.ckpt"),
        note="hi",
        lr=2,
        use_x=True,
        names=["p", "q"],
        table={"a": 1},
        choice=Inner(),
    )
    plain = dataclass_to_dict(config)
    text = json.dumps(plain)
    back = dataclass_from_dict(Outer, json.loads(text))
    assert back == config
    assert isinstance(back.root, Path) and isinstance(back.inner.widths, tuple) and isinstance(back.lr, float)
    save_config_json(config, tmp_path / "config.json")
    assert load_config_json(Outer, tmp_path / "config.json") == config
    assert not list(tmp_path.glob("*.tmp"))


def test_engine_configs_round_trip():
    for config in [TrainerConfig(), TrainerConfig(optim=OPTIM_PRESETS["released-code"], mixed_precision="bf16")]:
        assert dataclass_from_dict(TrainerConfig, dataclass_to_dict(config)) == config


def test_missing_keys_take_defaults():
    assert dataclass_from_dict(Outer, {"steps": 3}) == Outer(steps=3)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"stepz": 1}, r"config must only have keys of Outer .*unknown key\(s\) \['stepz'\]"),
        ({"inner": {"norm": "group"}}, r"config.inner.norm must be one of \['instance', 'batch'\]; got 'group'"),
        ({"inner": {"widths": [1, "a"]}}, r"config.inner.widths\[1\] must be an int; got 'a'"),
        ({"inner": {"pair": [1]}}, r"config.inner.pair must have 2 items"),
        ({"inner": {"widths": 3}}, r"config.inner.widths must be a list"),
        ({"steps": True}, r"config.steps must be an int; got True"),
        ({"lr": "x"}, r"config.lr must be a number"),
        ({"use_x": 1}, r"config.use_x must be a bool"),
        ({"note": 5}, r"config.note must match one of"),
        ({"root": 5}, r"config.root must be a path string"),
        ({"names": [3]}, r"config.names\[0\] must be a string"),
        ({"table": [1]}, r"config.table must be a JSON object"),
        ({"inner": 5}, r"config.inner must be a JSON object for Inner"),
    ],
)
def test_bad_values_name_the_field(data, match):
    with pytest.raises(ConfigError, match=match):
        dataclass_from_dict(Outer, data)


def test_required_field_and_post_init_errors():
    with pytest.raises(ConfigError, match=r"config must set the required key\(s\) \['size'\]"):
        dataclass_from_dict(Required, {})
    with pytest.raises(ConfigError, match=r"config must be a valid TrainerConfig; got trainer.max_steps must be >= 1"):
        dataclass_from_dict(TrainerConfig, {"max_steps": 0})


def test_type_misuse_errors(tmp_path):
    with pytest.raises(ConfigError, match="dataclass_to_dict must get a dataclass instance; got int"):
        dataclass_to_dict(3)
    with pytest.raises(ConfigError, match="dataclass_from_dict must get a dataclass type"):
        dataclass_from_dict(int, {})

    @dataclass
    class HasSet:
        s: set = field(default_factory=set)

    with pytest.raises(ConfigError, match="config field s must hold a JSON-representable value"):
        dataclass_to_dict(HasSet())
    with pytest.raises(ConfigError, match="which config_io cannot read"):
        dataclass_from_dict(HasSet, {"s": []})

    @dataclass
    class IntKeys:
        d: dict = field(default_factory=lambda: {1: 2})

    with pytest.raises(ConfigError, match="config field d must have str keys"):
        dataclass_to_dict(IntKeys())


def test_config_files_errors_name_the_file(tmp_path):
    with pytest.raises(ConfigError, match=f"config file must exist at {tmp_path / 'nope.json'}"):
        load_config_json(Outer, tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match=f"config file {bad} must be valid JSON"):
        load_config_json(Outer, bad)
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"extra": 1}')
    with pytest.raises(ConfigError, match=rf"unknown key\(s\) \['extra'\].*\(in {unknown}\)"):
        load_config_json(Outer, unknown)

"""Dataclass configs <-> plain JSON values, strictly: unknown keys and wrong types raise :class:`ConfigError`.

Supported field types: nested dataclasses, ``bool``/``int``/``float``/``str``, ``Path``, ``Literal[...]``,
``tuple[X, ...]``, ``tuple[X, Y]``, ``list[X]``, ``dict[str, X]``, ``Optional[X]`` / ``X | None`` and unions of
these (each arm is tried in order). Only fields with ``init=True`` are written and read back.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Toy:
...     width: int = 4
...     name: tuple[str, ...] = ("a",)
>>> dataclass_to_dict(Toy())
{'width': 4, 'name': ['a']}
>>> dataclass_from_dict(Toy, {"width": 8, "name": ["b", "c"]})
Toy(width=8, name=('b', 'c'))
"""

import dataclasses
import json
import os
import types
import typing
from pathlib import Path
from typing import Any, Literal, TypeVar, Union

from gpnerf.engine.errors import ConfigError

T = TypeVar("T")


def dataclass_to_dict(config: Any) -> dict[str, Any]:
    """Return the init fields of dataclass instance ``config`` as nested plain JSON values (dict/list/str/num/None)."""
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise ConfigError(f"dataclass_to_dict must get a dataclass instance; got {type(config).__name__}.")
    return {f.name: _to_plain(getattr(config, f.name), f.name) for f in dataclasses.fields(config) if f.init}


def _to_plain(value: Any, where: str) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_plain(getattr(value, f.name), f"{where}.{f.name}") for f in dataclasses.fields(value) if f.init}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_to_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise ConfigError(f"config field {where} must have str keys to be saved as JSON; got key {key!r}.")
        return {k: _to_plain(v, f"{where}.{k}") for k, v in value.items()}
    raise ConfigError(
        f"config field {where} must hold a JSON-representable value (dataclass, number, str, Path, tuple, list, "
        f"dict, None); got {type(value).__name__}. Change the field type."
    )


def dataclass_from_dict(cls: type[T], data: Any, where: str = "config") -> T:
    """Build dataclass ``cls`` from plain values, recursing into nested fields.

    Missing keys take the field default; a key without a field, a value of the wrong type, or a value outside a
    ``Literal`` raises :class:`ConfigError` naming the dotted field path ``where.field``.
    """
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ConfigError(f"dataclass_from_dict must get a dataclass type; got {cls!r}.")
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a JSON object for {cls.__name__}; got {type(data).__name__}.")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(
            f"{where} must only have keys of {cls.__name__} {sorted(fields)}; got unknown key(s) {unknown}. "
            f"Remove them or check the spelling."
        )
    kwargs = {name: _from_plain(hints[name], data[name], f"{where}.{name}") for name in fields if name in data}
    missing = [
        name
        for name, f in fields.items()
        if name not in data and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"{where} must set the required key(s) {missing} of {cls.__name__}; got none. Add them.")
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as error:
        if isinstance(error, ConfigError):
            raise
        raise ConfigError(f"{where} must be a valid {cls.__name__}; got {error}") from error


_NONE_TYPE = type(None)


def _from_plain(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin is typing.Annotated:
        return _from_plain(args[0], value, where)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return dataclass_from_dict(tp, value, where)
    if origin is Union or origin is types.UnionType:
        if value is None and _NONE_TYPE in args:
            return None
        errors = []
        for arm in args:
            if arm is _NONE_TYPE:
                continue
            try:
                return _from_plain(arm, value, where)
            except ConfigError as error:
                errors.append(str(error))
        raise ConfigError(f"{where} must match one of {_type_name(tp)}; got {value!r} ({'; '.join(errors)})")
    if origin is Literal:
        if value in args and type(value) in {type(a) for a in args if a == value}:
            return value
        raise ConfigError(f"{where} must be one of {list(args)}; got {value!r}.")
    if tp is _NONE_TYPE:
        if value is None:
            return None
        raise ConfigError(f"{where} must be null; got {value!r}.")
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{where} must be a bool (true/false); got {value!r}.")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConfigError(f"{where} must be an int; got {value!r}.")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ConfigError(f"{where} must be a number; got {value!r}.")
    if tp is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"{where} must be a string; got {value!r}.")
    if tp is Path or (isinstance(tp, type) and issubclass(tp, os.PathLike)):
        if isinstance(value, str):
            return Path(value)
        raise ConfigError(f"{where} must be a path string; got {value!r}.")
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where} must be a list for {_type_name(tp)}; got {value!r}.")
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis) and args:
            if len(args) != len(value):
                raise ConfigError(f"{where} must have {len(args)} items for {_type_name(tp)}; got {len(value)}.")
            return tuple(_from_plain(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value)))
        item = args[0] if args else Any
        items = [_from_plain(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a JSON object for {_type_name(tp)}; got {value!r}.")
        value_type = args[1] if args else Any
        return {k: _from_plain(value_type, v, f"{where}.{k}") for k, v in value.items()}
    raise ConfigError(f"{where} has type {_type_name(tp)}, which config_io cannot read; use a supported field type.")


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def save_config_json(config: Any, path: Path) -> None:
    """Write ``dataclass_to_dict(config)`` to ``path`` as indented JSON (atomically: temp file + ``os.replace``)."""
    path = Path(path)
    text = json.dumps(dataclass_to_dict(config), indent=2, allow_nan=True) + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def load_config_json(cls: type[T], path: Path) -> T:
    """Read ``path`` (written by :func:`save_config_json`) back into an instance of ``cls``; errors name the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file must exist at {path}; got nothing there. Pass a run dir that has config.json.")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ConfigError(f"config file {path} must be valid JSON; got {error}. Re-save it.") from error
    try:
        return dataclass_from_dict(cls, data, where="config")
    except ConfigError as error:
        raise ConfigError(f"{error} (in {path})") from error

"""Inductor settings for one benchmark row, from GPNERF_INDUCTOR_CONFIG="name=value;name=value" (values are Python
literals), applied at interpreter start-up when this folder is on PYTHONPATH."""

import ast
import os

_settings = os.environ.get("GPNERF_INDUCTOR_CONFIG")
if _settings:
    import torch._inductor.config as _config

    for _item in _settings.split(";"):
        _name, _value = _item.split("=", 1)
        _config.__setattr__(_name.strip(), ast.literal_eval(_value.strip()))
        print(f"sitecustomize: torch._inductor.config.{_name.strip()} = {getattr(_config, _name.strip())!r}", flush=True)

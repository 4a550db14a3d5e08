"""Tiny models run on one intra-op thread (``one_torch_thread`` from star_kit's pytest plugin says why)."""

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread(one_torch_thread: None) -> None:
    """Every test here runs on one intra-op thread."""

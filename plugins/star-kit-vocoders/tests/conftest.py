"""Shared fixtures of the vocoders plugin's tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread(one_torch_thread: None) -> None:
    """Every test here runs on one intra-op thread: these models are small enough that a second thread gains little,
    and on a loaded 2-core machine two spinning OpenMP threads made the HiFi-GAN and Griffin-Lim tests 5-50x slower."""

"""Shared fixtures of the vocoders plugin's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Runs each test on one intra-op thread, restoring the setting after.

    These models are small enough that a second thread gains little, and on a loaded 2-core machine (tests of other
    plugins in parallel) two spinning OpenMP threads made the HiFi-GAN and Griffin-Lim tests 5-50x slower.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

"""Tiny models run on one intra-op thread: extra threads only spin-wait on tensors this small (and on a shared
two-core machine they made these tests 30 times slower)."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

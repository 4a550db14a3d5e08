"""pytest plugin (entry point ``pytest11``): fixtures for plugin authors' tests.

``star_registry`` is a registry with no installed plugins loaded, for registering fake plugin objects in-process.
``one_torch_thread`` runs a test on one intra-op thread; a test folder of tiny models makes it autouse in its
``conftest.py``::

    @pytest.fixture(autouse=True)
    def _one_torch_thread(one_torch_thread: None) -> None:
        \"\"\"Every test here runs on one intra-op thread.\"\"\"
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from star_kit.registry import Registry


@pytest.fixture
def star_registry() -> Registry:
    return Registry(load_entrypoints=False)


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """Runs the test on one intra-op thread and restores the setting after.

    Tiny models gain nothing from more threads: the extra ones only spin-wait on tensors this small, and on a shared
    two-core machine (other tests running alongside) they made such tests 5 to 50 times slower. Not autouse here:
    this plugin loads into every pytest run where star_kit is installed, so each test folder opts in.
    """
    import torch  # here, so that loading the plugin stays cheap

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: long-running (deselected by default in star_kit's own suite)")
    config.addinivalue_line("markers", "gpu: needs a CUDA device")
    config.addinivalue_line("markers", "network: needs a model hub (never in the default run)")

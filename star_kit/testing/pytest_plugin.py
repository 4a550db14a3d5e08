"""pytest plugin (entry point ``pytest11``): fixtures for plugin authors' tests.

``star_registry`` is a registry with no installed plugins loaded, for registering fake plugin objects in-process.
"""

from __future__ import annotations

import pytest

from star_kit.registry import Registry


@pytest.fixture
def star_registry() -> Registry:
    return Registry(load_entrypoints=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: long-running (deselected by default in star_kit's own suite)")
    config.addinivalue_line("markers", "gpu: needs a CUDA device")
    config.addinivalue_line("markers", "network: needs a model hub (never in the default run)")

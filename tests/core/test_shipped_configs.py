"""Every shipped config resolves and binds every component's arguments (validation builds nothing)."""

import pytest

from star_kit import runs
from star_kit.registry import get_registry

CONFIGS = sorted(c for r in get_registry().recipes().values() for c in r.configs)


def test_the_expected_configs_are_shipped() -> None:
    expected = {"star-tiny", "star-small", "star-audiocaps", "cascade-tiny", "star-tiny-mlp", "star-tiny-diffusion"}
    assert expected <= set(CONFIGS)


@pytest.mark.parametrize("name", CONFIGS)
def test_shipped_config_validates(name: str) -> None:
    registry = get_registry()
    _, cfg, _ = runs.resolve(registry, name)
    rows = runs.validate(registry, cfg)
    assert rows and all(r["plugin"] for r in rows)

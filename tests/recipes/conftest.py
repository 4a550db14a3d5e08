"""The recipe tests' tiny config and their subprocess environment (the corpus is tests/conftest.py's)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CONFIG = Path(__file__).parent / "tiny.yaml"


@pytest.fixture
def recipe_env(tiny_corpus: Path, tmp_path: Path) -> dict[str, str]:
    """Environment for a recipe subprocess: the shared corpus, a private cache, 1 thread per process."""
    return {
        **os.environ,
        "STARKIT_TEST_DATA": str(tiny_corpus),
        "STARKIT_CACHE": str(tmp_path / "cache"),
        "OMP_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
    }

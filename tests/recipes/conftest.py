"""A tiny spoken-events corpus built once per test session, shared by the recipe tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from star_kit.registry import get_registry

CONFIG = Path(__file__).parent / "tiny.yaml"


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spoken-events-tiny")
    corpus = get_registry().load("corpus", "spoken-events")(train_snr_db=(0.0, 20.0))  # with train-noisy
    corpus.build(str(root), size="tiny", seed=0)
    return root


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

"""Offline switches for every test, and the tiny spoken-events corpus the recipe and serve tests share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny spoken-events corpus with its train-noisy split, built once per test session."""
    from star_kit.registry import get_registry

    root = tmp_path_factory.mktemp("spoken-events-tiny")
    corpus = get_registry().load("corpus", "spoken-events")(train_snr_db=(0.0, 20.0))  # with train-noisy
    corpus.build(str(root), size="tiny", seed=0)
    return root

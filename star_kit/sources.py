"""Interfaces of the data sources: text-to-speech voices and buildable corpora.

They import neither torch nor numpy, so corpus worker processes stay light; :mod:`star_kit.interfaces` re-exports
them beside the neural component interfaces.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class Voice(ABC):
    """A text-to-speech voice used to speak captions (corpus building, ``--say``)."""

    sample_rate: int

    @abstractmethod
    def synthesize(self, text: str, seed: int = 0) -> np.ndarray:
        """Speaks ``text``; returns float32 mono ``(n,)`` at ``self.sample_rate``. ``seed`` drives any jitter."""


class Corpus(ABC):
    """A buildable data set: writes audio files and a JSONL manifest (see :mod:`star_kit.data`)."""

    @abstractmethod
    def build(self, out_dir: str, size: str = "small", seed: int = 0) -> str:
        """Builds (or resumes building) the corpus under ``out_dir``; returns the manifest path."""

    @property
    @abstractmethod
    def labels(self) -> list[str]:
        """The label set, in the fixed order used for multi-hot targets."""

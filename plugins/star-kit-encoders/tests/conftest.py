"""Fixtures of the encoders plugin's tests: offline hub, and spoken sentences from libespeak-ng (via ctypes).

The ctypes helper is a test utility only (the production espeak voice lives in its own plugin).
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE = 1  # espeak_PARAMETER espeakRATE, words per minute
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Espeak:
    """libespeak-ng from the ``espeakng-loader`` wheel, synthesising into memory."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data_parent = str(Path(espeakng_loader.get_data_path()).parent).encode()
        self.sample_rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_parent, 0)
        if self.sample_rate <= 0:
            raise RuntimeError("espeak_Initialize failed")
        self.chunks: list[np.ndarray] = []
        self.callback = _CALLBACK(self._collect)  # kept alive as long as the library may call it

    def _collect(self, wav, num_samples: int, events) -> int:
        if num_samples > 0:
            self.chunks.append(np.ctypeslib.as_array(wav, shape=(num_samples,)).copy())
        return 0

    def speak(self, text: str, voice: str = "en-us", rate: int = 175) -> tuple[np.ndarray, int]:
        """``text`` at ``rate`` words per minute -> ``(float32 waveform (n,), sample rate)``."""
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise RuntimeError(f"espeak voice {voice} not found")
        self.lib.espeak_SetParameter(_RATE, rate, 0)
        self.lib.espeak_SetSynthCallback(self.callback)  # libespeak-ng is process-global: claim it on every call
        self.chunks = []
        data = text.encode() + b"\0"
        self.lib.espeak_Synth(data, ctypes.c_size_t(len(data)), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        return np.concatenate(self.chunks).astype(np.float32) / 32768.0, self.sample_rate


@pytest.fixture(scope="session")
def speak() -> Callable[..., tuple[np.ndarray, int]]:
    """``speak(text, voice="en-us", rate=175) -> (wav (n,), sample_rate)`` with espeak-ng (22.05 kHz)."""
    return _Espeak().speak

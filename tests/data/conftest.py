"""Fixtures for the data tests: small real wav files, a manifest over them, and an in-process voice plugin."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from star_kit.data.manifest import Item, write_manifest
from star_kit.hookspecs import hookimpl
from star_kit.interfaces import Voice
from star_kit.registry import Registry


def tone(seconds: float, rate: int, freq: float = 440.0, seed: int = 0) -> np.ndarray:
    """A noisy tone ``(n,)`` float32 at peak ~0.5."""
    t = np.arange(int(seconds * rate)) / rate
    noise = np.random.default_rng(seed).normal(0, 0.05, t.shape)
    return (0.4 * np.sin(2 * np.pi * freq * t) + noise).astype(np.float32)


def write_wav(path: Path, wav: np.ndarray, rate: int, subtype: str = "PCM_16") -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), wav, rate, subtype=subtype)
    return path.name


@pytest.fixture
def good_manifest(tmp_path: Path) -> Path:
    """Three items (train, train, val) with 16 kHz speech, 24 kHz audio and a labels.json."""
    items = []
    for k, (split, labels) in enumerate([("train", ["dog"]), ("train", ["dog", "rain"]), ("val", ["rain"])]):
        name = f"item{k}"
        write_wav(tmp_path / "speech" / f"{name}.wav", tone(0.5, 16_000, 200 + 50 * k, k), 16_000)
        write_wav(tmp_path / "audio" / f"{name}.wav", tone(1.0, 24_000, 500 + 100 * k, k), 24_000)
        items.append(
            Item(
                id=name,
                speech=f"speech/{name}.wav",
                audio=f"audio/{name}.wav",
                caption=f"caption number {k}",
                labels=labels,
                split=split,
                voice="test-formant",
                duration=1.0,
                speech_sample_rate=16_000,
                audio_sample_rate=24_000,
            )
        )
    return write_manifest(tmp_path / "manifest.jsonl", items, labels=["dog", "rain", "siren"])


class FormantVoice(Voice):
    """A test fixture, not TTS: voiced buzz through two vowel formants per letter, at 22.05 kHz (so speaking
    exercises resampling). ``seed`` shifts the pitch. Counts its calls so tests can see what was re-spoken."""

    sample_rate = 22_050
    calls = 0
    _formants = {"a": (730, 1090), "e": (530, 1840), "i": (270, 2290), "o": (570, 840), "u": (300, 870)}

    def synthesize(self, text: str, seed: int = 0) -> np.ndarray:
        FormantVoice.calls += 1
        f0 = 110 + np.random.default_rng(seed).uniform(-10, 10)
        n = int(0.06 * self.sample_rate)
        t = np.arange(n) / self.sample_rate
        pieces = []
        for ch in text.lower():
            f1, f2 = self._formants.get(ch, (500, 1500))
            harmonics = np.arange(1, int(4000 / f0))
            gain = 1 / (1 + ((harmonics * f0 - f1) / 120) ** 2) + 0.5 / (1 + ((harmonics * f0 - f2) / 200) ** 2)
            voiced = (gain[:, None] * np.sin(2 * np.pi * f0 * harmonics[:, None] * t)).sum(0)
            pieces.append(voiced * np.hanning(n) if ch.isalpha() else np.zeros(n))
        wav = np.concatenate(pieces)
        return (0.5 * wav / np.abs(wav).max()).astype(np.float32)


class _VoicePlugin:
    @hookimpl
    def register_voices(self) -> dict[str, str]:
        return {"test-formant": f"{__name__}:FormantVoice"}


@pytest.fixture
def voice_registry() -> Registry:
    FormantVoice.calls = 0
    return Registry(load_entrypoints=False, plugins=(("test-voices", _VoicePlugin()),))

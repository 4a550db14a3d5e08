"""Sound-event generators: every class makes finite, audible, seed-dependent clips that differ between classes."""

from __future__ import annotations

import numpy as np
import pytest

from star_kit.errors import StarKitError
from star_kit_corpus.captions import PHRASES
from star_kit_corpus.sounds import CLASSES, RECORDED, SAMPLE_RATE, pitch_shift, recording, render_event, time_stretch

N = 3 * SAMPLE_RATE


def _band_energies(x: np.ndarray, bands: int = 32) -> np.ndarray:
    """Log energy in ``bands`` equal-width frequency bands, normalised to sum 1 (a crude timbre fingerprint)."""
    spec = np.abs(np.fft.rfft(x)) ** 2
    e = spec[: spec.size // bands * bands].reshape(bands, -1).sum(axis=1)
    return e / e.sum()


@pytest.fixture(scope="module")
def clips() -> dict[str, np.ndarray]:
    return {c: render_event(c, np.random.default_rng(0), N, reverb_prob=0.0) for c in CLASSES}


def test_enough_classes_with_captions() -> None:
    assert len(CLASSES) >= 24 and len(set(CLASSES)) == len(CLASSES)
    assert set(PHRASES) == set(CLASSES)
    assert set(RECORDED) <= set(CLASSES)


@pytest.mark.parametrize("name", CLASSES)
def test_class_makes_finite_audible_seeded_clips(name: str, clips: dict[str, np.ndarray]) -> None:
    x = clips[name]
    assert x.shape == (N,) and x.dtype == np.float32 and np.isfinite(x).all()
    assert 0.3 <= np.abs(x).max() <= 0.95 + 1e-6
    frames = x[: N // 2205 * 2205].reshape(-1, 2205)  # 100 ms
    assert (np.sqrt((frames**2).mean(axis=1)) > 1e-3).mean() > 0.1, f"{name} is nearly silent"
    again = render_event(name, np.random.default_rng(0), N, reverb_prob=0.0)
    assert np.array_equal(x, again)
    other = render_event(name, np.random.default_rng(1), N, reverb_prob=0.0)
    assert not np.allclose(x, other), f"{name} ignores its random parameters"


def test_classes_have_distinct_spectra(clips: dict[str, np.ndarray]) -> None:
    fingerprints = {c: _band_energies(x) for c, x in clips.items()}
    for i, a in enumerate(CLASSES):
        for b in CLASSES[i + 1 :]:
            distance = np.abs(fingerprints[a] - fingerprints[b]).sum()
            assert distance > 0.1, f"{a} and {b} have nearly the same spectrum ({distance:.3f})"


def test_recordings_are_real_audio() -> None:
    for name in RECORDED:
        x = recording(name)
        assert x.ndim == 1 and x.size > 0.5 * SAMPLE_RATE and np.abs(x).max() == pytest.approx(1.0)


def test_time_stretch_keeps_pitch_and_pitch_shift_moves_it() -> None:
    tone = np.sin(2 * np.pi * 440 * np.arange(SAMPLE_RATE) / SAMPLE_RATE)

    def peak_hz(x: np.ndarray) -> float:
        return np.argmax(np.abs(np.fft.rfft(x))) * SAMPLE_RATE / x.size

    slow = time_stretch(tone, 0.8)
    assert slow.size == pytest.approx(tone.size / 0.8, rel=0.05)
    assert peak_hz(slow) == pytest.approx(440, abs=5)
    up = pitch_shift(tone, 12.0)
    assert up.size == pytest.approx(tone.size / 2, rel=0.01)
    assert peak_hz(up) == pytest.approx(880, abs=5)


def test_unknown_class_is_a_user_error() -> None:
    with pytest.raises(StarKitError, match="unknown sound class 'unicorn'"):
        render_event("unicorn", np.random.default_rng(0), 100)

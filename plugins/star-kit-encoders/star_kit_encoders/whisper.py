"""Whisper's encoder on the real length of each clip (no padding to 30 s).

transformers' ``WhisperEncoder.forward`` insists on 3000 mel frames (30 s), so a 1 s clip costs as much as a 30 s
one. Here the log-mel is computed on the clip itself (``WhisperFeatureExtractor`` with no padding), and the conv stem,
the positional table (trimmed to the real number of frames) and the layers of the same ``WhisperEncoder`` module run
on those frames only. A padded batch is made padding-invariant by zeroing the conv stem past each clip's end (what
the lone clip's zero padding gives) and masking padded frames out of self-attention.

Ein-notation: b batch, n samples, m mel bins, s mel frames (100 Hz), t encoder frames (50 Hz), d width.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames, lengths_to_mask
from star_kit_encoders.common import SpeechEncoder
from star_kit_encoders.pretrained import from_pretrained, resolve


def load_whisper_encoder(pretrained: str | None, config: dict[str, Any] | None, local_files_only: bool, component: str):
    """transformers' ``WhisperEncoder``: from weights (the decoder is dropped) or randomly initialised from a config."""
    from transformers import WhisperConfig, WhisperModel
    from transformers.models.whisper.modeling_whisper import WhisperEncoder as HFWhisperEncoder

    if pretrained is None:
        return HFWhisperEncoder(WhisperConfig(**(config or {})))
    source = resolve(pretrained, "whisper", component)
    return from_pretrained(WhisperModel, source, "whisper", component, local_files_only, **(config or {})).encoder


class WhisperEncoder(SpeechEncoder):
    """Whisper's encoder (50 frames/s), trimmed to the real length of each clip.

    Args:
        pretrained: ``bundled:tiny.en`` or ``bundled:base`` (converted from pip packages, see the README), a folder
            with a transformers Whisper model, a hub id (needs ``local_files_only: false`` unless cached), or
            ``None`` for a randomly initialised model built from ``config``.
        layer: index into the hidden states (0 = after the conv stem and positions, -1 = the last layer after the
            final layer norm) or ``"weighted"`` for a learned softmax-weighted sum of all of them.
        freeze: keep the backbone frozen (no gradients, eval mode); the ``weighted`` mixture still trains.
        local_files_only: never touch the network (hub ids load only from the local cache).
        config: ``WhisperConfig`` overrides (e.g. ``{d_model: 32, encoder_layers: 2}`` with ``pretrained: null``).
    """

    def __init__(
        self,
        pretrained: str | None = "bundled:tiny.en",
        layer: int | str = -1,
        freeze: bool = True,
        local_files_only: bool = True,
        config: dict[str, Any] | None = None,
    ) -> None:
        from transformers import WhisperFeatureExtractor

        backbone = load_whisper_encoder(pretrained, config, local_files_only, "whisper")
        super().__init__(backbone, backbone.config.encoder_layers + 1, layer, freeze, "whisper")
        self.features = WhisperFeatureExtractor(feature_size=backbone.config.num_mel_bins)
        self.dim = backbone.config.d_model
        self.frame_rate = self.sample_rate / self.features.hop_length / backbone.conv2.stride[0]
        self.max_seconds = backbone.config.max_source_positions / self.frame_rate

    def log_mel(self, wav: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Per-clip log-mel on the valid samples only: ``wav (b, n)`` -> ``(mel (b, m, s), mel_lengths (b,))``.

        Each clip is its own call: Whisper normalises by the clip's maximum and pads the STFT by reflection, so a
        clip's features must not see the zeros after it.
        """
        mels = []
        for i, n in enumerate(lengths.tolist()):
            clip = wav[i, :n].detach().cpu().float().numpy()
            out = self.features(clip, sampling_rate=self.sample_rate, padding="longest", truncation=False)
            mels.append(out["input_features"][0])  # (m, s)
        mel_lengths = torch.tensor([m.shape[1] for m in mels])
        mel = np.zeros((len(mels), mels[0].shape[0], int(mel_lengths.max())), dtype=np.float32)  # (b, m, s)
        for i, m in enumerate(mels):
            mel[i, :, : m.shape[1]] = m
        return torch.from_numpy(mel).to(wav.device), mel_lengths.to(wav.device)

    def forward(self, wav: Tensor, lengths: Tensor) -> Frames:
        """Encodes a padded batch.

        Args:
            wav: ``(b, n)`` float waveform at 16 kHz, zero-padded after each clip.
            lengths: ``(b,)`` valid samples per clip; each clip lasts 12.6 ms to :attr:`max_seconds` (30 s).

        Returns:
            Frames ``(b, t, dim)`` at 50 frames/s, ``t = ceil(floor(n / 160) / 2)`` valid frames per clip.
        """
        self.check_batch(wav, lengths)
        seconds = lengths.float() / self.sample_rate
        min_seconds = (self.features.n_fft // 2 + 1) / self.sample_rate  # the STFT's reflection padding needs this
        if seconds.min() < min_seconds or seconds.max() > self.max_seconds:
            raise StarKitError(
                f"whisper: clip durations {[round(s, 3) for s in seconds.tolist()]} s must lie "
                f"between {min_seconds:.3f} s and {self.max_seconds:.0f} s; split longer audio"
            )
        mel, mel_lengths = self.log_mel(wav, lengths)  # (b, m, s), (b,)
        frame_lengths = (mel_lengths + 1) // 2  # conv2: kernel 3, stride 2, padding 1
        enc = self.backbone
        with self.backbone_grad():
            x = F.gelu(enc.conv1(mel.to(enc.conv1.weight.dtype)))  # (b, d, s)
            x = x * lengths_to_mask(mel_lengths, x.shape[-1])[:, None]  # conv2 must see zeros past each clip
            x = rearrange(F.gelu(enc.conv2(x)), "b d t -> b t d")
            x = x + enc.embed_positions.weight[: x.shape[1]]  # the positional table, cut to the real length
            x = F.dropout(x, p=enc.dropout, training=enc.training)
            mask = lengths_to_mask(frame_lengths, x.shape[1])  # (b, t)
            bias = None
            if not mask.all():  # additive key mask (b, 1, 1, t): padded frames get no attention
                bias = torch.zeros(mask.shape, dtype=x.dtype, device=x.device)
                bias = bias.masked_fill(~mask, torch.finfo(x.dtype).min)[:, None, None, :]
            hidden = [x]
            for block in enc.layers[: self.select.needed - 1]:
                hidden.append(block(hidden[-1], bias))
            if len(hidden) == self.select.num_hidden:  # transformers' last hidden state is after the final norm
                hidden[-1] = enc.layer_norm(hidden[-1])
        return Frames(self.select(hidden), mask, self.frame_rate)

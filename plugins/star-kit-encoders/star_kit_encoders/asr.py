"""Greedy Whisper speech recognition, the first stage of the cascade baseline (ASR -> text -> generator).

The decoder reads the encoder output of the standard 30 s padded input (what Whisper was trained on and what a
cascade user would run), so this is the accurate reference path, not the trimmed one of :mod:`whisper`.

Ein-notation: b batch, s mel frames, t encoder frames, k tokens, v vocabulary, m mel bins.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from star_kit.audio import check_waveform, resample
from star_kit.errors import StarKitError
from star_kit_encoders.pretrained import from_pretrained, resolve

TASKS = ("transcribe", "translate")


def check_task(task: str, multilingual: bool, who: str, pretrained: str) -> None:
    """A one-line error for an unknown task, or for ``translate`` on an English-only checkpoint."""
    if task not in TASKS:
        raise StarKitError(f"{who}: unknown task '{task}'; tasks: {', '.join(TASKS)}")
    if task == "translate" and not multilingual:
        raise StarKitError(
            f"{who}: '{pretrained}' is English-only and cannot translate; give a multilingual checkpoint "
            "such as bundled:base"
        )


class WhisperASR:
    """Transcribes speech with a Whisper checkpoint, greedy decoding without timestamps.

    Args:
        pretrained: ``bundled:tiny.en``, ``bundled:base``, a folder with a transformers Whisper model and its
            tokenizer, or a hub id (with ``local_files_only: false`` unless cached).
        language: the spoken language for multilingual checkpoints (ignored by English-only ones); ``None``:
            Whisper detects each clip's language (its most likely language token after the start token).
        task: ``transcribe`` (text in the spoken language) or ``translate`` (Whisper's own speech-to-English
            translation; multilingual checkpoints only).
        local_files_only: never touch the network.
        max_new_tokens: the longest transcript, in tokens.
        device: where the model runs.
    """

    sample_rate = 16000

    def __init__(
        self,
        pretrained: str = "bundled:tiny.en",
        language: str | None = "en",
        task: str = "transcribe",
        local_files_only: bool = True,
        max_new_tokens: int = 128,
        device: str = "cpu",
    ) -> None:
        from transformers import WhisperFeatureExtractor, WhisperForConditionalGeneration, WhisperTokenizerFast

        source = resolve(pretrained, "whisper", "WhisperASR")
        self.model = (
            from_pretrained(WhisperForConditionalGeneration, source, "whisper", "WhisperASR", local_files_only)
            .to(device)
            .eval()
        )
        self.tokenizer = WhisperTokenizerFast.from_pretrained(source, local_files_only=local_files_only)
        cfg = self.model.config
        self.features = WhisperFeatureExtractor(feature_size=cfg.num_mel_bins)
        self.device = device
        self.eot = cfg.eos_token_id
        self.multilingual = cfg.vocab_size >= 51865  # language and task tokens
        check_task(task, self.multilingual, "WhisperASR", pretrained)
        ids = self.tokenizer.convert_tokens_to_ids
        self.start, self.task = ids("<|startoftranscript|>"), ids(f"<|{task}|>")
        self.no_timestamps = ids("<|notimestamps|>")
        self.language: int | None = None  # the language token; None: detected per clip
        if self.multilingual:
            from transformers.models.whisper.tokenization_whisper import LANGUAGES

            self.languages = torch.tensor(ids([f"<|{code}|>" for code in LANGUAGES]))  # every language token
            if language is not None:
                if language not in LANGUAGES:
                    raise StarKitError(f"WhisperASR: unknown language '{language}'; give a code such as 'en' or 'de'")
                self.language = ids(f"<|{language}|>")
        self.suppress = torch.tensor(list(cfg.suppress_tokens or []), dtype=torch.long)
        self.suppress_begin = torch.tensor(list(cfg.begin_suppress_tokens or []), dtype=torch.long)
        self.max_new_tokens = min(max_new_tokens, cfg.max_target_positions - 4)

    def transcribe(self, wav: np.ndarray, sample_rate: int) -> str:
        """``wav (n,)`` mono float at ``sample_rate`` (resampled to 16 kHz) -> the transcript."""
        return self.transcribe_batch([wav], sample_rate)[0]

    @torch.no_grad()
    def transcribe_batch(self, wavs: list[np.ndarray], sample_rate: int) -> list[str]:
        """Transcribes clips of up to 30 s each, in one batch; returns one stripped transcript per clip."""
        clips = []
        for i, wav in enumerate(wavs):
            check_waveform(np.asarray(wav), f"WhisperASR clip {i}")
            clip = resample(np.asarray(wav, dtype=np.float32), sample_rate, self.sample_rate)
            if clip.shape[-1] > self.features.n_samples:
                raise StarKitError(
                    f"WhisperASR clip {i}: {clip.shape[-1] / self.sample_rate:.1f} s is longer than 30 s; split it"
                )
            clips.append(clip)
        mel = self.features(clips, sampling_rate=self.sample_rate, return_tensors="pt").input_features  # (b, m, s)
        encoded = self.model.model.encoder(mel.to(self.device))  # (b, t, d)
        tokens = self.prompt(encoded)  # (b, k)
        b = len(clips)
        done = torch.zeros(b, dtype=torch.bool, device=self.device)
        out, cache = [], None
        for step in range(self.max_new_tokens):
            result = self.model(encoder_outputs=encoded, decoder_input_ids=tokens, cache=cache, use_cache=True)
            logits = result.logits[:, -1]  # (b, v)
            logits[:, self.suppress] = -torch.inf
            if step == 0:
                logits[:, self.suppress_begin] = -torch.inf
            tokens = logits.argmax(-1).masked_fill(done, self.eot)[:, None]  # (b, 1)
            out.append(tokens)
            done |= tokens[:, 0] == self.eot
            cache = result.cache
            if done.all():
                break
        ids = torch.cat(out, dim=1).tolist()
        return [self.tokenizer.decode(row, skip_special_tokens=True).strip() for row in ids]

    def prompt(self, encoded: Any) -> torch.Tensor:
        """The decoder's first tokens ``(b, k)`` for the encoder's output: start, language and task (multilingual),
        no timestamps; a clip's language, when not given, is its most likely language token after the start token."""
        b = encoded.last_hidden_state.shape[0]
        start = torch.full((b, 1), self.start, device=self.device)
        if not self.multilingual:
            return torch.cat([start, torch.full((b, 1), self.no_timestamps, device=self.device)], dim=1)
        if self.language is None:
            logits = self.model(encoder_outputs=encoded, decoder_input_ids=start).logits[:, -1]  # (b, v)
            languages = self.languages.to(self.device)
            language = languages[logits[:, languages].argmax(-1)][:, None]  # (b, 1)
        else:
            language = torch.full((b, 1), self.language, device=self.device)
        rest = torch.tensor([[self.task, self.no_timestamps]], device=self.device).expand(b, 2)
        return torch.cat([start, language, rest], dim=1)

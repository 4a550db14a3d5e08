"""Whisper speech recognition with faster-whisper (CTranslate2, int8 on CPU): the fastest cascade front end on a CPU.

It runs the same Whisper weights as :class:`star_kit_encoders.asr.WhisperASR`, straight from the CTranslate2
folders of the bundled weight packages (they are CTranslate2 models: nothing is converted and nothing downloads),
with the settings of a deployed low-latency cascade: beam 1 at temperature 0 (greedy, no fallback), no VAD, no
timestamps, the language fixed, the standard 30 s padded input, and as many CPU threads as torch uses.

Needs ``pip install faster-whisper`` (``pip install -e 'plugins/star-kit-encoders[faster-whisper]'``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from star_kit.audio import check_waveform, resample
from star_kit.errors import StarKitError
from star_kit_encoders.asr import check_task

PIP = "pip install faster-whisper (or: pip install -e 'plugins/star-kit-encoders[faster-whisper]')"


def ctranslate2_model(pretrained: str) -> tuple[str, dict[str, bytes] | None]:
    """``bundled:<name>`` or a CTranslate2 Whisper folder -> ``(folder, None)``, or ``(name, {file: bytes})`` for a
    bundle whose ``model.bin`` is split over packages (faster-whisper loads those files from memory)."""
    if pretrained.startswith("bundled:"):
        from star_kit_encoders.bundled import BUNDLES, _source_files

        name = pretrained.removeprefix("bundled:")
        if name not in BUNDLES:
            raise StarKitError(
                f"FasterWhisperASR: unknown bundled Whisper '{name}'; bundled models: {', '.join(BUNDLES)}"
            )
        parts, meta = _source_files(name)
        if parts == [meta / "model.bin"]:
            return str(meta), None
        files = {f.name: f.read_bytes() for f in meta.iterdir() if f.is_file() and not f.name.startswith("model.bin")}
        files["model.bin"] = b"".join(p.read_bytes() for p in parts)
        return pretrained, files
    folder = Path(pretrained).expanduser()
    if not (folder / "model.bin").is_file() or not (folder / "tokenizer.json").is_file():
        raise StarKitError(
            f"FasterWhisperASR: {folder} is not a CTranslate2 Whisper folder (model.bin and tokenizer.json); "
            "give bundled:tiny.en, bundled:base or such a folder"
        )
    return str(folder), None


class FasterWhisperASR:
    """Transcribes speech with faster-whisper: greedy, no timestamps, no VAD, one clip at a time.

    Args:
        pretrained: ``bundled:tiny.en``, ``bundled:base``, or a CTranslate2 Whisper folder (``model.bin`` and
            ``tokenizer.json``; ``preprocessor_config.json`` if the model is not 80 mel bins).
        language: the spoken language (English-only models always get ``en``); ``None``: detected per clip.
        task: ``transcribe`` or ``translate`` (to English; multilingual models only).
        max_new_tokens: the longest transcript, in tokens.
        compute_type: CTranslate2 weight type (``int8`` is the fast CPU setting).
        device: ``cpu`` or ``cuda``.

    The CTranslate2 model uses ``torch.get_num_threads()`` CPU threads; it is rebuilt when that changes, so a
    benchmark that sets torch's thread count sets this one too.
    """

    sample_rate = 16000

    def __init__(
        self,
        pretrained: str = "bundled:tiny.en",
        language: str | None = "en",
        task: str = "transcribe",
        max_new_tokens: int = 128,
        compute_type: str = "int8",
        device: str = "cpu",
    ) -> None:
        try:
            import faster_whisper  # noqa: F401
        except ImportError as exc:
            raise StarKitError(f"FasterWhisperASR needs the faster-whisper package: {PIP}") from exc
        self.pretrained, self.files = ctranslate2_model(pretrained)
        self.language, self.compute_type, self.device = language, compute_type, device
        self.max_new_tokens = max_new_tokens
        self.threads = 0
        self._model: Any = None
        model = self.model
        check_task(task, model.model.is_multilingual, "FasterWhisperASR", pretrained)
        self.task = task
        if model.model.is_multilingual and language is not None and language not in model.supported_languages:
            raise StarKitError(f"FasterWhisperASR: unknown language '{language}'; give a code such as 'en' or 'de'")
        if not model.model.is_multilingual:
            self.language = "en"

    @property
    def model(self) -> Any:
        """The ``faster_whisper.WhisperModel``, (re)built for torch's current thread count."""
        from faster_whisper import WhisperModel

        threads = torch.get_num_threads()
        if self._model is None or threads != self.threads:
            files = dict(self.files) if self.files else None  # WhisperModel pops from it
            self._model = WhisperModel(
                self.pretrained,
                device=self.device,
                compute_type=self.compute_type,
                cpu_threads=threads,
                local_files_only=True,
                files=files,
            )
            self.threads = threads
        return self._model

    def transcribe(self, wav: np.ndarray, sample_rate: int) -> str:
        """``wav (n,)`` mono float at ``sample_rate`` (resampled to 16 kHz) -> the transcript."""
        return self.transcribe_batch([wav], sample_rate)[0]

    def transcribe_batch(self, wavs: list[np.ndarray], sample_rate: int) -> list[str]:
        """Transcribes clips of up to 30 s each, one after the other; returns one stripped transcript per clip."""
        model, out = self.model, []
        for i, wav in enumerate(wavs):
            check_waveform(np.asarray(wav), f"FasterWhisperASR clip {i}")
            clip = resample(np.asarray(wav, dtype=np.float32), sample_rate, self.sample_rate)
            if clip.shape[-1] > 30 * self.sample_rate:
                seconds = clip.shape[-1] / self.sample_rate
                raise StarKitError(f"FasterWhisperASR clip {i}: {seconds:.1f} s is longer than 30 s; split it")
            segments, _ = model.transcribe(
                clip,
                language=self.language,
                task=self.task,
                beam_size=1,
                best_of=1,
                temperature=0.0,
                compression_ratio_threshold=None,
                log_prob_threshold=None,
                no_speech_threshold=None,
                condition_on_previous_text=False,
                without_timestamps=True,
                vad_filter=False,
                max_new_tokens=self.max_new_tokens,
            )
            out.append("".join(s.text for s in segments).strip())  # segments is lazy: decoding happens here
        return out

"""Greedy Whisper ASR on speech spoken by espeak-ng, with both bundled models."""

from __future__ import annotations

import re

import pytest

from star_kit.errors import StarKitError
from star_kit_encoders.asr import WhisperASR

# Both models get this sentence right at 150-190 words per minute. "a dog is barking in the rain" is fragile:
# tiny.en hears "Naga's barking in the rain" at 150 and 175 wpm, base hears "August, March in the rain" at 165.
SENTENCE = "the sound of a dog barking in the rain"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


@pytest.fixture(scope="module")
def tiny_en() -> WhisperASR:
    return WhisperASR("bundled:tiny.en")


def test_tiny_en_transcribes_spoken_sentences_alone_and_batched(tiny_en: WhisperASR, speak) -> None:
    wav, rate = speak(SENTENCE)
    alone = tiny_en.transcribe(wav, rate)
    assert words(alone) == words(SENTENCE)
    batch = tiny_en.transcribe_batch([wav, speak("rain")[0]], rate)  # different lengths, one batch
    assert batch[0] == alone and words(batch[1]) == ["rain"]


def test_bad_clips_are_named(tiny_en: WhisperASR, speak) -> None:
    wav, rate = speak("rain")
    with pytest.raises(StarKitError, match="WhisperASR clip 1: the waveform is silent"):
        tiny_en.transcribe_batch([wav, wav * 0], rate)


def test_base_transcribes_spoken_sentence(speak) -> None:
    asr = WhisperASR("bundled:base", language="en")
    wav, rate = speak(SENTENCE)
    assert words(asr.transcribe(wav, rate)) == words(SENTENCE)
    with pytest.raises(StarKitError, match="unknown language 'xx'"):
        WhisperASR("bundled:base", language="xx")


def test_base_detects_each_clips_language_and_translates(speak) -> None:
    """``language=None``: Whisper picks each clip's language; ``task=translate``: its English translation."""
    # a short espeak clip is too little for base to tell Spanish from Japanese: "un perro ladra bajo la lluvia"
    # (1.6 s) reads ja, ko and es within 0.2 logits; this one (3.4 s) reads es by 3 logits
    spanish, rate = speak("quiero escuchar a un perro que ladra bajo la lluvia en el jardín", voice="es")
    english, _ = speak(SENTENCE)
    detected = WhisperASR("bundled:base", language=None)
    es, en = detected.transcribe_batch([spanish, english], rate)
    assert words(en) == words(SENTENCE) and es.lower().startswith("quiero escuchar") and "perro" in es.lower()
    translated = WhisperASR("bundled:base", language=None, task="translate").transcribe(spanish, rate)
    # English from Spanish speech ("I want to hear a sound that makes me feel like I'm in the garden.": base loses
    # the dog the transcript has; the cascade's translate row measures how often)
    assert words(translated)[:4] == ["i", "want", "to", "hear"] and "garden" in words(translated), translated
    with pytest.raises(StarKitError, match="'bundled:tiny.en' is English-only and cannot translate"):
        WhisperASR("bundled:tiny.en", task="translate")
    with pytest.raises(StarKitError, match="unknown task 'summarise'; tasks: transcribe, translate"):
        WhisperASR("bundled:base", task="summarise")

"""faster-whisper (CTranslate2 int8) on the bundled tiny.en weights, against the transformers transcriber."""

from __future__ import annotations

import re
import sys

import pytest
import torch

from star_kit.errors import StarKitError
from star_kit_encoders.asr import WhisperASR
from star_kit_encoders.fast_asr import FasterWhisperASR

# int8 weights may hear hard espeak-ng speech differently ("thunder rumbles in the distance": "under-rambled in the
# distance" against fp32's "thunder and thunder in the distance"); on these both transcribers agree word for word.
SENTENCES = ("the sound of a dog barking in the rain", "water is running from a tap", "someone is knocking on the door")


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


@pytest.fixture(scope="module")
def fast() -> FasterWhisperASR:
    return FasterWhisperASR("bundled:tiny.en")


def test_transcribes_as_the_transformers_transcriber_does(fast: FasterWhisperASR, speak) -> None:
    spoken = [speak(s) for s in SENTENCES]
    rate = spoken[0][1]
    heard = fast.transcribe_batch([wav for wav, _ in spoken], rate)
    reference = WhisperASR("bundled:tiny.en").transcribe_batch([wav for wav, _ in spoken], rate)
    assert [words(h) for h in heard] == [words(r) for r in reference], (heard, reference)
    assert words(heard[0]) == words(SENTENCES[0])
    assert fast.transcribe(spoken[2][0], rate) == heard[2]


def test_follows_torch_thread_count(fast: FasterWhisperASR, speak) -> None:
    wav, rate = speak("rain")
    previous = torch.get_num_threads()
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            assert words(fast.transcribe(wav, rate)) == ["rain"] and fast.threads == threads
    finally:
        torch.set_num_threads(previous)


def test_bad_inputs_are_named(fast: FasterWhisperASR, speak, tmp_path) -> None:
    wav, rate = speak("rain")
    with pytest.raises(StarKitError, match="FasterWhisperASR clip 1: the waveform is silent"):
        fast.transcribe_batch([wav, wav * 0], rate)
    with pytest.raises(StarKitError, match="unknown bundled Whisper 'small'"):
        FasterWhisperASR("bundled:small")
    with pytest.raises(StarKitError, match="not a CTranslate2 Whisper folder"):
        FasterWhisperASR(str(tmp_path))


def test_missing_package_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # as if not installed: the import fails
    with pytest.raises(StarKitError, match=r"needs the faster-whisper package: pip install faster-whisper"):
        FasterWhisperASR("bundled:tiny.en")

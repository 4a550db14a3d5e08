"""The TTS voices: every registered voice speaks, deterministically, offline."""

from __future__ import annotations

import numpy as np
import pytest

from star_kit.errors import StarKitError
from star_kit.registry import get_registry
from star_kit_corpus.spoken_events import TEST_VOICES, TRAIN_VOICES, language_voices
from star_kit_corpus.variants import LANGUAGE_VARIANTS
from star_kit_corpus.voices import VOICES, EspeakVoice

TEXT = "A dog barks while rain falls"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Any attempt to download fails the test (hibari fetches non-bundled voices with urllib)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path / "hibari-cache"))

    def no_network(*args, **kwargs):
        raise AssertionError("a voice tried to download something")

    monkeypatch.setattr("urllib.request.urlopen", no_network)


def test_registry_lists_every_voice_with_its_class() -> None:
    entries = get_registry().components("voice")
    assert set(entries) == set(VOICES)
    for name, entry in entries.items():
        assert entry.load() is VOICES[name]
    train = set(TRAIN_VOICES).union(*(language_voices(code)[0] for code in LANGUAGE_VARIANTS))
    test = set(TEST_VOICES).union(*(language_voices(code)[1] for code in LANGUAGE_VARIANTS))
    assert train | test == set(VOICES) and not train & test


@pytest.mark.parametrize("name", sorted(VOICES))
def test_voice_speaks_a_caption(name: str) -> None:
    voice = get_registry().load("voice", name)()
    wav = voice.synthesize(TEXT, seed=3)
    assert wav.dtype == np.float32 and wav.ndim == 1 and np.isfinite(wav).all()
    seconds = wav.size / voice.sample_rate
    assert 1.0 < seconds < 5.0, f"{name}: {seconds:.2f} s for a six-word sentence"
    # speech energy: loud frames cover a good part of the clip, silence is not all there is
    frames = wav[: wav.size // 441 * 441].reshape(-1, 441)
    rms = np.sqrt((frames**2).mean(axis=1))
    assert rms.max() > 0.02 and (rms > 0.1 * rms.max()).mean() > 0.3
    assert np.array_equal(wav, voice.synthesize(TEXT, seed=3)), f"{name} is not deterministic"
    assert not np.array_equal(wav, voice.synthesize(TEXT, seed=4)), f"{name} ignores the seed"


def test_held_out_espeak_voices_use_variants_never_heard_in_training() -> None:
    def variant(name: str) -> str:
        return VOICES[name].variant.partition("+")[2]

    trained = [*TRAIN_VOICES, *(v for code in LANGUAGE_VARIANTS for v in language_voices(code)[0])]
    heard = {variant(v) for v in trained}
    held_out = [v for v in TEST_VOICES if issubclass(VOICES[v], EspeakVoice)]
    held_out += [v for code in LANGUAGE_VARIANTS for v in language_voices(code)[1]]
    assert len(held_out) == 2 + 2 * len(LANGUAGE_VARIANTS)
    assert all(variant(v) and variant(v) not in heard for v in held_out)


def test_longer_text_gives_longer_speech() -> None:
    voice = VOICES["espeak-en-us"]()
    short = voice.synthesize("a bell", seed=0)
    long = voice.synthesize("a bell rings, then a dog barks and a siren wails in the distance", seed=0)
    assert long.size > 2.5 * short.size


def test_espeak_voices_differ_in_timbre() -> None:
    """Variants are different voices: their long-term spectra differ for the same sentence."""

    def spectrum(cls: type[EspeakVoice]) -> np.ndarray:
        wav = cls(rate_jitter=0.0, pitch_jitter=0).synthesize(TEXT, seed=0)
        spec = np.abs(np.fft.rfft(wav, 2**16))[: 2**15]
        spec = spec[: spec.size // 256 * 256].reshape(-1, 256).mean(axis=1)
        return np.log(spec + 1e-6)

    spectra = {name: spectrum(cls) for name, cls in VOICES.items() if issubclass(cls, EspeakVoice)}
    names = sorted(spectra)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert np.abs(spectra[a] - spectra[b]).mean() > 0.05, f"{a} and {b} sound the same"


def test_empty_text_is_a_user_error() -> None:
    with pytest.raises(StarKitError, match="empty"):
        VOICES["espeak-en-us"]().synthesize("  ")

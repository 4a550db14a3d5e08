"""speak_manifest: fills speech at 16 kHz with a registered voice, resumes, re-speaks on demand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from star_kit.data.check import check_manifest
from star_kit.data.manifest import Item, read_manifest, write_manifest
from star_kit.data.speak import speak_manifest, speech_file_name
from star_kit.errors import StarKitError
from star_kit.registry import Registry, get_registry
from tests.data.conftest import FormantVoice, tone, write_wav

CAPTIONS = {"a1": "a dog barks twice", "b/2": "rain on a tin roof", "c3": "an engine idles"}


@pytest.fixture
def unspoken(tmp_path: Path) -> Path:
    """A manifest as an import leaves it: audio present, speech empty."""
    items = []
    for k, (item_id, caption) in enumerate(CAPTIONS.items()):
        write_wav(tmp_path / "audio" / f"{k}.wav", tone(1.0, 24_000, seed=k), 24_000)
        items.append(Item(item_id, "", f"audio/{k}.wav", caption, split="test", duration=1.0, audio_sample_rate=24_000))
    return write_manifest(tmp_path / "manifest.jsonl", items)


def test_speak_fills_speech_at_16k(unspoken: Path, voice_registry: Registry) -> None:
    result = speak_manifest(unspoken, "test-formant", registry=voice_registry)
    assert FormantVoice.calls == 3
    on_disk = read_manifest(unspoken)
    assert on_disk.items == result.items
    for item in on_disk:
        assert item.speech == f"speech/test-formant/{speech_file_name(item.id, item.caption, 0)}"
        assert (item.voice, item.speech_sample_rate) == ("test-formant", 16_000)
        info = sf.info(str(on_disk.speech_path(item)))
        expected_seconds = len(CAPTIONS[item.id]) * 0.06
        assert info.samplerate == 16_000 and abs(info.frames / 16_000 - expected_seconds) < 0.01
    assert check_manifest(unspoken, expected_rates={"speech": 16_000, "audio": 24_000}) == []
    assert speech_file_name("b/2", "x", 0) != speech_file_name("b_2", "x", 0)  # unsafe ids never share a file
    assert speech_file_name("b/2", "x", 0).startswith("b_2-")


def test_resume_speaks_only_missing_or_damaged_files(unspoken: Path, voice_registry: Registry) -> None:
    speak_manifest(unspoken, "test-formant", registry=voice_registry)
    folder = unspoken.parent / "speech" / "test-formant"
    kept = (folder / speech_file_name("c3", CAPTIONS["c3"], 0)).read_bytes()
    (folder / speech_file_name("a1", CAPTIONS["a1"], 0)).unlink()
    (folder / speech_file_name("b/2", CAPTIONS["b/2"], 0)).write_bytes(b"RIFF")  # damaged by some other tool
    FormantVoice.calls = 0
    speak_manifest(unspoken, "test-formant", registry=voice_registry)
    assert FormantVoice.calls == 2
    assert (folder / speech_file_name("c3", CAPTIONS["c3"], 0)).read_bytes() == kept
    assert check_manifest(unspoken) == []
    FormantVoice.calls = 0
    speak_manifest(unspoken, "test-formant", registry=voice_registry, overwrite=True)
    assert FormantVoice.calls == 3
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_interrupted_run_resumes_and_edited_captions_are_respoken(
    unspoken: Path, voice_registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    speak = FormantVoice.synthesize

    def crash_on_engine(self: FormantVoice, text: str, seed: int = 0) -> np.ndarray:
        if "engine" in text:
            raise KeyboardInterrupt
        return speak(self, text, seed)

    monkeypatch.setattr(FormantVoice, "synthesize", crash_on_engine)
    with pytest.raises(KeyboardInterrupt):
        speak_manifest(unspoken, "test-formant", registry=voice_registry)
    assert read_manifest(unspoken).items[0].speech == ""  # the manifest is only rewritten at the end
    monkeypatch.undo()
    FormantVoice.calls = 0
    speak_manifest(unspoken, "test-formant", registry=voice_registry)
    assert FormantVoice.calls == 1  # the two captions spoken before the interruption are reused

    manifest = read_manifest(unspoken)
    before = manifest.items[0].speech
    manifest.items[0].caption = "a dog barks three times"
    write_manifest(unspoken, manifest.items)
    FormantVoice.calls = 0
    speak_manifest(unspoken, "test-formant", registry=voice_registry)
    assert FormantVoice.calls == 1 and read_manifest(unspoken).items[0].speech != before


def test_seed_is_per_item_and_reproducible(unspoken: Path, voice_registry: Registry, tmp_path: Path) -> None:
    def spoken(seed: int, out: str) -> np.ndarray:
        manifest = speak_manifest(unspoken, "test-formant", out_dir=tmp_path / out, seed=seed, registry=voice_registry)
        return sf.read(str(manifest.speech_path(manifest.items[0])))[0]

    np.testing.assert_array_equal(spoken(0, "x"), spoken(0, "y"))
    assert not np.array_equal(spoken(0, "x"), spoken(1, "z"))
    assert read_manifest(unspoken).items[0].speech.startswith("z/a1-")  # out_dir is stored relative to the manifest


def test_errors(unspoken: Path, voice_registry: Registry) -> None:
    with pytest.raises(StarKitError, match="unknown voice 'test-formnt' \\(did you mean 'test-formant'\\?\\)"):
        speak_manifest(unspoken, "test-formnt", registry=voice_registry)
    lines = unspoken.read_text().splitlines()
    lines[1] = json.dumps({**json.loads(lines[1]), "caption": ""})
    unspoken.write_text("\n".join(lines) + "\n")
    with pytest.raises(StarKitError, match="item 'b/2' \\(manifest line 2\\) has an empty caption; fix or remove it"):
        speak_manifest(unspoken, "test-formant", registry=voice_registry)


def test_with_an_installed_voice(tmp_path: Path) -> None:
    """The plumbing with a real TTS voice from an installed plugin (skipped until one is registered)."""
    voices = get_registry().components("voice")
    if not voices:
        pytest.skip("no voice plugin installed")
    name = next(iter(voices))
    write_wav(tmp_path / "audio.wav", tone(1.0, 16_000), 16_000)
    item = Item("x", "", "audio.wav", "a cat meows", duration=1.0, audio_sample_rate=16_000)
    manifest = speak_manifest(write_manifest(tmp_path, [item]), name)
    assert manifest.items[0].voice == name
    assert check_manifest(tmp_path, expected_rates={"speech": 16_000}) == []

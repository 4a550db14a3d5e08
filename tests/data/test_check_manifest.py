"""check_manifest on small generated wavs: a clean manifest passes, each kind of problem is found on its line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from star_kit.data.check import check_manifest
from tests.data.conftest import tone, write_wav


def edit_line(manifest: Path, line: int, **changes: object) -> None:
    lines = manifest.read_text().splitlines()
    lines[line - 1] = json.dumps({**json.loads(lines[line - 1]), **changes})
    manifest.write_text("\n".join(lines) + "\n")


def found(manifest: Path, **kwargs) -> list[str]:
    return [str(p) for p in check_manifest(manifest, **kwargs)]


def test_clean_manifest_has_no_problems(good_manifest: Path) -> None:
    assert found(good_manifest) == []
    assert found(good_manifest.parent, expected_rates={"speech": 16_000, "audio": 24_000}) == []


def _missing(m: Path) -> None:
    (m.parent / "speech" / "item1.wav").unlink()


def _unreadable(m: Path) -> None:
    (m.parent / "audio" / "item1.wav").write_bytes(b"RIFF-not-really-a-wav" * 10)


def _wrong_rate(m: Path) -> None:
    write_wav(m.parent / "speech" / "item1.wav", tone(0.5, 22_050), 22_050)


def _silent(m: Path) -> None:
    write_wav(m.parent / "audio" / "item1.wav", np.zeros(24_000, np.float32), 24_000)


def _nan(m: Path) -> None:
    wav = tone(1.0, 24_000)
    wav[100] = np.nan
    write_wav(m.parent / "audio" / "item1.wav", wav, 24_000, subtype="FLOAT")


def _empty_wav(m: Path) -> None:
    write_wav(m.parent / "speech" / "item1.wav", np.zeros(0, np.float32), 16_000)


CASES: list[tuple[Callable[[Path], None] | dict, str]] = [
    (_missing, "speech file speech/item1.wav does not exist"),
    (_unreadable, "cannot read audio file audio/item1.wav (Format not recognised.)"),
    (_wrong_rate, "speech file speech/item1.wav is 22050 Hz but speech_sample_rate says 16000"),
    (_silent, "audio file audio/item1.wav: the waveform is silent (peak below 0.0001)"),
    (_nan, "audio file audio/item1.wav: the waveform contains NaN or infinite samples"),
    (_empty_wav, "speech file speech/item1.wav: the waveform is empty"),
    ({"caption": "  "}, "the caption is empty"),
    ({"labels": ["dog", "cow", "bell"]}, "labels not in labels.json: 'cow', 'bell'"),
    ({"speech": ""}, "no speech yet (speech is empty); run `starkit data speak MANIFEST --voice NAME`"),
    ({"audio": ""}, "the audio path is empty"),
    ({"duration": 3.0}, "duration says 3.00 s but audio file audio/item1.wav lasts 1.00 s"),
    ({"audio_sample_rate": 16000}, "audio file audio/item1.wav is 24000 Hz but audio_sample_rate says 16000"),
    ({"id": "item0"}, "duplicate id 'item0' (first on line 1); ids must be unique"),
    ({"split": 3}, "'split' must be a string, got 3"),
]


@pytest.mark.parametrize(("change", "message"), CASES, ids=[m[:30] for _, m in CASES])
def test_each_problem_is_reported_on_its_line(good_manifest: Path, change, message: str) -> None:
    if isinstance(change, dict):
        edit_line(good_manifest, 2, **change)
    else:
        change(good_manifest)
    assert found(good_manifest) == [f"{good_manifest}:2: {message}"]


def test_absolute_path_is_reported_but_still_checked(good_manifest: Path) -> None:
    absolute = str(good_manifest.parent / "audio" / "item1.wav")
    edit_line(good_manifest, 2, audio=absolute)
    assert found(good_manifest) == [
        f"{good_manifest}:2: audio path {absolute} is absolute; make it relative to the manifest folder"
    ]


def test_expected_rates_flag_every_file_at_another_rate(good_manifest: Path) -> None:
    problems = found(good_manifest, expected_rates={"audio": 16_000})
    assert problems == [
        f"{good_manifest}:{k}: audio file audio/item{k - 1}.wav is 24000 Hz, expected 16000 Hz; resample it"
        for k in (1, 2, 3)
    ]


def test_all_problems_are_collected_in_line_order(good_manifest: Path) -> None:
    with good_manifest.open("a") as f:
        f.write("not json\n")
    edit_line(good_manifest, 3, caption="")
    _missing(good_manifest)
    (good_manifest.parent / "labels.json").write_text("[1, 2]")
    problems = found(good_manifest)
    assert [p.removeprefix(f"{good_manifest}") for p in problems] == [
        f": {good_manifest.parent / 'labels.json'}: must be a JSON list of class names (non-empty strings)",
        ":2: speech file speech/item1.wav does not exist",
        ":3: the caption is empty",
        ":4: not valid JSON (Expecting value at column 1); each line must be one JSON object",
    ]


def test_headers_only_skips_decoding(good_manifest: Path) -> None:
    _silent(good_manifest)
    assert found(good_manifest, decode=False) == []
    assert len(found(good_manifest, decode=True)) == 1

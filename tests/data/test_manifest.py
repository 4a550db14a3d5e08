"""read_manifest / write_manifest / multi_hot: round trips and one specific message per kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from star_kit.data.manifest import REQUIRED_KEYS, Item, multi_hot, read_manifest, write_manifest
from star_kit.errors import StarKitError

GOOD = {
    "id": "a",
    "speech": "speech/a.wav",
    "audio": "audio/a.wav",
    "caption": "a dog barks",
    "labels": ["dog"],
    "split": "train",
    "voice": "joe",
    "duration": 4.0,
    "speech_sample_rate": 16000,
    "audio_sample_rate": 24000,
}


def write_lines(path: Path, *lines: object) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def error(path: Path, **kwargs) -> str:
    with pytest.raises(StarKitError) as info:
        read_manifest(path, **kwargs)
    return str(info.value)


def test_round_trip_keeps_every_field_and_unknown_keys(tmp_path: Path) -> None:
    items = [
        Item("a", "speech/a.wav", "audio/a.wav", "a dog barks", ["dog"], "train", "joe", 4.0, 16000, 24000),
        Item("b", "", "audio/b.wav", "rain on a roof", [], "test-noisy", "", 2.5, 0, 24000, snr_db=5.0,
             language="es", extra={"source": "clotho"}),
    ]  # fmt: skip
    path = write_manifest(tmp_path, items, labels=["rain", "dog"])
    assert path == tmp_path / "manifest.jsonl"
    back = read_manifest(tmp_path)
    assert back.items == items and back.labels == ["rain", "dog"] and back.root == tmp_path
    assert [i.line for i in back.items] == [1, 2]
    assert json.loads(path.read_text().splitlines()[1])["source"] == "clotho"
    assert not {"snr_db", "language"} & set(json.loads(path.read_text().splitlines()[0]))
    assert json.loads(path.read_text().splitlines()[1])["language"] == "es"
    assert back.speech_path(items[0]) == tmp_path / "speech" / "a.wav"
    assert back.split_counts() == {"test-noisy": 1, "train": 1}


def test_split_filter_and_unknown_split(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "manifest.jsonl", GOOD, {**GOOD, "id": "b", "split": "val"})
    assert [i.id for i in read_manifest(path, split="val")] == ["b"]
    message = error(path, split="test")
    assert message == f"{path}: no items in split 'test'; splits present: train (1), val (1)"


def test_labels_default_to_sorted_union_over_all_splits(tmp_path: Path) -> None:
    val = {**GOOD, "id": "b", "split": "val", "labels": ["cat"]}
    path = write_lines(tmp_path / "manifest.jsonl", {**GOOD, "labels": ["rain"]}, val)
    assert read_manifest(path, split="train").labels == ["cat", "rain"]


def test_missing_file(tmp_path: Path) -> None:
    assert error(tmp_path / "nope.jsonl").startswith(f"{tmp_path / 'nope.jsonl'}: no such manifest")
    assert error(tmp_path).startswith(f"{tmp_path / 'manifest.jsonl'}: no such manifest")


def test_empty_manifest(tmp_path: Path) -> None:
    path = tmp_path / "manifest.jsonl"
    path.write_text("\n  \n")
    assert error(path) == f"{path}: the manifest is empty; it needs one JSON object per line"


def test_line_that_is_not_json(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "manifest.jsonl", GOOD, '{"id": "b", "speech": ')
    assert error(path).startswith(f"{path}:2: not valid JSON (Expecting value at column 22)")


def test_line_that_is_not_an_object(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "manifest.jsonl", GOOD, [1, 2])
    assert error(path) == f"{path}:2: expected a JSON object, got list"


def test_missing_key_names_the_key(tmp_path: Path) -> None:
    one = {k: v for k, v in GOOD.items() if k != "caption"}
    path = write_lines(tmp_path / "manifest.jsonl", {**GOOD, "id": "x"}, one)
    assert error(path).startswith(f"{path}:2: missing key 'caption'; every line needs id, speech,")
    two = {k: v for k, v in GOOD.items() if k not in ("split", "duration")}
    path = write_lines(tmp_path / "manifest.jsonl", two)
    assert error(path).startswith(f"{path}:1: missing keys 'split', 'duration';")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("labels", "dog", "'labels' must be a list of class names, got \"dog\""),
        ("labels", ["dog", 3], "'labels' must be a list of class names"),
        (
            "speech_sample_rate",
            16000.0,
            "'speech_sample_rate' must be a whole number of Hz (0 when unknown), got 16000.0",
        ),
        ("audio_sample_rate", -1, "'audio_sample_rate' must be a whole number of Hz"),
        ("duration", "4", "'duration' must be a finite number, got \"4\""),
        ("duration", float("nan"), "'duration' must be a finite number, got NaN"),
        ("snr_db", "loud", "'snr_db' must be a finite number"),
        ("language", 7, "'language' must be a language code such as \"en\", got 7"),
        ("caption", None, "'caption' must be a string, got null"),
        ("id", "", "'id' is empty"),
    ],
)
def test_wrong_value_types(tmp_path: Path, key: str, value: object, expected: str) -> None:
    path = write_lines(tmp_path / "manifest.jsonl", GOOD, {**GOOD, "id": "b", key: value})
    assert error(path).startswith(f"{path}:2: {expected}")


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "manifest.jsonl", GOOD, {**GOOD, "id": "b"}, GOOD)
    assert error(path) == f"{path}:3: duplicate id 'a' (first on line 1); ids must be unique"


def test_bad_labels_json(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "manifest.jsonl", GOOD)
    (tmp_path / "labels.json").write_text('{"dog": 0}')
    assert error(path) == f"{tmp_path / 'labels.json'}: must be a JSON list of class names (non-empty strings)"
    (tmp_path / "labels.json").write_text('["dog", "cat", "dog"]')
    assert error(path) == f"{tmp_path / 'labels.json'}: class names listed twice: dog"
    (tmp_path / "labels.json").write_text('["dog",')
    assert error(path).startswith(f"{tmp_path / 'labels.json'}: not valid JSON")


def test_multi_hot() -> None:
    np.testing.assert_array_equal(multi_hot(["rain", "dog"], ["dog", "cat", "rain"]), [1.0, 0.0, 1.0])
    assert multi_hot([], ["dog"]).dtype == np.float32
    with pytest.raises(StarKitError) as info:
        multi_hot(["cow"], ["dog", "cat"])
    assert str(info.value) == "label 'cow' is not in the label set (2 classes); add it to labels.json"


def test_write_is_atomic_and_refuses_bad_items(tmp_path: Path) -> None:
    good = [Item("a", "s.wav", "a.wav", "cap")]
    path = write_manifest(tmp_path, good)
    before = path.read_bytes()
    with pytest.raises(StarKitError, match="not written, an item holds a value JSON cannot store"):
        write_manifest(tmp_path, [Item("b", "s.wav", "a.wav", "cap", extra={"when": object()})])
    with pytest.raises(StarKitError, match="not written, duplicate ids: a"):
        write_manifest(tmp_path, good + good)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.jsonl"]  # no temporary files left behind
    assert set(json.loads(before)) == set(REQUIRED_KEYS)


def test_a_write_that_fails_midway_leaves_the_old_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_manifest(tmp_path, [Item("a", "s.wav", "a.wav", "cap")])
    before = path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("star_kit.data.manifest.os.replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_manifest(tmp_path, [Item("a", "s.wav", "a.wav", "a new caption")])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.jsonl"]


def test_line_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "manifest.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b"\n" + json.dumps({**GOOD, "id": "b"}).encode("utf-16") + b"\n")
    assert error(path).startswith(f"{path}:2: not UTF-8 text (invalid start byte at byte 0)")

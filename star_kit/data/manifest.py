"""The JSONL manifest every corpus, importer, trainer and evaluator shares.

``DIR/manifest.jsonl`` holds one JSON object per line::

    {"id": "a1", "speech": "speech/joe/a1.wav", "audio": "audio/a1.wav", "caption": "a dog barks",
     "labels": ["dog"], "split": "train", "voice": "joe", "duration": 4.0,
     "speech_sample_rate": 16000, "audio_sample_rate": 24000, "snr_db": 10.0, "language": "en"}

Paths are relative to the manifest's folder (the folder can move). ``speech`` is ``""`` until the captions are spoken
(``starkit data speak``). The optional ``DIR/labels.json`` is the ordered label set (a JSON list of class names).
This module imports neither numpy nor torch at import time.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from star_kit.errors import StarKitError
from star_kit.files import atomic_path

if TYPE_CHECKING:
    import numpy as np

MANIFEST_NAME = "manifest.jsonl"
LABELS_NAME = "labels.json"
REQUIRED_KEYS = (
    "id",
    "speech",
    "audio",
    "caption",
    "labels",
    "split",
    "voice",
    "duration",
    "speech_sample_rate",
    "audio_sample_rate",
)
_STR_KEYS = ("id", "speech", "audio", "caption", "split", "voice")
_INT_KEYS = ("speech_sample_rate", "audio_sample_rate")
_OPTIONAL_KEYS = ("snr_db", "language")


@dataclass
class Item:
    """One manifest line. ``line`` is where it was read from (0 for new items); ``extra`` keeps unknown keys."""

    id: str
    speech: str
    audio: str
    caption: str
    labels: list[str] = field(default_factory=list)
    split: str = "train"
    voice: str = ""
    duration: float = 0.0
    speech_sample_rate: int = 0
    audio_sample_rate: int = 0
    snr_db: float | None = None
    language: str = ""  # the spoken language (a code such as "en"); "" when the manifest does not say
    extra: dict[str, Any] = field(default_factory=dict)
    line: int = field(default=0, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in REQUIRED_KEYS}
        out["labels"] = list(self.labels)
        if self.snr_db is not None:
            out["snr_db"] = self.snr_db
        if self.language:
            out["language"] = self.language
        return {**out, **self.extra}


@dataclass
class Problem:
    """A finding about one manifest line (``line`` 0: the file as a whole)."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class Manifest:
    """Items read from a manifest, with the label set and the folder their paths are relative to."""

    path: Path
    items: list[Item]
    labels: list[str]

    @property
    def root(self) -> Path:
        return self.path.parent

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def speech_path(self, item: Item) -> Path:
        return self.root / item.speech

    def audio_path(self, item: Item) -> Path:
        return self.root / item.audio

    def split_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(i.split for i in self.items).items()))


def manifest_file(path: str | Path) -> Path:
    """``DIR`` or ``DIR/manifest.jsonl`` (any ``*.jsonl``) -> the manifest file."""
    path = Path(path)
    return path if path.suffix == ".jsonl" or path.is_file() else path / MANIFEST_NAME


def parse_manifest(path: str | Path) -> tuple[list[Item], list[Problem]]:
    """Reads every line it can; returns the well-formed items and a problem per malformed or duplicate line.

    Raises:
        StarKitError: when the file does not exist.
    """
    path = manifest_file(path)
    if not path.is_file():
        raise StarKitError(f"{path}: no such manifest; create one with `starkit data build` or `starkit data import`")
    items: list[Item] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            item = _parse_line(path, number, raw, problems)
            if item is None:
                continue
            if item.id in first_line:
                first = first_line[item.id]
                problems.append(
                    Problem(path, number, f"duplicate id '{item.id}' (first on line {first}); ids must be unique")
                )
                continue
            first_line[item.id] = number
            items.append(item)
    if not items and not problems:
        problems.append(Problem(path, 0, "the manifest is empty; it needs one JSON object per line"))
    return items, problems


def _parse_line(path: Path, number: int, raw: bytes, problems: list[Problem]) -> Item | None:
    def bad(message: str) -> None:
        problems.append(Problem(path, number, message))

    try:
        obj = json.loads(raw.decode("utf-8").rstrip())
    except UnicodeDecodeError as exc:
        return bad(f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the manifest as UTF-8")
    except json.JSONDecodeError as exc:
        return bad(f"not valid JSON ({exc.msg} at column {exc.colno}); each line must be one JSON object")
    if not isinstance(obj, dict):
        return bad(f"expected a JSON object, got {type(obj).__name__}")
    missing = [k for k in REQUIRED_KEYS if k not in obj]
    if missing:
        names = ", ".join(f"'{k}'" for k in missing)
        return bad(f"missing key{'s' if len(missing) > 1 else ''} {names}; every line needs {', '.join(REQUIRED_KEYS)}")
    for k in _STR_KEYS:
        if not isinstance(obj[k], str):
            return bad(f"'{k}' must be a string, got {json.dumps(obj[k])}")
    if not obj["id"]:
        return bad("'id' is empty")
    if not isinstance(obj["labels"], list) or not all(isinstance(x, str) for x in obj["labels"]):
        return bad(f"'labels' must be a list of class names, got {json.dumps(obj['labels'])}")
    for k in _INT_KEYS:
        if not isinstance(obj[k], int) or isinstance(obj[k], bool) or obj[k] < 0:
            return bad(f"'{k}' must be a whole number of Hz (0 when unknown), got {json.dumps(obj[k])}")
    for k in ("duration", "snr_db"):
        value = obj.get(k)
        if (k == "duration" or value is not None) and (
            not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value)
        ):
            return bad(f"'{k}' must be a finite number, got {json.dumps(value)}")
    language = obj.get("language", "")
    if not isinstance(language, str):
        return bad(f"'language' must be a language code such as \"en\", got {json.dumps(language)}")
    extra = {k: v for k, v in obj.items() if k not in (*REQUIRED_KEYS, *_OPTIONAL_KEYS)}
    return Item(
        **{k: obj[k] for k in REQUIRED_KEYS}, snr_db=obj.get("snr_db"), language=language, extra=extra, line=number
    )


def read_label_set(folder: str | Path) -> list[str] | None:
    """The ordered label set from ``folder/labels.json``, or None when there is none."""
    path = Path(folder) / LABELS_NAME
    if not path.exists():
        return None
    try:
        labels = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StarKitError(f"{path}: not valid JSON ({exc}); it must be a JSON list of class names") from exc
    if not isinstance(labels, list) or not all(isinstance(x, str) and x for x in labels):
        raise StarKitError(f"{path}: must be a JSON list of class names (non-empty strings)")
    dupes = sorted(k for k, n in Counter(labels).items() if n > 1)
    if dupes:
        raise StarKitError(f"{path}: class names listed twice: {', '.join(dupes)}")
    return labels


def read_manifest(path: str | Path, split: str | None = None) -> Manifest:
    """Reads and validates a manifest; the first malformed line stops it with a ``file:line`` error.

    Args:
        path: the manifest file or its folder.
        split: keep only this split (an unknown split lists the ones present).

    Returns:
        A :class:`Manifest`. Its ``labels`` come from ``labels.json`` when present, else the sorted union of the
        items' labels (computed over all splits, so every split gets the same order).
    """
    path = manifest_file(path)
    items, problems = parse_manifest(path)
    if problems:
        raise StarKitError(str(problems[0]))
    labels = read_label_set(path.parent)
    if labels is None:
        labels = sorted({label for item in items for label in item.labels})
    if split is not None:
        counts = Counter(i.split for i in items)
        if split not in counts:
            raise StarKitError(
                f"{path}: no items in split '{split}'; splits present: "
                + ", ".join(f"{s} ({n})" for s, n in sorted(counts.items()))
            )
        items = [i for i in items if i.split == split]
    return Manifest(path, items, labels)


def atomic_write_bytes(path: Path, data: bytes, fsync: bool = True) -> None:
    """Writes ``data`` to a temporary sibling, then renames it over ``path`` (readers never see half a file).

    ``fsync`` also makes the bytes durable before the rename (a power cut cannot leave an empty file behind).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = atomic_path(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_manifest(path: str | Path, items: list[Item], labels: list[str] | None = None) -> Path:
    """Writes ``items`` (and ``labels.json`` when ``labels`` is given) atomically; returns the manifest file.

    Raises:
        StarKitError: on duplicate ids or values JSON cannot hold (the old manifest stays untouched).
    """
    path = manifest_file(path)
    dupes = sorted(k for k, n in Counter(i.id for i in items).items() if n > 1)
    if dupes:
        raise StarKitError(f"{path}: not written, duplicate ids: {', '.join(dupes[:5])}")
    try:
        text = "".join(json.dumps(i.to_dict(), ensure_ascii=False) + "\n" for i in items)
    except (TypeError, ValueError) as exc:
        raise StarKitError(f"{path}: not written, an item holds a value JSON cannot store ({exc})") from exc
    if labels is not None:
        atomic_write_bytes(path.parent / LABELS_NAME, (json.dumps(list(labels), indent=1) + "\n").encode())
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def multi_hot(labels: list[str], label_set: list[str]) -> np.ndarray:
    """``(c,)`` float32 target with 1.0 at each of ``labels``' positions in ``label_set``.

    Raises:
        StarKitError: for a label outside the set (it names the label and the set's size).
    """
    import numpy as np

    index = {name: i for i, name in enumerate(label_set)}
    out = np.zeros(len(label_set), dtype=np.float32)
    for label in labels:
        if label not in index:
            raise StarKitError(
                f"label '{label}' is not in the label set ({len(label_set)} classes); add it to labels.json"
            )
        out[index[label]] = 1.0
    return out

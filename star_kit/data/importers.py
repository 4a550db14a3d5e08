"""``starkit data import``: AudioCaps- and Clotho-style caption CSVs -> a manifest (speech left empty until spoken).

AudioCaps: columns ``audiocap_id, youtube_id, start_time, caption``; the clip is ``<youtube_id>.wav``,
``Y<youtube_id>.wav`` (AudioSet's naming) or ``<audiocap_id>.wav`` in the audio folder.
Clotho: columns ``file_name, caption_1 .. caption_5``; one item per caption (or the first caption only).
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from star_kit.data.manifest import Item, manifest_file, read_manifest, write_manifest
from star_kit.errors import StarKitError

FORMATS = ("auto", "audiocaps", "clotho")
_AUDIOCAPS = ("audiocap_id", "youtube_id", "caption")
#: words in a CSV's file name that tell its split (``train.csv``, ``clotho_captions_evaluation.csv``)
_SPLIT_WORDS = {
    "train": "train",
    "training": "train",
    "development": "train",
    "val": "val",
    "valid": "val",
    "validation": "val",
    "test": "test",
    "eval": "test",
    "evaluation": "test",
}


@dataclass
class ImportResult:
    """What an import wrote: the manifest, how many items it added, and the CSV rows it skipped (with why)."""

    manifest: Path
    added: int
    skipped: list[str] = field(default_factory=list)


def split_from_name(csv_path: Path) -> str:
    """The split a CSV's file name names (``val.csv`` -> ``val``); an error asks for ``--split`` otherwise."""
    for word in re.split(r"[^a-z]+", csv_path.stem.lower()):
        if word in _SPLIT_WORDS:
            return _SPLIT_WORDS[word]
    raise StarKitError(f"{csv_path}: cannot tell the split from the file name; pass --split (e.g. train, val, test)")


def detect_format(csv_path: Path, columns: list[str]) -> str:
    if set(_AUDIOCAPS) <= set(columns):
        return "audiocaps"
    if "file_name" in columns and "caption_1" in columns:
        return "clotho"
    raise StarKitError(
        f"{csv_path}: unknown CSV columns {', '.join(columns) or '(none)'}; expected AudioCaps "
        f"({', '.join(_AUDIOCAPS)}, start_time) or Clotho (file_name, caption_1 .. caption_5)"
    )


def import_csv(
    csv_path: str | Path,
    audio_dir: str | Path,
    out_dir: str | Path,
    split: str | None = None,
    format: str = "auto",
    all_captions: bool = True,
) -> ImportResult:
    """Adds the rows of a caption CSV whose audio exists to ``out_dir/manifest.jsonl``.

    Items already in that manifest are kept, so train, val and test CSVs can be imported one after another; an item
    imported again keeps its speech when its caption is unchanged. Audio paths are stored relative to ``out_dir``.

    Args:
        csv_path: AudioCaps- or Clotho-style CSV.
        audio_dir: folder holding the wav files the CSV names.
        out_dir: manifest folder (created when needed).
        split: split of every row; by default read from the CSV's file name.
        format: ``auto``, ``audiocaps`` or ``clotho``.
        all_captions: Clotho only: one item per caption (True) or the first caption only (False).

    Raises:
        StarKitError: unreadable CSV, unknown columns or format, no row with audio.
    """
    import soundfile as sf

    csv_path, audio_dir, out_dir = Path(csv_path), Path(audio_dir), Path(out_dir)
    if format not in FORMATS:
        raise StarKitError(f"unknown CSV format '{format}'; choose one of {', '.join(FORMATS)}")
    if not csv_path.is_file():
        raise StarKitError(f"{csv_path}: no such CSV file")
    if not audio_dir.is_dir():
        raise StarKitError(f"{audio_dir}: no such audio folder (--audio-dir)")
    split = split or split_from_name(csv_path)
    rows = _read_rows(csv_path)
    columns = list(rows[0][1])
    format = detect_format(csv_path, columns) if format == "auto" else format
    needed = _AUDIOCAPS if format == "audiocaps" else ("file_name", "caption_1")
    if missing := [c for c in needed if c not in columns]:
        raise StarKitError(f"{csv_path}: a {format} CSV needs column(s) {', '.join(missing)}")
    caption_columns = sorted((c for c in columns if re.fullmatch(r"caption_\d+", c)), key=lambda c: int(c[8:]))

    items: list[Item] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for line, row in rows:
        where = f"{csv_path}:{line}"
        if format == "audiocaps":
            key = row["audiocap_id"].strip()
            names = [f"{row['youtube_id'].strip()}.wav", f"Y{row['youtube_id'].strip()}.wav", f"{key}.wav"]
            captions = [(key, row["caption"])]
        else:
            key = Path(row["file_name"].strip()).stem
            names = [row["file_name"].strip()]
            chosen = caption_columns if all_captions else caption_columns[:1]
            captions = [(f"{key}_cap{c[8:]}", row[c] or "") for c in chosen]
        if not key:
            skipped.append(f"{where}: no {'audiocap_id' if format == 'audiocaps' else 'file_name'}")
            continue
        audio = next((audio_dir / n for n in names if (audio_dir / n).is_file()), None)
        if audio is None:
            skipped.append(f"{where}: no audio file (looked for {', '.join(dict.fromkeys(names))} in {audio_dir})")
            continue
        try:
            info = sf.info(str(audio))
        except Exception as exc:  # noqa: BLE001 - soundfile raises several types for undecodable files
            skipped.append(f"{where}: cannot read {audio} ({getattr(exc, 'error_string', exc)})")
            continue
        for item_id, caption in captions:
            if not caption.strip():
                skipped.append(f"{where}: empty caption for {item_id}")
            elif item_id in seen:
                skipped.append(f"{where}: id {item_id} appears twice in the CSV")
            else:
                seen.add(item_id)
                items.append(
                    Item(
                        id=item_id,
                        speech="",
                        audio=os.path.relpath(audio, out_dir),
                        caption=caption.strip(),
                        split=split,
                        duration=info.frames / info.samplerate,
                        audio_sample_rate=info.samplerate,
                    )
                )
    if not items:
        first = f"; first: {skipped[0]}" if skipped else ""
        raise StarKitError(f"{csv_path}: no row could be imported ({len(skipped)} skipped){first}")
    path = _merge(manifest_file(out_dir), items)
    return ImportResult(path, len(items), skipped)


def _read_rows(csv_path: Path) -> list[tuple[int, dict[str, str]]]:
    """``(line number, row)`` pairs; the header is line 1."""
    try:
        with csv_path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            rows = []
            for row in reader:
                if None in row:
                    raise StarKitError(f"{csv_path}:{reader.line_num}: more fields than the header has columns")
                rows.append((reader.line_num, {k.strip(): v or "" for k, v in row.items()}))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise StarKitError(f"{csv_path}: cannot read it as a UTF-8 CSV ({exc})") from exc
    if not rows:
        raise StarKitError(f"{csv_path}: no rows below the header")
    return rows


def _merge(path: Path, new: list[Item]) -> Path:
    """Adds ``new`` to the manifest at ``path``.

    A re-imported item keeps its labels (a CSV has none), and its speech when the caption is unchanged.
    """
    old = read_manifest(path).items if path.exists() else []
    by_id = {i.id: i for i in new}
    merged = []
    for item in old:
        fresh = by_id.pop(item.id, None)
        if fresh is None:
            merged.append(item)
            continue
        fresh.labels, fresh.extra, fresh.language = item.labels, item.extra, fresh.language or item.language
        if fresh.caption == item.caption:
            fresh.speech, fresh.voice, fresh.speech_sample_rate = item.speech, item.voice, item.speech_sample_rate
        merged.append(fresh)
    return write_manifest(path, merged + list(by_id.values()))

"""``starkit data speak``: speaks each caption of a manifest with a registered voice (resumable)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import soundfile as sf

from star_kit.audio import check_waveform, resample, write_audio
from star_kit.data.manifest import Item, Manifest, manifest_file, read_manifest, write_manifest
from star_kit.errors import StarKitError
from star_kit.registry import Registry, get_registry

if TYPE_CHECKING:
    from star_kit.interfaces import Voice

#: speech is stored at this rate (every speech encoder star_kit ships reads 16 kHz)
SPEECH_SAMPLE_RATE = 16_000


def speech_file_name(item_id: str, caption: str, seed: int) -> str:
    """``<id>-<hash>.wav``: the hash covers id, caption and seed, so an existing file is always the speech of this
    caption (an edited caption or another seed gets a new file) and ids that differ only in unsafe characters
    never share one."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", item_id).lstrip(".") or "item"
    digest = hashlib.sha256(f"{item_id}\0{caption}\0{seed}".encode()).hexdigest()[:10]
    return f"{safe}-{digest}.wav"


def item_seed(seed: int, item_id: str) -> int:
    """A per-item seed that depends on the id, not the position (stable when items are added or filtered)."""
    return int(hashlib.sha256(f"{seed}:{item_id}".encode()).hexdigest()[:8], 16)


def _complete_rate(path: Path) -> int | None:
    """The sample rate of a readable, non-empty wav at ``path``, else None (missing or damaged: speak it again)."""
    try:
        info = sf.info(str(path))
    except Exception:  # noqa: BLE001 - any unreadable file is redone
        return None
    return info.samplerate if info.frames > 0 else None


def speak_manifest(
    manifest: str | Path,
    voice_name: str,
    out_dir: str | Path | None = None,
    seed: int = 0,
    overwrite: bool = False,
    registry: Registry | None = None,
    progress: bool = False,
) -> Manifest:
    """Speaks every caption with ``voice_name`` and records the speech in the manifest.

    Speech is resampled to 16 kHz and written atomically to ``out_dir/<id>-<hash>.wav`` (default
    ``<manifest folder>/speech/<voice>``; see :func:`speech_file_name`); the manifest's ``speech``, ``voice`` and
    ``speech_sample_rate`` are filled and the manifest is rewritten atomically. A rerun skips items whose speech file
    is already complete, so an interrupted run resumes where it stopped; ``overwrite`` speaks everything again.

    Args:
        manifest: the manifest file or its folder.
        voice_name: a registered voice (``starkit components``).
        out_dir: where the speech files go (relative paths are taken from the current directory).
        seed: drives the voice's jitter; each item gets its own seed derived from this and its id.
        overwrite: speak items again even when their speech file exists.
        registry: where to look up the voice (default: the installed plugins).
        progress: show a progress bar.

    Returns:
        The updated manifest.
    """
    path = manifest_file(manifest)
    data = read_manifest(path)
    for item in data.items:  # before speaking anything, so a bad line cannot stop a long run halfway
        if not item.caption.strip():
            raise StarKitError(f"item '{item.id}' (manifest line {item.line}) has an empty caption; fix or remove it")
    voice = (registry or get_registry()).load("voice", voice_name)()
    folder = Path(out_dir) if out_dir is not None else data.root / "speech" / voice_name
    items = data.items
    if progress:
        from tqdm import tqdm

        items = tqdm(items, desc=f"speaking with {voice_name}", unit="caption")
    for item in items:
        target = folder / speech_file_name(item.id, item.caption, seed)
        rate = None if overwrite else _complete_rate(target)
        if rate is None:
            _speak(voice, voice_name, item, target, seed)
            rate = SPEECH_SAMPLE_RATE
        item.speech = os.path.relpath(target, data.root)
        item.voice = voice_name
        item.speech_sample_rate = rate
    write_manifest(path, data.items)
    return data


def _speak(voice: Voice, voice_name: str, item: Item, target: Path, seed: int) -> None:
    wav = voice.synthesize(item.caption, seed=item_seed(seed, item.id))
    check_waveform(wav, f"voice '{voice_name}' speaking item '{item.id}'")
    write_audio(target, resample(wav, voice.sample_rate, SPEECH_SAMPLE_RATE), SPEECH_SAMPLE_RATE)

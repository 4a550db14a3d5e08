"""``starkit data check``: every problem of a manifest and its audio files, each with its line number."""

from __future__ import annotations

from pathlib import Path

from star_kit.data.manifest import Item, Problem, manifest_file, parse_manifest, read_label_set
from star_kit.errors import StarKitError

#: declared and measured audio durations may differ by this much (seconds) before it is reported
DURATION_TOLERANCE = 0.1


def check_manifest(
    path: str | Path, expected_rates: dict[str, int] | None = None, decode: bool = True
) -> list[Problem]:
    """Finds every problem instead of stopping at the first.

    Checks: malformed lines, duplicate ids, empty captions, labels outside ``labels.json``, speech not yet spoken,
    absolute paths, missing or unreadable files, file rates that differ from the declared ``*_sample_rate`` or from
    ``expected_rates``, declared durations that differ from the audio file, and (``decode``) empty, silent or NaN audio.

    Args:
        path: the manifest file or its folder.
        expected_rates: ``{"speech": 16000, "audio": 24000}`` (either key optional): rates the files must have.
        decode: decode every file to look for silence and NaN (headers alone are read otherwise).

    Returns:
        Problems sorted by line; empty when the manifest is fine.
    """
    file = manifest_file(path)
    items, problems = parse_manifest(file)
    try:
        label_set = read_label_set(file.parent)
    except StarKitError as exc:
        problems.append(Problem(file, 0, str(exc)))
        label_set = None
    for item in items:
        problems += _check_item(file, item, label_set, expected_rates or {}, decode)
    return sorted(problems, key=lambda p: p.line)


def _check_item(
    file: Path, item: Item, label_set: list[str] | None, expected_rates: dict[str, int], decode: bool
) -> list[Problem]:
    found: list[str] = []
    if not item.caption.strip():
        found.append("the caption is empty")
    if label_set is not None:
        unknown = [x for x in item.labels if x not in label_set]
        if unknown:
            found.append(f"labels not in labels.json: {', '.join(repr(x) for x in unknown)}")
    for kind in ("speech", "audio"):
        rel: str = getattr(item, kind)
        if not rel:
            found.append(
                "no speech yet (speech is empty); run `starkit data speak MANIFEST --voice NAME`"
                if kind == "speech"
                else "the audio path is empty"
            )
            continue
        if Path(rel).is_absolute():
            found.append(f"{kind} path {rel} is absolute; make it relative to the manifest folder")
        found += _check_file(file.parent / rel, kind, rel, item, expected_rates.get(kind), decode)
    return [Problem(file, item.line, message) for message in found]


def _check_file(path: Path, kind: str, rel: str, item: Item, expected: int | None, decode: bool) -> list[str]:
    import soundfile as sf

    from star_kit.audio import check_waveform

    name = f"{kind} file {rel}"
    if not path.is_file():
        return [f"{name} does not exist"]
    try:
        info = sf.info(str(path))
    except Exception as exc:  # noqa: BLE001 - soundfile raises several types for undecodable files
        return [f"cannot read {name} ({getattr(exc, 'error_string', exc)})"]
    found = []
    declared = getattr(item, f"{kind}_sample_rate")
    if info.samplerate != declared:
        found.append(f"{name} is {info.samplerate} Hz but {kind}_sample_rate says {declared}")
    if expected and info.samplerate != expected:
        found.append(f"{name} is {info.samplerate} Hz, expected {expected} Hz; resample it")
    seconds = info.frames / info.samplerate
    if kind == "audio" and abs(seconds - item.duration) > DURATION_TOLERANCE:
        found.append(f"duration says {item.duration:.2f} s but {name} lasts {seconds:.2f} s")
    if decode:
        try:
            wav, _ = sf.read(str(path), dtype="float32", always_2d=True)
            check_waveform(wav.mean(axis=1), name)
        except StarKitError as exc:
            found.append(str(exc))
        except Exception as exc:  # noqa: BLE001
            found.append(f"cannot decode {name} ({exc})")
    return found

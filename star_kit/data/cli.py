"""``starkit data``: build, import, speak and check manifests. Heavy modules are imported inside the commands."""

from __future__ import annotations

import click

#: at most this many skipped CSV rows are listed after an import (the rest are counted)
SHOW_SKIPPED = 10


def _summary(items: list, labels: list[str] | None = None) -> str:
    from collections import Counter

    splits = ", ".join(f"{s} {n}" for s, n in sorted(Counter(i.split for i in items).items()))
    tail = f", {len(labels)} labels" if labels is not None else ""
    return f"{len(items)} items ({splits}){tail}"


@click.group("data")
def data() -> None:
    """Build, import, speak and check data sets (JSONL manifests with audio and speech files).

    Example:

      starkit data build spoken-events --out runs/data --size tiny
    """


@data.command("build")
@click.argument("corpus")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the audio and manifest.")
@click.option(
    "--size",
    default="small",
    show_default=True,
    help="One of the corpus's sizes (spoken-events: tiny, small, medium, full).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of everything random in the corpus.")
@click.option(
    "--set",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="A constructor argument of the corpus, as a recipe's data.corpus node takes it (repeatable).",
)
def build(corpus: str, out: str, size: str, seed: int, options: tuple[str, ...]) -> None:
    """Build (or resume building) a registered CORPUS into --out (e.g. `--size tiny` for a quick look).

    Example:

      starkit data build spoken-events --out data/se --set vocabulary=rich
    """
    from omegaconf import OmegaConf

    from star_kit.config import instantiate
    from star_kit.data.manifest import read_manifest
    from star_kit.errors import StarKitError
    from star_kit.registry import get_registry

    bad = [o for o in options if "=" not in o]
    if bad:
        raise StarKitError(f"--set {bad[0]}: expected KEY=VALUE, e.g. --set vocabulary=rich")
    node = {"_component_": corpus, **OmegaConf.to_container(OmegaConf.from_dotlist(list(options)))}
    path = instantiate(get_registry(), "corpus", node).build(out, size=size, seed=seed)
    manifest = read_manifest(path)
    click.echo(f"{manifest.path}: {_summary(manifest.items, manifest.labels)}")


@data.command("import")
@click.argument("csv_path", metavar="CSV", type=click.Path(exists=True, dir_okay=False))
@click.option("--audio-dir", required=True, type=click.Path(exists=True, file_okay=False), help="Folder of the wavs.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Manifest folder (items are added).")
@click.option("--format", "fmt", type=click.Choice(["auto", "audiocaps", "clotho"]), default="auto", show_default=True)
@click.option("--split", default=None, help="Split of every row [default: from the CSV name, e.g. val.csv -> val].")
@click.option("--first-caption", is_flag=True, help="Clotho: one item per clip with caption_1 (not one per caption).")
def import_(csv_path: str, audio_dir: str, out: str, fmt: str, split: str | None, first_caption: bool) -> None:
    """Add the rows of an AudioCaps- or Clotho-style caption CSV to the manifest in --out.

    AudioCaps columns: audiocap_id, youtube_id, start_time, caption (audio <youtube_id>.wav or <audiocap_id>.wav).
    Clotho columns: file_name, caption_1 .. caption_5. Speech stays empty until `starkit data speak`.

    Example:

      starkit data import val.csv --audio-dir audio --out runs/audiocaps
    """
    from star_kit.data.importers import import_csv
    from star_kit.data.manifest import read_manifest

    result = import_csv(csv_path, audio_dir, out, split=split, format=fmt, all_captions=not first_caption)
    for line in result.skipped[:SHOW_SKIPPED]:
        click.echo(f"skipped {line}", err=True)
    if len(result.skipped) > SHOW_SKIPPED:
        click.echo(f"... and {len(result.skipped) - SHOW_SKIPPED} more skipped rows", err=True)
    manifest = read_manifest(result.manifest)
    click.echo(f"added {result.added} items from {csv_path}; {manifest.path}: {_summary(manifest.items)}")
    click.echo(f"next: starkit data speak {manifest.path} --voice NAME")


@data.command("speak")
@click.argument("manifest", type=click.Path(exists=True))
@click.option("--voice", required=True, help="A registered voice (see `starkit components`).")
@click.option("--out", default=None, type=click.Path(file_okay=False), help="[default: MANIFEST_DIR/speech/VOICE]")
@click.option("--seed", type=int, default=0, show_default=True, help="Drives the voice's jitter.")
@click.option("--force", is_flag=True, help="Speak every caption again, even where the speech file exists.")
def speak(manifest: str, voice: str, out: str | None, seed: int, force: bool) -> None:
    """Speak every caption of MANIFEST with a TTS voice (16 kHz wavs); resumes where it stopped.

    Example:

      starkit data speak runs/audiocaps/manifest.jsonl --voice piper-joe
    """
    from star_kit.data.speak import speak_manifest

    result = speak_manifest(manifest, voice, out_dir=out, seed=seed, overwrite=force, progress=True)
    click.echo(f"{result.path}: spoke {len(result)} captions with voice '{voice}'")


@data.command("check")
@click.argument("manifest", type=click.Path())
@click.option("--speech-rate", type=int, default=None, help="Sample rate every speech file must have.")
@click.option("--audio-rate", type=int, default=None, help="Sample rate every audio file must have.")
@click.option("--headers-only", is_flag=True, help="Read file headers only (skip the silence and NaN checks).")
@click.pass_context
def check(
    ctx: click.Context, manifest: str, speech_rate: int | None, audio_rate: int | None, headers_only: bool
) -> None:
    """Report every problem of MANIFEST as FILE:LINE: problem (exit 1 if any).

    Finds malformed lines, duplicate ids, empty captions, labels outside labels.json, missing or unreadable files,
    wrong sample rates or durations, and silent or NaN audio.

    Example:

      starkit data check runs/data/manifest.jsonl
    """
    from star_kit.data.check import check_manifest
    from star_kit.data.manifest import read_manifest

    rates = {k: v for k, v in (("speech", speech_rate), ("audio", audio_rate)) if v}
    problems = check_manifest(manifest, expected_rates=rates, decode=not headers_only)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem{'s' if len(problems) > 1 else ''} found", err=True)
        ctx.exit(1)
    result = read_manifest(manifest)
    click.echo(f"{result.path}: OK, {_summary(result.items, result.labels)}")
